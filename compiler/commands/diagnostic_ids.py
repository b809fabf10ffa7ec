"""What every diagnostic ID that is not a rule means: the loading, checking, patching, output,
validation and diff errors compile, validate, diff and promote print. Rules document themselves
(their docstrings); these are the stages' own IDs. A test collects every ID the code can print
and fails when one is missing here, so `inferplane explain ID` always has an answer."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DiagnosticId:
    id: str
    stage: str
    summary: str
    doc: str


def _ids(*entries: tuple[str, str, str, str]) -> dict[str, DiagnosticId]:
    return {entry[0]: DiagnosticId(*entry) for entry in entries}


DIAGNOSTIC_IDS = _ids(
    # source: reading files (compiler/source/)
    ("YAML-SYNTAX", "source", "the file is not valid YAML", "The YAML parser stopped at the line and column shown. Fix the syntax there; an editor with the yaml-language-server modeline shows the same error as you type."),
    ("YAML-DUPLICATE-KEY", "source", "a mapping names one key twice", "YAML readers disagree on which value wins (kubectl and the API server refuse the object), so the second key is an error. Keep one."),
    ("YAML-SIZE", "source", "the file is larger than the input limit", "Specs are refused above 256 KiB and manifests above 4 MiB (INFERPLANE_MAX_SPEC_BYTES, INFERPLANE_MAX_MANIFEST_BYTES): no real spec is that large, and reading a hostile one would take minutes. Only one byte more than the limit is read."),
    ("YAML-DEPTH", "source", "the document nests deeper than the input limit", "Mappings and sequences nested more than 100 levels (INFERPLANE_MAX_DEPTH), counting what aliases expand to, are refused before anything recurses into them. The deepest real file (cert-manager's Issuer CRD) nests 39 levels."),
    ("YAML-ALIAS", "source", "aliases expand far beyond the document (a billion-laughs bomb)", "The same rule go-yaml v3 applies (kubectl, Argo CD and Flux read YAML with it): aliases may not expand to many times the document's own size, and an alias may not sit inside its own anchor. Write the values out, or use fewer aliases."),
    ("YAML-TAG", "source", "a tag other than YAML's standard ones", "`!!python/object…` and custom `!tags` are refused: a spec is data, and Kubernetes tools would read the tag differently. Remove the tag; write the value as a plain scalar, list or mapping."),
    ("YAML-ENCODING", "source", "the file is not UTF-8 text", "Specs and manifests are UTF-8 (as kubectl and the API server read them). The first byte that is not is located; save the file as UTF-8 without control characters."),
    ("IO-READ", "source", "an input path cannot be read as a file", "A folder, a dangling symbolic link, a FIFO or an unreadable file named like a spec: it is not skipped (the service would silently vanish from rendered/), it is an error at its path."),
    ("IO", "cli", "the operating system refused a file operation", "A read or write failed (permission, missing folder). The line names the path; fix its permissions or the path."),
    ("FILE-EMPTY", "source", "a spec, environment, overlay or patch file holds no document", "An empty, comment-only, `---`-only or `null` file is an error, not a deletion: deleting the file is how a service or overlay is removed, and the diff then shows it. A truncated file must never prune a live model."),
    ("SPEC-KIND", "source", "the document is not the kind its folder holds", "services/ holds `kind: ModelService`, environments/ holds `kind: Environment`."),
    ("SPEC-MISSING", "spec", "a required key is missing", "The key named is required by the spec's type (see schemas/). Add it."),
    ("SPEC-TYPE", "spec", "a value has the wrong type or is out of range", "The value does not fit the field's type (schemas/ has each field's type). Integer fields are bounded like the Go type Kubernetes stores them in (int32, int64)."),
    ("SPEC-VALUE", "spec", "a value is not one of the allowed ones", "The field takes one of a fixed set of values; the hint names the closest."),
    ("SPEC-UNKNOWN-KEY", "spec", "a key the spec does not have", "Unknown keys are errors, not ignored, so a misspelling never silently drops a setting. The hint names the closest key."),
    ("SPEC-NAME", "spec", "a name is not a DNS label or subdomain", "Names become Kubernetes object names, namespaces, hosts and file paths: they are checked before anything is written (RFC 1123: lower-case letters, digits and '-', at most 63 characters for a label)."),
    ("SPEC-DUPLICATE", "source", "two files define the same name", "Each service and environment has one file; give each a unique metadata.name."),
    ("ENV-NAME", "source", "an environment's name and file disagree, or the name is not a DNS label", "environments/<name>.yaml holds `metadata.name: <name>`; the name is the folder rendered/<name>/, so it must be a DNS label."),
    ("SERVICE-ENV", "source", "spec.environments names an environment the project does not have", "The list limits a service to some environments; each name must be an environments/<name>.yaml."),
    ("COMPANION-SHAPE", "source", "a file in resources/ holds something that is not a Kubernetes object", "Companion objects (resources/<env>/, resources/_services/<service>/) are plain manifests rendered beside the models: each document is a mapping with apiVersion, kind and metadata.name. The file is refused as a whole."),
    ("COMPANION-UNKNOWN", "source", "a resources/ folder for an environment or service the project does not have", "resources/<env>/ holds one environment's objects and resources/_services/<service>/ one service's: rename the folder after an existing environment or service, or remove it."),
    ("OVERLAY-ENV", "source", "an overlays/<env>/ folder for an environment the project does not have", "Rename the folder after an environment or remove it."),
    ("OVERLAY-SERVICE", "source", "an overlay for a service the project does not have", "overlays/<env>/<service>.yaml is named after its service file; rename or remove it."),
    ("OVERLAY-DOCS", "source", "an overlay holds more than one document", "An overlay is one partial service document; merge the documents."),
    ("OVERLAY-SHAPE", "source", "an overlay is not a mapping", "Write a partial service document, e.g. `spec: {scaling: {minReplicas: 0}}`."),
    # patch and output (compiler/output/)
    ("PATCH-SHAPE", "output", "a patch file is not a JSON Patch with a target or a merge patch", "See README \"Environments and overlays\" for both forms."),
    ("PATCH-TARGET", "output", "a patch's target matches no rendered object", "A patch that changes nothing is a mistake (a renamed service, a typo in the target); fix the target's kind, name or namespace."),
    ("PATCH-APPLY", "output", "a patch operation does not apply", "The JSON Patch operation's path does not exist (or a test failed); the object is left unpatched and the operation's line is named."),
    ("OUT-DUPLICATE", "output", "two services render the same object", "Two objects may not share a kind, namespace and name; rename one of the services."),
    ("OUT-PATH", "output", "an output path would leave rendered/<env>/", "Defence in depth: a path with `..`, an absolute path or a symbolic link out of the rendered tree is refused and nothing is written."),
    ("OUT-WRITE", "output", "the rendered tree could not be written", "A full disk, a read-only or vanished folder: nothing of the new tree becomes visible, the old tree stays as it was. Fix the disk and compile again."),
    ("OUT-RECOVER", "output", "an interrupted compile was cleaned up", "A previous compile was killed mid-write; its staging folder was removed. rendered/ holds a complete tree (the old one or the new one, never a mix)."),
    ("GITOPS-SHARED-OBJECT", "emit", "two environments render one object into one cluster", "Environments whose gitops.destination names the same cluster (server or name) must not render the same object (group, kind, namespace, name): both Applications or Kustomizations would own it, each sync reverting the other and a prune deleting it for both. Rename it in one, render it from one environment only, or point one at another cluster. Environments without a destination are not compared (each tool's own cluster is unknown)."),
    ("GITOPS-APPSET", "emit", "environments sharing an ApplicationSet disagree on sync settings", "One ApplicationSet has one syncPolicy: give the environments the same prune, selfHeal and syncOptions, or set applicationSet: false for one."),
    # validate (compiler/validate/)
    ("VAL-SCHEMA", "validate", "a rendered object does not match its schema", "The API server would reject the object or silently prune the field (strict field validation). The line names the spec field (or patch) that produced it."),
    ("VAL-CEL", "validate", "a rendered object breaks a CRD's x-kubernetes-validations rule", "The CRD's own CEL rule, evaluated offline as the API server would; the message is the rule's."),
    ("VAL-NO-SCHEMA", "validate", "a kind has no schema, so it is not validated", "Name the kind's CRD in the environment's validation.crds (or kserveCrds), pass --crd PATH, or fill the cache with `inferplane schemas pull`. With --strict it is an error."),
    ("VAL-SOURCE", "validate", "a schema source of the environment does not exist", "A CRD path in validation.crds is missing: kinds it would define are not validated. Fix the path."),
    # diff (compiler/diff/)
    ("DIFF-NO-TREE", "diff", "the path given to diff is not a rendered tree", "Pass the rendered/ folder or one environment's folder; `inferplane compile` creates it."),
    ("DIFF-NOT-A-RESOURCE", "diff", "a rendered file holds no Kubernetes object", "A document without kind or metadata.name is left out of the diff."),
    ("DIFF-DUPLICATE-RESOURCE", "diff", "one object is defined twice in a rendered tree", "Keep one definition per group/kind/namespace/name; re-run `inferplane compile`."),
    # commands
    ("PROMOTE", "promote", "the files make the promotion impossible", "promote edits a version's weight: the service needs versions, and the weight must leave the others a share that adds up to 100."),
)
