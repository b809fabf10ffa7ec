"""Resolve: environment defaults and overlays merged onto each service spec (pure).

Merge rules (the design's, documented in the README):
- maps merge deeply, key by key;
- lists whose items are all maps with a `name` merge item by item on `name`
  (new names are appended in overlay order); any other list is replaced whole;
- a `null` in the overlay removes the key;
- any other value in the overlay replaces the base value.

Every key of the result remembers the file and line that set it, so errors found later
point at the overlay when the overlay is responsible.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import Location
from .yaml_io import KeyPath, LoadedDocument, locate

Positions = dict[KeyPath, Location]


@dataclass(frozen=True)
class Layer:
    """One source of settings: the data and where each key path came from."""

    data: Any
    positions: Positions
    path: str

    @classmethod
    def of(cls, source: "LoadedDocument | Layer", at: KeyPath = ()) -> "Layer":
        """The part of a document (or merged layer) under key path `at`, re-rooted at ()."""
        data = source.data
        for key in at:
            if isinstance(data, dict):
                data = data.get(key)
            elif isinstance(data, list) and isinstance(key, int) and 0 <= key < len(data):
                data = data[key]
            else:
                data = None
        positions = {path[len(at):]: loc for path, loc in source.positions.items() if path[: len(at)] == at}
        return cls(data if data is not None else {}, positions, source.path)

    def nested_under(self, prefix: KeyPath) -> "Layer":
        """This layer seen as the value at key path `prefix` of a larger document."""
        data = self.data
        for key in reversed(prefix):
            data = {key: data}
        positions = {prefix + path: loc for path, loc in self.positions.items()}
        return Layer(data, positions, self.path)

    def locate(self, key_path: KeyPath) -> Location:
        return locate(self.positions, key_path, self.path)


def _is_named_list(value: Any) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(item, dict) and isinstance(item.get("name"), str) for item in value)
    )


def _copy_positions(src: Positions, src_path: KeyPath, out: Positions, out_path: KeyPath) -> None:
    n = len(src_path)
    for path, loc in src.items():
        if path[:n] == src_path:
            out[out_path + path[n:]] = loc


def _merge(base: Any, over: Any, bpath: KeyPath, opath: KeyPath, bpos: Positions, opos: Positions, rpath: KeyPath, out: Positions) -> Any:
    if isinstance(base, dict) and isinstance(over, dict):
        result = {}
        if rpath in bpos:
            out[rpath] = bpos[rpath]
        for key, value in base.items():
            if key in over:
                continue
            result[key] = value
            _copy_positions(bpos, bpath + (key,), out, rpath + (key,))
        for key, value in over.items():
            if value is None:
                result.pop(key, None)  # null deletes the key
                continue
            if key in base:
                result[key] = _merge(base[key], value, bpath + (key,), opath + (key,), bpos, opos, rpath + (key,), out)
                out[rpath + (key,)] = opos.get(opath + (key,), out.get(rpath + (key,)))
            else:
                result[key] = value
                _copy_positions(opos, opath + (key,), out, rpath + (key,))
        # Keep base key order, then new keys: stable whatever the overlay's order.
        ordered = {k: result[k] for k in base if k in result}
        ordered.update({k: result[k] for k in result if k not in ordered})
        return ordered
    if _is_named_list(base) and _is_named_list(over):
        by_name = {item["name"]: index for index, item in enumerate(base)}
        over_by_name = {item["name"]: index for index, item in enumerate(over)}
        result = []
        for index, item in enumerate(base):
            rindex = len(result)
            if item["name"] in over_by_name:
                oindex = over_by_name[item["name"]]
                result.append(_merge(item, over[oindex], bpath + (index,), opath + (oindex,), bpos, opos, rpath + (rindex,), out))
                out[rpath + (rindex,)] = opos.get(opath + (oindex,), bpos.get(bpath + (index,)))
            else:
                result.append(item)
                _copy_positions(bpos, bpath + (index,), out, rpath + (rindex,))
        for oindex, item in enumerate(over):
            if item["name"] not in by_name:
                rindex = len(result)
                result.append(item)
                _copy_positions(opos, opath + (oindex,), out, rpath + (rindex,))
        return result
    # Scalars, plain lists and type changes: the overlay wins.
    _copy_positions(opos, opath, out, rpath)
    return over


def merge(base: Layer, overlay: Layer) -> Layer:
    """overlay merged onto base (neither is changed)."""
    out: Positions = {}
    data = _merge(base.data, overlay.data, (), (), base.positions, overlay.positions, (), out)
    if () in base.positions:
        out[()] = base.positions[()]
    return Layer(data, out, base.path)


def merge_all(layers: list[Layer]) -> Layer:
    result = layers[0]
    for layer in layers[1:]:
        result = merge(result, layer)
    return result


def strip_deletions(layer: Layer) -> Layer:
    """Remove `null` values left in a base layer: null always means "not set"."""

    def clean(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items() if v is not None}
        if isinstance(value, list):
            return [clean(v) for v in value]
        return value

    return Layer(clean(layer.data), layer.positions, layer.path)


def resolve_service(service: LoadedDocument, env_defaults: Layer | None, overlay: LoadedDocument | None) -> Layer:
    """The effective service document for one environment: defaults ← service ← overlay."""
    layers = []
    if env_defaults is not None and env_defaults.data:
        layers.append(env_defaults.nested_under(("spec",)))
    layers.append(Layer(service.data, service.positions, service.path))
    if overlay is not None:
        layers.append(Layer(overlay.data, overlay.positions, overlay.path))
    resolved = merge_all(layers) if len(layers) > 1 else layers[0]
    # The service file is the document a user thinks of; report its path at the root.
    resolved = Layer(resolved.data, {**resolved.positions, (): Location(service.path, 1, 1)}, service.path)
    return expand_versions(strip_deletions(resolved))


def expand_versions(layer: Layer) -> Layer:
    """Each `spec.versions[i].predictor` becomes spec.predictor with the version's changes merged on.

    Keys keep the position of the file that set them: the shared predictor's keys point at
    spec.predictor, the version's own at the version.
    """
    spec = layer.data.get("spec") if isinstance(layer.data, dict) else None
    versions = spec.get("versions") if isinstance(spec, dict) else None
    base = spec.get("predictor") if isinstance(spec, dict) else None
    if not isinstance(versions, list) or not isinstance(base, dict):
        return layer
    data = {**layer.data, "spec": {**spec, "versions": list(versions)}}
    positions = dict(layer.positions)
    for index, version in enumerate(versions):
        if not isinstance(version, dict):
            continue
        merged_version = dict(version)
        # A version's transformer is merged too, and only when the version sets one (docs/workloads.md).
        for key in ("predictor", "transformer") if isinstance(version.get("transformer"), dict) else ("predictor",):
            at = ("spec", "versions", index, key)
            own = Layer.of(layer, at)
            merged = merge(Layer.of(layer, ("spec", key)), own if isinstance(own.data, dict) else Layer({}, {}, layer.path))
            merged_version[key] = merged.data
            for path, location in merged.positions.items():
                positions.setdefault(at + path, location)
        data["spec"]["versions"][index] = merged_version
    return Layer(data, positions, layer.path)
