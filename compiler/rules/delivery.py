"""Delivery rules: settings of a service that only work with some GitOps tools."""

from __future__ import annotations

from collections.abc import Iterator

from .registry import Finding, RuleContext, rule


@rule("SMOKE-01", "the smoke test runs where Argo CD syncs the environment", severity="warning", source="Argo CD resource hooks (PostSync)")
def smoke_test_needs_argocd(ctx: RuleContext) -> Iterator[Finding]:
    """`smokeTest` renders a Job that Argo CD runs after each successful sync (a PostSync hook,
    deleted when it succeeds and before the next run). Flux and `kubectl apply` have no such hook:
    a Job applied with the rest would run once, and its immutable template would fail the next
    apply. In an environment without `gitops.tool: argocd` the Job is not rendered."""
    if not ctx.service.spec.smoke_test.enabled:
        return
    gitops = ctx.environment.spec.gitops
    if gitops is None or gitops.tool != "argocd":
        tool = gitops.tool if gitops else "no GitOps tool"
        yield Finding(("spec", "smokeTest", "enabled"), f"environment {ctx.env_name!r} syncs with {tool}: the smoke test Job is not rendered", f"set gitops.tool: argocd in environments/{ctx.env_name}.yaml, or disable smokeTest for this environment in an overlay")
