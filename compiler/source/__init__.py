"""Stage 1, source: files on disk → documents that remember where every key came from.

Receives: the project root (services/, environments/, overlays/, overlays/<env>/patches/).
Returns: `ProjectSources` (load.py) of `Document`s (data + line:col of every key) and, per
service and environment, a resolved `Layer` (resolve.py: environment defaults ← service ← overlay).
Imports: only the shared leaves (errors, upstream). YAML reading and writing lives in yaml_io.py;
limits.py holds the input limits every YAML reader applies (validate's loader too).
"""
