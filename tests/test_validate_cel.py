"""CEL ``x-kubernetes-validations`` evaluation: shared CRD coverage, manifest corpus, shims.

Corpus: every YAML file under tests/validation/cel/{valid,invalid}/ is validated
against the CRD of its apiVersion/kind, taken from ../shared/crds or from
tests/validation/cel/crds. Leading comment lines state what must come out:

    # expect: <JSON pointer>: <message substring>        (a violation)
    # expect-skip: <JSON pointer>: <reason substring>    (a rule reported as skipped)

Violations and skips must match these lines exactly (nothing missing, nothing extra);
an empty pointer (``# expect: : message``) is the resource root, as in tests/validation/.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

# cel-python must be a project dependency; until pyproject lists it, say so instead of erroring.
pytest.importorskip("celpy", reason="cel-python (import celpy) is not installed: add cel-python to pyproject")

from compiler.validate.cel import TRANSITION_SKIP_REASON, CelSkip, CelValidator, CelViolation, parse_field_path

REPO = Path(__file__).resolve().parents[1]
SHARED_CRDS = Path(__file__).resolve().parents[1].parent / "shared" / "crds"
CORPUS = REPO / "tests" / "validation" / "cel"
LOCAL_CRDS = CORPUS / "crds"

needs_shared = pytest.mark.skipif(
    not SHARED_CRDS.is_dir(), reason=f"shared reference CRDs not found at {SHARED_CRDS}"
)

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader parses the big CRDs 5x faster


@cache
def _crd_documents(folder: Path) -> list[dict[str, Any]]:
    documents = []
    for path in sorted(folder.rglob("*.yaml")):
        with path.open(encoding="utf-8") as handle:
            documents += [d for d in yaml.load_all(handle, Loader=_Loader)
                          if isinstance(d, dict) and d.get("kind") == "CustomResourceDefinition"]
    return documents


@cache
def _schemas(include_shared: bool) -> dict[tuple[str, str], dict[str, Any]]:
    """(apiVersion, kind) -> openAPIV3Schema for the local CRDs and, if asked, the shared ones."""
    folders = [LOCAL_CRDS] + ([SHARED_CRDS] if include_shared else [])
    schemas = {}
    for crd in (doc for folder in folders for doc in _crd_documents(folder)):
        for version in crd["spec"]["versions"]:
            key = (f"{crd['spec']['group']}/{version['name']}", crd["spec"]["names"]["kind"])
            schemas[key] = version["schema"]["openAPIV3Schema"]
    return schemas


@cache
def _validator(api_version: str, kind: str) -> CelValidator:
    local = _schemas(False)
    if (api_version, kind) in local:
        return CelValidator.from_schema(local[(api_version, kind)])
    if not SHARED_CRDS.is_dir():
        pytest.skip(f"{kind} {api_version} needs the shared CRDs at {SHARED_CRDS}")
    return CelValidator.from_schema(_schemas(True)[(api_version, kind)])


# --- every rule of every shared CRD compiles or is skipped with a reason ------------

_FAMILIES = {"istio.io": "Istio", "kserve.io": "KServe", "knative.dev": "Knative",
             "cert-manager.io": "cert-manager", "ray.io": "KubeRay"}


def _family(group: str) -> str:
    return next((name for suffix, name in _FAMILIES.items() if group.endswith(suffix)), group)


@needs_shared
def test_every_shared_rule_compiles_or_is_skipped_with_a_reason(capsys: pytest.CaptureFixture[str]) -> None:
    counts: dict[str, Counter[str]] = {}
    problems: Counter[str] = Counter()
    for crd in _crd_documents(SHARED_CRDS):
        family = counts.setdefault(_family(crd["spec"]["group"]), Counter())
        for version in crd["spec"]["versions"]:
            for info in CelValidator.from_schema(version["schema"]["openAPIV3Schema"]).rules():
                family["rules"] += 1
                if info.problem:
                    assert info.problem.strip(), f"empty skip reason for {info.rule!r}"
                    problems[info.problem] += 1
                family["skipped" if info.problem else "compiled"] += 1
                family["transition"] += info.transition
    with capsys.disabled():
        print()
        for name, c in sorted(counts.items()):
            print(f"{name}: {c['rules']} rules, {c['compiled']} compiled, {c['skipped']} skipped "
                  f"(+ {c['transition']} transition rules, skipped on create)")
        for problem, count in problems.most_common():
            print(f"  skipped {count}x: {problem}")
    total = sum(c["rules"] for c in counts.values())
    assert counts["Istio"]["rules"] > 300 and counts["KServe"]["rules"] > 250
    assert sum(problems.values()) <= total // 50, "more than 2% of the shared rules cannot be evaluated"


# --- the corpus ---------------------------------------------------------------------

_EXPECT = re.compile(r"^#\s*expect(?P<skip>-skip)?:\s*(?P<pointer>\S*?):\s+(?P<text>.+?)\s*$")


def _corpus_files() -> list[Path]:
    return sorted((CORPUS / "valid").glob("*.yaml")) + sorted((CORPUS / "invalid").glob("*.yaml"))


def _expectations(path: Path) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    violations, skips = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        match = _EXPECT.match(line)
        if match:
            (skips if match["skip"] else violations).append((match["pointer"], match["text"]))
    return violations, skips


def _unmatched(expected: list[tuple[str, str]], found: list[tuple[str, str]]) -> tuple[list, list]:
    remaining = list(found)
    missing = []
    for pointer, text in expected:
        hit = next((f for f in remaining if f[0] == pointer and text in f[1]), None)
        if hit is None:
            missing.append((pointer, text))
        else:
            remaining.remove(hit)
    return missing, remaining


@pytest.mark.parametrize("path", _corpus_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_corpus_manifest(path: Path) -> None:
    expected_violations, expected_skips = _expectations(path)
    if path.parent.name == "invalid":
        assert expected_violations, f"{path.name}: an invalid manifest needs '# expect:' lines"
    else:
        assert not expected_violations, f"{path.name}: a valid manifest expects no violation"
    manifest = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    violations, skips = _validator(manifest["apiVersion"], manifest["kind"]).validate(manifest)
    missing, extra = _unmatched(expected_violations, [(v.pointer, v.message) for v in violations])
    assert not missing and not extra, f"violations missing: {missing}; unexpected: {extra}"
    missing, extra = _unmatched(expected_skips, [(s.pointer, s.reason) for s in skips])
    assert not missing and not extra, f"skips missing: {missing}; unexpected: {extra}"


def test_corpus_is_not_empty() -> None:
    names = {p.parent.name for p in _corpus_files()}
    assert names == {"valid", "invalid"}


# --- semantics on small inline schemas -----------------------------------------------

def _object_schema(rules: list[dict[str, Any]], **properties: Any) -> dict[str, Any]:
    return {"type": "object", "properties": {"spec": {
        "type": "object", "x-kubernetes-validations": rules, "properties": properties}}}


def _check(rule: str, spec: dict[str, Any], **properties: Any) -> tuple[list[CelViolation], list[CelSkip]]:
    schema = _object_schema([{"rule": rule}], **properties)
    return CelValidator.from_schema(schema).validate({"spec": spec})


def _passes(rule: str, spec: dict[str, Any] | None = None, **properties: Any) -> bool:
    violations, skips = _check(rule, spec or {}, **properties)
    assert not skips, skips
    return not violations


STRING = {"type": "string"}


@pytest.mark.parametrize("rule", [
    "'a,b,c'.split(',') == ['a', 'b', 'c']",
    "'a,b,c'.split(',', 2) == ['a', 'b,c']",
    "'héllo'.size() == 5 && 'héllo'.charAt(1) == 'é'",
    "'hello'.indexOf('l') == 2 && 'hello'.lastIndexOf('l') == 3 && 'hello'.indexOf('l', 3) == 3",
    "'unix:///tmp'.substring(7, 8) == '/' && 'abc'.substring(1) == 'bc'",
    "'  x\\t'.trim() == 'x' && 'MiXed'.lowerAscii() == 'mixed' && 'MiXed'.upperAscii() == 'MIXED'",
    "'aaa'.replace('a', 'b', 2) == 'bba' && ['a', 'b'].join('-') == 'a-b'",
    "strings.quote('a\"b') == '\"a\\\\\"b\"'",
    "[1, 2, 2].isSorted() && ![2, 1].isSorted() && [1, 2, 3].sum() == 6",
    "[3, 1, 2].min() == 1 && [3, 1, 2].max() == 3 && [1, 2, 1].indexOf(1) == 0 && [1, 2, 1].lastIndexOf(1) == 2",
    "'abc123def'.find('[0-9]+') == '123' && 'a1b2'.findAll('[0-9]') == ['1', '2']",
    "sets.contains([1, 2, 3], [2]) && sets.equivalent([1, 2], [2, 1]) && !sets.intersects([1], [2])",
    "1 < 1.5 && 2.0 == 2 && 3u > 2 && !(1 == 'a')",
    "duration('1h30m') == duration('90m') && duration('1.5s') > duration('1s') && duration('999us') < duration('1ms')",
    "duration('100\u00b5s') < duration('1ms') && duration('-1s') < duration('0')",
    "isURL('https://user@example.com:8443/p?q=1#f') && !isURL('example.com/p') && !isURL('https://a:b:c/')",
    "url('https://[::1]:80/a%20b?k=v&k=w').getHost() == '[::1]:80' && url('https://[::1]:80/').getHostname() == '::1'",
    "url('https://example.com:80/').getPort() == '80' && url('/path').getScheme() == ''",
    "url('https://example.com/a b').getEscapedPath() == '/a%20b'",
    "url('https://x/p?k=a&k=b').getQuery() == {'k': ['a', 'b']} && url('https://x/p').getQuery() == {}",
    "quantity('200M').compareTo(quantity('0.2G')) == 0 && quantity('50Mi').isGreaterThan(quantity('50M'))",
    "isQuantity('1.5Gi') && !isQuantity('200K') && quantity('50k').asInteger() == 50000 && !quantity('1m').isInteger()",
    "quantity('50k').add(20).sub(quantity('100k')).sub(-50000) == quantity('20') && quantity('-1').sign() == -1",
    "isIP('10.0.0.1') && !isIP('10.00.0.1') && !isIP('::ffff:1.2.3.4') && !isIP('fe80::1%eth0')",
    "ip('10.0.0.1').family() == 4 && ip('10.0.0.1').isGlobalUnicast() && ip('::1').isLoopback()",
    "ip.isCanonical('2001:db8::1') && !ip.isCanonical('2001:DB8::1')",
    "cidr('192.168.0.1/24').ip() == ip('192.168.0.1') && string(cidr('192.168.0.1/24').masked()) == '192.168.0.0/24'",
    "cidr('10.0.0.0/8').containsIP('10.1.2.3') && cidr('10.0.0.0/8').containsCIDR('10.1.0.0/16')",
    "!isCIDR('10.0.0.0/33') && !isCIDR('10.0.0.0') && isCIDR('2001:db8::/32')",
    "type(1) == int && type('a') == string && {'a': 1}.all(k, k == 'a')",
    "[1, 2, 3].exists_one(x, x == 2) && [1, 2, 3].filter(x, x > 1).size() == 2 && [1, 2].map(x, x * 2) == [2, 4]",
])
def test_kubernetes_cel_functions(rule: str) -> None:
    assert _passes(rule), rule


def test_int_or_string_reaches_cel_as_given() -> None:
    int_or_string = {"x-kubernetes-int-or-string": True}
    assert _passes("type(self.port) == int && self.port == 8080", {"port": 8080}, port=int_or_string)
    assert _passes("type(self.port) == string", {"port": "http"}, port=int_or_string)
    assert _passes("self.mem == '1Gi' || quantity(self.mem).isLessThan(quantity('2Gi'))",
                   {"mem": "1500Mi"}, mem=int_or_string)


def test_number_fields_are_doubles_and_compare_with_ints() -> None:
    assert _passes("type(self.ratio) == double && self.ratio < 1", {"ratio": 0}, ratio={"type": "number"})


def test_escaped_property_names_and_reserved_words() -> None:
    properties = {"x-y": STRING, "namespace": STRING, "a.b": STRING}
    assert _passes("self.x__dash__y == '1' && self.__namespace__ == 'n' && self.a__dot__b == '2'",
                   {"x-y": "1", "namespace": "n", "a.b": "2"}, **properties)


def test_rules_on_absent_or_null_values_do_not_run() -> None:
    schema = {"type": "object", "properties": {"spec": {"type": "object", "properties": {
        "name": {"type": "string", "nullable": True,
                 "x-kubernetes-validations": [{"rule": "self.size() > 100"}]}}}}}
    validator = CelValidator.from_schema(schema)
    assert validator.validate({"spec": {}}) == ([], [])
    assert validator.validate({"spec": {"name": None}}) == ([], [])
    violations, _ = validator.validate({"spec": {"name": "short"}})
    assert [v.pointer for v in violations] == ["/spec/name"]


def test_items_and_additional_properties_bind_self_to_each_value() -> None:
    schema = {"type": "object", "properties": {
        "ports": {"type": "array", "items": {"type": "integer",
                  "x-kubernetes-validations": [{"rule": "self > 0", "message": "port must be positive"}]}},
        "limits": {"type": "object", "additionalProperties": {
            "type": "string", "x-kubernetes-validations": [{"rule": "self != ''"}]}}}}
    violations, skips = CelValidator.from_schema(schema).validate(
        {"ports": [80, 0, -1], "limits": {"a/b": "", "ok": "x"}})
    assert skips == []
    assert [(v.pointer, v.message) for v in violations] == [
        ("/ports/1", "port must be positive"),
        ("/ports/2", "port must be positive"),
        ("/limits/a~1b", "failed rule: self != ''"),
    ]


def test_runtime_errors_reject_like_the_apiserver() -> None:
    violations, skips = _check("self.replicas > 0", {}, replicas={"type": "integer"})
    assert skips == []
    assert [v.message for v in violations] == ["no such key: replicas evaluating rule: self.replicas > 0"]


def test_message_expression_falls_back_to_message_when_it_fails_or_is_blank() -> None:
    rules = [
        {"rule": "false", "message": "static message", "messageExpression": "self.missing"},
        {"rule": "false", "message": "used when blank", "messageExpression": "'   '"},
        {"rule": "false", "messageExpression": "'n=' + string(self.n)"},
        {"rule": "false"},
    ]
    violations, _ = CelValidator.from_schema(_object_schema(rules, n={"type": "integer"})).validate(
        {"spec": {"n": 3}})
    assert [v.message for v in violations] == ["static message", "used when blank", "n=3", "failed rule: false"]


def test_transition_rules_are_skipped_and_optional_old_self_runs_as_create() -> None:
    rules = [{"rule": "self.a == oldSelf.a", "message": "immutable"},
             {"rule": "!oldSelf.hasValue() && self.a == 'new'", "optionalOldSelf": True, "message": "create"}]
    violations, skips = CelValidator.from_schema(_object_schema(rules, a=STRING)).validate({"spec": {"a": "old"}})
    assert skips == [CelSkip("/spec", "self.a == oldSelf.a", TRANSITION_SKIP_REASON)]
    assert [v.message for v in violations] == ["create"]


@pytest.mark.parametrize(("rule", "reason"), [
    ("self.name.isSemver()", "unsupported function isSemver"),
    ("math.greatest(1, 2) == 2", "unsupported function math.greatest"),
    ("self.?name.orValue('x') == 'x'", "unsupported syntax: optional field selection"),
    ("self.all(k, v, v != '')", "unsupported macro form all() with 3 arguments"),
    ("unknownVariable == 1", "undeclared reference to 'unknownVariable'"),
    ("self.name ==", "parse error"),
    ("'a' + " * 400 + "'a' == 'a'", "nest"),
])
def test_rules_we_cannot_evaluate_are_skipped_never_passed(rule: str, reason: str) -> None:
    violations, skips = _check(rule, {"name": "x"}, name=STRING)
    assert violations == []
    assert len(skips) == 1 and reason in skips[0].reason, skips


def test_evaluation_is_bounded_by_a_deterministic_step_budget() -> None:
    schema = _object_schema([{"rule": "self.items.all(a, self.items.all(b, self.items.all(c, a + b + c >= 0)))"}],
                            items={"type": "array", "items": {"type": "integer"}})
    validator = CelValidator.from_schema(schema, max_steps_per_rule=20_000)
    result = validator.validate({"spec": {"items": list(range(60))}})
    assert result[0] == [] and "exceeded 20000 steps" in result[1][0].reason
    assert validator.validate({"spec": {"items": list(range(60))}}) == result


def test_schema_defaults_are_applied_before_rules_run() -> None:
    schema = _object_schema([{"rule": "self.kind == 'Service' ? has(self.port) : true", "message": "port"}],
                            kind={"type": "string", "default": "Service"}, port={"type": "integer"})
    violations, _ = CelValidator.from_schema(schema).validate({"spec": {}})
    assert [v.message for v in violations] == ["port"]


def test_resource_root_exposes_only_name_and_generate_name_of_metadata() -> None:
    rule = "self.metadata.name.startsWith('iris') && !has(self.metadata.labels) && self.kind == 'K'"
    schema = {"type": "object", "properties": {"metadata": {"type": "object"}},
              "x-kubernetes-validations": [{"rule": rule}]}
    obj = {"apiVersion": "x/v1", "kind": "K", "metadata": {"name": "iris-1", "labels": {"a": "b"}}}
    assert CelValidator.from_schema(schema).validate(obj) == ([], [])


@pytest.mark.parametrize(("field_path", "segments"), [
    (".spec.minReplicas", ("spec", "minReplicas")),
    (".labels['app.kubernetes.io/name']", ("labels", "app.kubernetes.io/name")),
    ("", ()),
    (".list[0]", ()),
])
def test_field_path_parsing(field_path: str, segments: tuple[str, ...]) -> None:
    assert parse_field_path(field_path) == segments


def test_deeply_nested_schemaless_data_is_skipped_not_crashed() -> None:
    deep: dict[str, Any] = {}
    for _ in range(5000):
        deep = {"x": deep}
    schema = {"type": "object", "properties": {"spec": {
        "type": "object", "x-kubernetes-preserve-unknown-fields": True,
        "x-kubernetes-validations": [{"rule": "has(self.x)"}]}}}
    violations, skips = CelValidator.from_schema(schema).validate({"spec": deep})
    assert violations == [] and "nests too deeply" in skips[0].reason


def test_validation_is_deterministic() -> None:
    manifest = yaml.safe_load((CORPUS / "invalid" / "widget.yaml").read_text(encoding="utf-8"))
    validator = _validator(manifest["apiVersion"], manifest["kind"])
    first = validator.validate(manifest)
    assert all(validator.validate(manifest) == first for _ in range(3))
