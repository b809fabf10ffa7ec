"""Stage 8, validate: offline validation of Kubernetes manifests, as strict as the API server.

Receives: manifests as plain objects (`ValidationInput`) or files, and schema sources.
Returns: a `ValidationReport` (model.py) of located issues; stage.py adapts it to compile,
turning issues into diagnostics at the spec field that produced the object.
Imports: the shared leaves and source's YAML reader; stage.py also emit's `Manifest` and spec.

Schemas come from CRD files, kubeconform-style schema locations and the built-in kinds bundled by
kubernetes-validate (in that order); see `registry.py`. Results are data (`model.py`); `report.py`
formats them; the CLI decides exit codes.
"""

from .crdsource import SchemaSourceError
from .extensions import SchemaExtension
from .locations import PullReport, pull_schemas
from .model import Issue, ResourceResult, SkippedRule, ValidationInput, ValidationReport
from .registry import SchemaRegistry
from .runner import resource_kinds, validate_content, validate_objects, validate_paths

__all__ = [
    "Issue",
    "PullReport",
    "ResourceResult",
    "SchemaExtension",
    "SchemaRegistry",
    "SchemaSourceError",
    "SkippedRule",
    "ValidationInput",
    "ValidationReport",
    "pull_schemas",
    "resource_kinds",
    "validate_objects",
    "validate_paths",
]
