"""Small manifest and tree builders for the diff tests: one line per case."""

from __future__ import annotations

from compiler.diff import Tree, tree_from_rendered


def tree(label: str = "", **environments: list[dict]) -> Tree:
    """tree(prod=[body, ...], staging=[...]): file names as the compiler writes them."""
    return tree_from_rendered(environments, label=label)


def isvc(name: str = "sklearn-iris", namespace: str = "ml", weight: int | None = 10, **predictor) -> dict:
    spec = {"model": {"modelFormat": {"name": "sklearn"}, "storageUri": f"gs://models/{name}/v2"}, **predictor}
    if weight is not None:
        spec["canaryTrafficPercent"] = weight
    return {
        "apiVersion": "serving.kserve.io/v1beta1",
        "kind": "InferenceService",
        "metadata": {"name": name, "namespace": namespace, "labels": {"app.kubernetes.io/name": name}},
        "spec": {"predictor": spec},
    }


def config_map(name: str, namespace: str = "ml", **data: str) -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": namespace}, "data": data}


def secret(name: str, namespace: str = "ml", **data: str) -> dict:
    return {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name, "namespace": namespace}, "data": data}


def virtual_service(name: str, routes: list[dict], namespace: str = "ml", hosts: tuple[str, ...] = ()) -> dict:
    return {
        "apiVersion": "networking.istio.io/v1",
        "kind": "VirtualService",
        "metadata": {"name": name, "namespace": namespace, "labels": {"app.kubernetes.io/name": name}},
        "spec": {"hosts": list(hosts), "http": routes},
    }
