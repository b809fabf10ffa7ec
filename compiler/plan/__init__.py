"""Stage 4, plan (lower): a checked spec and its environment → `ServicePlan`s, every decision made.

Receives: `ModelService`, `Environment`, the service's `Layer` (for origins) and its source file.
Returns: `ServicePlan`s (service.py; one per InferenceService: versions.py decides how many), each
holding its traffic (traffic.py), replica owner (scaling.py), access (access.py), ModelMesh
runtime (modelmesh.py, kserve_runtimes.py) decisions; the GPU budget over all plans (budget.py).
What each KServe and Kubernetes release spells and accepts is a table (kserve_versions.py,
kubernetes_versions.py) that plan, emit, rules and validate read.
Imports: spec, source, naming and the shared leaves. Rules call these decisions too, so a rule
and the emitted objects can never disagree about, say, who owns the replicas.
"""
