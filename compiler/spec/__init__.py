"""Stage 2, spec: the typed input kinds (ModelService, Environment) and their JSON Schemas.

Receives: a resolved `Layer` (compiler.source).
Returns: a checked pydantic model or located diagnostics (check.py), JSON Schemas for editors
(schema.py), and value types shared by later stages (image references, quantities).
Imports: compiler.source and the shared leaves. A new workload kind starts here: its model.
"""
