"""Stage 7, output: emitted manifests → the files of a rendered tree, on disk in one transaction.

Receives: `Manifest`s of an environment (compiler.emit) and the project's patch files.
Returns: patched manifests (patch.py), the file map of `rendered/<env>/` and `rendered/_gitops/`
(layout.py, write.py: kustomization.yaml, images.yaml, headers), the `--check` comparison
(write.py), and the write itself: one transaction over all of rendered/ (transaction.py; its
filesystem steps in staging.py, the paths it refuses in safety.py, its fault hook in faults.py).
Imports: emit, rules' inputs (spec, source) and the shared leaves; never validate or the runner.
"""

# The folder of the GitOps objects, here so that `validate` can name it without importing the
# emit stage (layout.py's imports cost 0.15 s of a `validate` run).
GITOPS_DIR = "_gitops"
