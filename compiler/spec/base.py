"""The base of every spec model and the value types several spec modules share (quantities,
environment variables, resources), in one module so that spec modules never import each other
in a circle: models.py imports scaling.py, modelmesh.py, traffic.py and delivery.py, and they
import only this."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, PlainValidator, WithJsonSchema
from pydantic.alias_generators import to_camel

from .quantity import QUANTITY_PATTERN, parse_quantity


class SpecModel(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        alias_generator=to_camel,
        populate_by_name=False,
        frozen=True,
        validate_default=True,
    )


# Same regex as KServe's webhook uses for InferenceService names (rule KS-03 reports it).
DNS_LABEL = r"^[a-z]([-a-z0-9]*[a-z0-9])?$"


def _quantity(value: object) -> str | int | float:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ValueError("expected a Kubernetes quantity such as 500m, 2Gi or 1")
    if isinstance(value, str) and parse_quantity(value) is None:
        raise ValueError(f"{value!r} is not a Kubernetes quantity (examples: 500m, 2Gi, 1)")
    return value


# One validator instead of a str|int|float union: a wrong value gives one clear error, not three.
Quantity = Annotated[
    str | int | float,
    PlainValidator(_quantity),
    WithJsonSchema({"anyOf": [{"type": "string", "pattern": QUANTITY_PATTERN}, {"type": "number"}]}),
]


# The Go integer types the rendered fields are decoded into (KServe's minReplicas is *int32,
# containerConcurrency *int64). A larger number passes nowhere: the API server, KServe's webhook or
# the controller refuses it (validate/formats.py has the sources), so the spec refuses it first, at
# the user's own line (check.py words it as the validator words the rendered field). Only the
# upper bound: a lower one here would replace a field's own `ge`, and rules report negatives.
GO_INTEGER_RANGES = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}
Int32 = Annotated[int, Field(le=GO_INTEGER_RANGES["int32"][1])]
Int64 = Annotated[int, Field(le=GO_INTEGER_RANGES["int64"][1])]


class SecretKeyRef(SpecModel):
    name: str = Field(description="Secret name.")
    key: str = Field(description="Key in the Secret.")
    optional: bool | None = None


class ConfigMapKeyRef(SpecModel):
    name: str
    key: str
    optional: bool | None = None


class EnvVarSource(SpecModel):
    secret_key_ref: SecretKeyRef | None = None
    config_map_key_ref: ConfigMapKeyRef | None = None


class EnvVar(SpecModel):
    name: str
    value: str | None = Field(None, description="A literal value. Never a credential: use valueFrom.secretKeyRef.")
    value_from: EnvVarSource | None = None


class Resources(SpecModel):
    requests: dict[str, Quantity] = Field(default_factory=dict)
    limits: dict[str, Quantity] = Field(default_factory=dict)
