"""Access decisions: identities, mTLS modes, and when a service gets policies at all."""

import pytest

from compiler.plan.access import namespace_mtls, plan_access, principal, split_service_account, workload_mtls
from compiler.spec.models import Environment, ModelService
from compiler.spec.traffic import Access
from tests.helpers import BASE_ENV, BASE_SERVICE, patched


def env(**spec) -> Environment:
    return Environment.model_validate(patched(BASE_ENV, {"spec": spec}))


def service(**spec) -> ModelService:
    return ModelService.model_validate(patched(BASE_SERVICE, {"spec": spec}))


@pytest.mark.parametrize("entry, parts", [("ml-batch/scorer", ("ml-batch", "scorer")), ("scorer", None), ("ml/a/b", None), ("ML/scorer", None), ("ml/", None)])
def test_service_accounts_are_namespace_slash_name(entry, parts):
    assert split_service_account(entry) == parts


def test_principal_is_istios_spiffe_path():
    assert principal("cluster.local", "ml-batch", "scorer") == "cluster.local/ns/ml-batch/sa/scorer"


def test_mtls_mode_of_the_namespace_and_of_a_workload():
    assert namespace_mtls(env(mesh={})) == "STRICT"
    assert namespace_mtls(env(mesh={"mtls": "PERMISSIVE"})) == "PERMISSIVE"
    assert namespace_mtls(env(mesh={}, namespace="knative-serving")) == "PERMISSIVE"
    assert workload_mtls(Access(mtls="PERMISSIVE"), env(mesh={})) == "PERMISSIVE"
    assert workload_mtls(Access(mtls="STRICT"), env(mesh={})) is None  # same as the namespace
    assert workload_mtls(Access(), env(mesh={})) is None


def test_policies_only_with_a_mesh_and_an_access_setting():
    assert plan_access(service(access={"allowNamespaces": ["a"]}), env()) is None
    assert plan_access(service(), env(mesh={})) is None
    assert plan_access(service(access={}), env(mesh={})) is not None


def test_named_callers_need_peer_identity_and_jwt_alone_does_not_in_standard_mode():
    jwt = {"issuer": "https://idp", "jwksUri": "https://idp/jwks"}
    assert plan_access(service(mode="standard", access={"allowNamespaces": ["a"]}), env(mesh={})).needs_peer_identity
    alone = plan_access(service(mode="standard", access={"jwt": jwt}), env(mesh={}))
    assert not alone.needs_peer_identity and alone.request_principals == ("https://idp/*",)
