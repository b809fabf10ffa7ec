"""Stage 7, output: emitted manifests → the files of a rendered tree, on disk in one transaction.

Receives: `Manifest`s of an environment (compiler.emit) and the project's patch files.
Returns: patched manifests (patch.py), the file map of `rendered/<env>/` and `rendered/_gitops/`
(layout.py, write.py: kustomization.yaml, images.yaml, headers), the transactional write and the
`--check` comparison (write.py).
Imports: emit, rules' inputs (spec, source) and the shared leaves; never validate or the runner.
"""
