"""The image list: complete against the rendered manifests, mirrored, digest rules, reporters."""

from __future__ import annotations

import json
import re

import pytest

from compiler.emit.images import IMAGES_FILE, list_images, render_images
from tests.project import compile_env, environment, load_yaml, service, write_project

GITOPS = {"tool": "argocd", "repoURL": "https://github.com/acme/model-serving-gitops.git"}
MIRROR = "registry.internal/mirror"
DIGEST = "sha256:" + "d" * 64


def fleet(tmp_path, **env_spec):
    services = [
        service("iris", {"model": {"format": "sklearn", "storageUri": "gs://kfserving-examples/models/sklearn/1.0/model"}}, smokeTest={"enabled": True}),
        service("bert", {"model": {"format": "tensorflow", "storageUri": "pvc://models/bert", "runtimeVersion": "1.15.0-gpu"}}, mode="standard", hardware={"gpu": {"class": "t4"}}),
        service("custom", {"container": {"image": "ghcr.io/acme/server:2", "ports": [{"containerPort": 8080}]}}),
    ]
    return write_project(tmp_path, services, [environment("prod", gitops=GITOPS, **env_spec)])


def written_images(node, found=None) -> set[str]:
    """Every `image` value anywhere in a rendered object."""
    found = set() if found is None else found
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "image" and isinstance(value, str):
                found.add(value)
            written_images(value, found)
    elif isinstance(node, list):
        for item in node:
            written_images(item, found)
    return found


def test_every_image_of_every_rendered_manifest_is_listed(tmp_path):
    compiled = compile_env(fleet(tmp_path), "prod")
    assert compiled.result.ok, [d.format() for d in compiled.result.diagnostics]
    listed = {ref.image for ref in list_images(compiled.synced, compiled.environment)}
    in_manifests = set()
    for name, content in compiled.files.items():
        if name.endswith(".yaml") and name.rsplit("/", 1)[-1] not in ("kustomization.yaml", IMAGES_FILE):
            in_manifests |= written_images(load_yaml(content))
    assert in_manifests == {"ghcr.io/acme/server:2", "curlimages/curl:8.11.1"}
    from compiler.spec.image_ref import parse

    assert {str(parse(image)) for image in in_manifests} <= listed
    # ...and the images KServe's runtimes run, which no manifest names.
    assert "docker.io/kserve/sklearnserver:v0.16.0" in listed
    assert "docker.io/tensorflow/serving:1.15.0-gpu" in listed


def test_images_yaml_names_object_pointer_and_spec_file(tmp_path):
    compiled = compile_env(fleet(tmp_path), "prod")
    entries = load_yaml(compiled.files[IMAGES_FILE])["images"]
    custom = next(e for e in entries if e["service"] == "custom")
    assert custom == {
        "image": "ghcr.io/acme/server:2",
        "service": "custom",
        "object": "InferenceService ml-prod/custom",
        "pointer": "/spec/predictor/containers/0/image",
        "specField": "services/custom.yaml",
    }
    runtime = next(e for e in entries if e["service"] == "iris" and e["object"].startswith("InferenceService"))
    assert runtime["runtime"].startswith("kserve-sklearnserver (KServe v0.16.0 default")
    assert runtime["pointer"] == "/spec/predictor/model"


def test_mirror_rewrites_manifests_and_list(tmp_path):
    compiled = compile_env(fleet(tmp_path, images={"mirror": MIRROR}), "prod")
    isvc = load_yaml(compiled.files["ml-prod/inferenceservice-custom.yaml"])
    assert isvc["spec"]["predictor"]["containers"][0]["image"] == "registry.internal/mirror/ghcr.io/acme/server:2"
    job = load_yaml(compiled.files["ml-prod/job-iris-smoke-test.yaml"])
    assert job["spec"]["template"]["spec"]["containers"][0]["image"] == "registry.internal/mirror/docker.io/curlimages/curl:8.11.1"
    images = list_images(compiled.synced, compiled.environment)
    assert all(ref.image.startswith(MIRROR + "/") for ref in images)
    assert {ref.source for ref in images} == {
        "ghcr.io/acme/server:2",
        "docker.io/curlimages/curl:8.11.1",
        "docker.io/kserve/sklearnserver:v0.16.0",
        "docker.io/tensorflow/serving:1.15.0-gpu",
    }


def test_require_digests_names_the_image_and_the_spec_field(tmp_path):
    result = compile_env(fleet(tmp_path, images={"requireDigests": True}), "prod").result
    errors = [d for d in result.diagnostics if d.rule == "IMG-01"]
    assert not result.ok
    custom = next(d for d in errors if "ghcr.io/acme/server:2" in d.message)
    assert custom.is_error
    assert custom.location.path.endswith("services/custom.yaml") and custom.location.line > 0
    assert custom.key_path == ("spec", "predictor", "container", "image")
    runtime = next(d for d in errors if "kserve/sklearnserver:v0.16.0" in d.message)
    assert "spec.images.runtimes" in runtime.hint
    bert = next(d for d in errors if "tensorflow/serving:1.15.0-gpu" in d.message)
    assert bert.key_path == ("spec", "predictor", "model", "runtimeVersion")


def test_require_digests_passes_when_everything_is_pinned(tmp_path):
    pinned = {
        "requireDigests": True,
        "runtimes": {"kserve-sklearnserver": f"kserve/sklearnserver@{DIGEST}"},
    }
    services = [
        service("iris", {"model": {"format": "sklearn", "storageUri": "gs://bucket/iris"}}, smokeTest={"enabled": True, "image": f"curlimages/curl@{DIGEST}"}),
        service("custom", {"container": {"image": f"ghcr.io/acme/server@{DIGEST}"}}),
    ]
    root = write_project(tmp_path, services, [environment("prod", gitops=GITOPS, images=pinned)])
    compiled = compile_env(root, "prod")
    assert not [d for d in compiled.result.diagnostics if d.rule == "IMG-01"]
    assert all(ref.pinned for ref in list_images(compiled.synced, compiled.environment))


def test_text_output_is_sorted_and_unique(tmp_path):
    compiled = compile_env(fleet(tmp_path), "prod")
    lines = render_images(list_images(compiled.synced, compiled.environment), "text").splitlines()
    assert lines == sorted(set(lines))
    assert "docker.io/kserve/sklearnserver:v0.16.0" in lines


def test_json_output_carries_the_spec_position(tmp_path):
    compiled = compile_env(fleet(tmp_path), "prod")
    data = json.loads(render_images(list_images(compiled.synced, compiled.environment), "json"))
    custom = next(entry for entry in data["images"] if entry["service"] == "custom")
    assert re.search(r"services/custom\.yaml:\d+:\d+$", custom["specField"])


def test_skopeo_sync_output_groups_registry_repository_and_versions(tmp_path):
    compiled = compile_env(fleet(tmp_path, images={"mirror": MIRROR}), "prod")
    sync = load_yaml(render_images(list_images(compiled.synced, compiled.environment), "skopeo").encode())
    assert sync == {
        "docker.io": {"images": {"curlimages/curl": ["8.11.1"], "kserve/sklearnserver": ["v0.16.0"], "tensorflow/serving": ["1.15.0-gpu"]}},
        "ghcr.io": {"images": {"acme/server": ["2"]}},
    }


def test_skopeo_sync_lists_digests_and_skips_mirror_only_images(tmp_path):
    services = [
        service("a", {"container": {"image": f"ghcr.io/acme/a:1@{DIGEST}"}}),
        service("b", {"container": {"image": "registry.internal/mirror/team/b:1"}}),
    ]
    root = write_project(tmp_path, services, [environment("prod", images={"mirror": MIRROR})])
    compiled = compile_env(root, "prod")
    sync = load_yaml(render_images(list_images(compiled.synced, compiled.environment), "skopeo").encode())
    assert sync == {"ghcr.io": {"images": {"acme/a": [DIGEST]}}}


def test_unknown_format_is_an_error():
    with pytest.raises(ValueError):
        render_images([], "csv")


@pytest.mark.parametrize(
    "path, relative",
    [
        ("/home/me/fleet/services/iris.yaml", "services/iris.yaml"),
        ("overlays/staging/iris.yaml", "overlays/staging/iris.yaml"),
        ("/srv/services/fleet/overlays/services/iris.yaml", "overlays/services/iris.yaml"),
        ("/srv/fleet/overlays/prod/patches/isvc.yaml", "overlays/prod/patches/isvc.yaml"),
        ("environments/prod.yaml", "environments/prod.yaml"),
    ],
)
def test_spec_files_are_named_relative_to_the_project(path, relative):
    from compiler.emit.images import project_file

    assert project_file(path) == relative


# ---------------------------------------------------------------- images KServe fills in


def _implied(tmp_path, spec_lines: str, **env_spec) -> dict[str, tuple[str, str]]:
    from tests.workload_project import compile_text

    result = compile_text(tmp_path, spec_lines, **env_spec)
    assert result.ok, [d.format() for d in result.diagnostics]
    return {ref.pointer: (ref.image, ref.runtime) for ref in list_images(result.manifests, result.environment) if ref.runtime and "ClusterServingRuntime" not in ref.runtime}


ART = "  mode: knative\n  predictor:\n    model: {format: sklearn, storageUri: gs://b/m}\n  explainer:\n    art: {type: SquareAttack}\n"
LLM = "  mode: llm\n  llm:\n    model: {uri: hf://Qwen/Qwen2.5-0.5B-Instruct}\n    gpu: {class: t4}\n"


def test_art_explainer_image_is_kserves_of_the_release(tmp_path):
    assert _implied(tmp_path, ART, validation={}) == {
        "/spec/explainer/art": ("docker.io/kserve/art-explainer:v0.16.0", "KServe v0.16.0 inferenceservice-config explainers.art"),
    }


def test_llm_images_are_the_llm_configs_and_follow_the_mirror(tmp_path):
    assert _implied(tmp_path, LLM, validation={}, images={"mirror": "registry.internal/mirror"}) == {
        "/spec/template": ("registry.internal/mirror/ghcr.io/llm-d/llm-d:0.0.8", "KServe v0.16.0 LLMInferenceServiceConfig kserve-config-llm-template (vLLM)"),
        "/spec/router/scheduler": ("registry.internal/mirror/ghcr.io/llm-d/llm-d-inference-scheduler:v0.2.0", "KServe v0.16.0 LLMInferenceServiceConfig kserve-config-llm-scheduler"),
    }


def test_an_llm_with_its_own_image_and_no_scheduler_implies_none(tmp_path):
    spec = LLM + "    image: ghcr.io/acme/vllm:0.9.1\n    router: {scheduler: false}\n"
    assert _implied(tmp_path, spec, validation={}) == {}


def test_the_environment_overrides_an_implied_image_by_its_name(tmp_path):
    pinned = "docker.io/kserve/art-explainer@sha256:" + "a" * 64
    assert _implied(tmp_path, ART, validation={}, images={"runtimes": {"art-explainer": pinned}}) == {
        "/spec/explainer/art": (pinned, "environment spec.images.runtimes art-explainer"),
    }
