"""emit/kserve.py, whole: the InferenceService of a model predictor with every field, of a custom
container, of a KServe release before predictor.model and scaleMetric, of a Knative canary and an
internal service, and the spec key each of its fields points an error at."""

from __future__ import annotations

from compiler.emit import kserve
from compiler.plan.versions import lower_service_plans
from compiler.source.resolve import expand_versions
from compiler.spec.models import Environment, ModelService
from tests.findings.exact import SERVICE_FILE, _located
from tests.helpers import BASE_ENV, BASE_SERVICE, patched

TOKEN = {"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "t", "key": "token"}}}
MODEL = {"format": "sklearn", "storageUri": "gs://bucket/model", "runtime": "kserve-sklearnserver", "runtimeVersion": "1.5", "protocolVersion": "v2", "args": ["--workers=2"], "env": [TOKEN]}
RICH = {
    "mode": "standard",
    "predictor": {"model": MODEL, "resources": {"limits": {"cpu": "1", "memory": "1Gi"}}, "credentials": {"serviceAccountName": "puller", "imagePullSecrets": ["regcred"]},
                  "timeoutSeconds": 60, "labels": {"team": "ml"}, "annotations": {"note": "x"}, "security": {"runAsUser": 1000}},
    "scaling": {"minReplicas": 2, "maxReplicas": 4, "metric": "cpu", "target": 70},
    "hardware": {"gpu": {"class": "t4"}},
}
CONTAINER = {"image": "ghcr.io/acme/server:1", "command": ["serve"], "args": ["--port=8080"], "env": [TOKEN], "storageUri": "gs://bucket/model", "ports": [{"containerPort": 8080, "name": "http1", "protocol": "TCP"}]}
CUSTOM = {"predictor": {"model": None, "container": CONTAINER}, "scaling": {"minReplicas": 1, "maxReplicas": 3, "containerConcurrency": 8, "metric": "concurrency", "target": 5}}
LEGACY = {"predictor": {"model": {"format": "sklearn", "storageUri": "gs://bucket/model", "args": ["--workers=2"], "env": [TOKEN]}, "labels": {"team": "ml"}, "annotations": {"note": "x"}},
          "scaling": {"minReplicas": 1, "maxReplicas": 3, "metric": "concurrency", "target": 5}}
LEGACY_HPA = {"mode": "standard", "scaling": {"minReplicas": 1, "maxReplicas": 3, "metric": "cpu", "target": 70}}
CANARY = {"exposure": {"internal": True}, "versions": [{"name": "v1"}, {"name": "v2", "weight": 10, "predictor": {"model": {"storageUri": "gs://bucket/v2"}}}]}
STANDARD_CANARY = {"mode": "standard", "versions": [{"name": "v1"}, {"name": "v2", "weight": 10, "predictor": {"model": {"storageUri": "gs://bucket/v2"}}}]}
GPU_ENV = {"spec": {"gpuClasses": {"t4": {"nodeSelector": {"accelerator": "t4"}, "runtimeClassName": "nvidia", "tolerations": [{"key": "gpu", "operator": "Exists"}]}}}}


def emitted(spec: dict, env_patch: dict | None = None) -> list:
    layer = expand_versions(_located(patched(BASE_SERVICE, {"spec": spec}), SERVICE_FILE))
    env = Environment.model_validate(patched(BASE_ENV, env_patch or {}))
    plans = lower_service_plans(ModelService.model_validate(layer.data), env, layer, SERVICE_FILE)
    return [manifest for plan in plans for manifest in kserve.emit(plan, env)]

RICH_BODY = {'apiVersion': 'serving.kserve.io/v1beta1',
 'kind': 'InferenceService',
 'metadata': {'name': 'iris',
              'namespace': 'ml-prod',
              'labels': {'app.kubernetes.io/name': 'iris', 'app.kubernetes.io/part-of': 'iris', 'app.kubernetes.io/managed-by': 'inferplane'},
              'annotations': {'serving.kserve.io/deploymentMode': 'Standard', 'serving.kserve.io/autoscalerClass': 'hpa', 'inferplane.dev/gpu-class': 't4'}},
 'spec': {'predictor': {'minReplicas': 2,
                        'maxReplicas': 4,
                        'scaleMetric': 'cpu',
                        'scaleTarget': 70,
                        'timeout': 60,
                        'serviceAccountName': 'puller',
                        'imagePullSecrets': [{'name': 'regcred'}],
                        'labels': {'team': 'ml', 'app.kubernetes.io/name': 'iris'},
                        'annotations': {'note': 'x'},
                        'nodeSelector': {'accelerator': 't4'},
                        'tolerations': [{'key': 'gpu', 'operator': 'Exists'}],
                        'runtimeClassName': 'nvidia',
                        'topologySpreadConstraints': [{'maxSkew': 1,
                                                       'topologyKey': 'topology.kubernetes.io/zone',
                                                       'whenUnsatisfiable': 'ScheduleAnyway',
                                                       'labelSelector': {'matchLabels': {'serving.kserve.io/inferenceservice': 'iris',
                                                                                         'component': 'predictor'}}},
                                                      {'maxSkew': 1,
                                                       'topologyKey': 'kubernetes.io/hostname',
                                                       'whenUnsatisfiable': 'ScheduleAnyway',
                                                       'labelSelector': {'matchLabels': {'serving.kserve.io/inferenceservice': 'iris',
                                                                                         'component': 'predictor'}}}],
                        'model': {'modelFormat': {'name': 'sklearn'},
                                  'runtime': 'kserve-sklearnserver',
                                  'storageUri': 'gs://bucket/model',
                                  'runtimeVersion': '1.5',
                                  'protocolVersion': 'v2',
                                  'args': ['--workers=2'],
                                  'env': [{'name': 'TOKEN', 'valueFrom': {'secretKeyRef': {'name': 't', 'key': 'token'}}}],
                                  'resources': {'limits': {'cpu': '1', 'memory': '1Gi', 'nvidia.com/gpu': 1}},
                                  'securityContext': {'allowPrivilegeEscalation': False,
                                                      'capabilities': {'drop': ['ALL']},
                                                      'runAsNonRoot': True,
                                                      'seccompProfile': {'type': 'RuntimeDefault'},
                                                      'readOnlyRootFilesystem': True,
                                                      'runAsUser': 1000}}}}}
RICH_ORIGINS = {'': 'services/iris.yaml:1:1',
 '/metadata': 'services/iris.yaml:3:1',
 '/spec/predictor': 'services/iris.yaml:10:3',
 '/spec/predictor/model': 'services/iris.yaml:19:5',
 '/spec/predictor/model/resources': 'services/iris.yaml:33:5',
 '/spec/predictor/minReplicas': 'services/iris.yaml:43:5',
 '/spec/predictor/maxReplicas': 'services/iris.yaml:41:5',
 '/spec/predictor/containerConcurrency': 'services/iris.yaml:40:3',
 '/spec/predictor/scaleMetric': 'services/iris.yaml:42:5',
 '/spec/predictor/scaleTarget': 'services/iris.yaml:44:5',
 '/spec/predictor/autoScaling': 'services/iris.yaml:40:3',
 '/spec/predictor/timeout': 'services/iris.yaml:39:5',
 '/spec/predictor/nodeSelector': 'services/iris.yaml:7:5',
 '/spec/predictor/tolerations': 'services/iris.yaml:7:5',
 '/spec/predictor/runtimeClassName': 'services/iris.yaml:7:5',
 '/spec/predictor/topologySpreadConstraints': 'services/iris.yaml:43:5',
 '/spec/predictor/model/securityContext': 'services/iris.yaml:37:5',
 '/spec/predictor/volumes': 'services/iris.yaml:10:3',
 '/spec/predictor/model/volumeMounts': 'services/iris.yaml:10:3',
 '/spec/predictor/securityContext': 'services/iris.yaml:10:3',
 '/spec/predictor/affinity': 'services/iris.yaml:10:3',
 '/spec/predictor/priorityClassName': 'services/iris.yaml:10:3',
 '/spec/predictor/model/readinessProbe': 'services/iris.yaml:10:3',
 '/spec/predictor/model/livenessProbe': 'services/iris.yaml:10:3',
 '/spec/predictor/model/startupProbe': 'services/iris.yaml:10:3',
 '/spec/predictor/model/storageUri': 'services/iris.yaml:32:7',
 '/spec/predictor/model/runtime': 'services/iris.yaml:30:7',
 '/spec/predictor/model/runtimeVersion': 'services/iris.yaml:31:7',
 '/spec/predictor/model/protocolVersion': 'services/iris.yaml:29:7',
 '/spec/predictor/model/args': 'services/iris.yaml:20:7',
 '/spec/predictor/model/env': 'services/iris.yaml:22:7',
 '/spec/predictor/model/image': 'services/iris.yaml:19:5',
 '/spec/predictor/model/command': 'services/iris.yaml:19:5',
 '/spec/predictor/model/ports': 'services/iris.yaml:19:5'}

CUSTOM_BODY = {'apiVersion': 'serving.kserve.io/v1beta1',
 'kind': 'InferenceService',
 'metadata': {'name': 'iris',
              'namespace': 'ml-prod',
              'labels': {'app.kubernetes.io/name': 'iris', 'app.kubernetes.io/part-of': 'iris', 'app.kubernetes.io/managed-by': 'inferplane'},
              'annotations': {'serving.kserve.io/deploymentMode': 'Knative'}},
 'spec': {'predictor': {'minReplicas': 1,
                        'maxReplicas': 3,
                        'containerConcurrency': 8,
                        'scaleMetric': 'concurrency',
                        'scaleTarget': 5,
                        'labels': {'app.kubernetes.io/name': 'iris'},
                        'containers': [{'name': 'kserve-container',
                                        'image': 'ghcr.io/acme/server:1',
                                        'command': ['serve'],
                                        'args': ['--port=8080'],
                                        'env': [{'name': 'TOKEN', 'valueFrom': {'secretKeyRef': {'name': 't', 'key': 'token'}}},
                                                {'name': 'STORAGE_URI', 'value': 'gs://bucket/model'}],
                                        'ports': [{'containerPort': 8080, 'name': 'http1', 'protocol': 'TCP'}],
                                        'securityContext': {'allowPrivilegeEscalation': False,
                                                            'capabilities': {'drop': ['ALL']},
                                                            'runAsNonRoot': True,
                                                            'seccompProfile': {'type': 'RuntimeDefault'}}}]}}}
CUSTOM_ORIGINS = {'': 'services/iris.yaml:1:1',
 '/metadata': 'services/iris.yaml:3:1',
 '/spec/predictor': 'services/iris.yaml:7:3',
 '/spec/predictor/containers/0': 'services/iris.yaml:8:5',
 '/spec/predictor/containers/0/resources': 'services/iris.yaml:7:3',
 '/spec/predictor/minReplicas': 'services/iris.yaml:29:5',
 '/spec/predictor/maxReplicas': 'services/iris.yaml:27:5',
 '/spec/predictor/containerConcurrency': 'services/iris.yaml:26:5',
 '/spec/predictor/scaleMetric': 'services/iris.yaml:28:5',
 '/spec/predictor/scaleTarget': 'services/iris.yaml:30:5',
 '/spec/predictor/autoScaling': 'services/iris.yaml:25:3',
 '/spec/predictor/timeout': 'services/iris.yaml:7:3',
 '/spec/predictor/nodeSelector': 'services/iris.yaml:5:1',
 '/spec/predictor/tolerations': 'services/iris.yaml:5:1',
 '/spec/predictor/runtimeClassName': 'services/iris.yaml:5:1',
 '/spec/predictor/topologySpreadConstraints': 'services/iris.yaml:29:5',
 '/spec/predictor/containers/0/securityContext': 'services/iris.yaml:7:3',
 '/spec/predictor/volumes': 'services/iris.yaml:7:3',
 '/spec/predictor/containers/0/volumeMounts': 'services/iris.yaml:7:3',
 '/spec/predictor/securityContext': 'services/iris.yaml:7:3',
 '/spec/predictor/affinity': 'services/iris.yaml:7:3',
 '/spec/predictor/priorityClassName': 'services/iris.yaml:7:3',
 '/spec/predictor/containers/0/readinessProbe': 'services/iris.yaml:7:3',
 '/spec/predictor/containers/0/livenessProbe': 'services/iris.yaml:7:3',
 '/spec/predictor/containers/0/startupProbe': 'services/iris.yaml:7:3',
 '/spec/predictor/containers/0/storageUri': 'services/iris.yaml:24:7',
 '/spec/predictor/containers/0/runtime': 'services/iris.yaml:8:5',
 '/spec/predictor/containers/0/runtimeVersion': 'services/iris.yaml:8:5',
 '/spec/predictor/containers/0/protocolVersion': 'services/iris.yaml:8:5',
 '/spec/predictor/containers/0/args': 'services/iris.yaml:9:7',
 '/spec/predictor/containers/0/env': 'services/iris.yaml:13:7',
 '/spec/predictor/containers/0/image': 'services/iris.yaml:19:7',
 '/spec/predictor/containers/0/command': 'services/iris.yaml:11:7',
 '/spec/predictor/containers/0/ports': 'services/iris.yaml:20:7'}

LEGACY_BODY = {'apiVersion': 'serving.kserve.io/v1beta1',
 'kind': 'InferenceService',
 'metadata': {'name': 'iris',
              'namespace': 'ml-prod',
              'labels': {'app.kubernetes.io/name': 'iris', 'app.kubernetes.io/part-of': 'iris', 'app.kubernetes.io/managed-by': 'inferplane', 'team': 'ml'},
              'annotations': {'serving.kserve.io/deploymentMode': 'Serverless',
                              'note': 'x',
                              'autoscaling.knative.dev/metric': 'concurrency',
                              'autoscaling.knative.dev/target': '5'}},
 'spec': {'predictor': {'minReplicas': 1,
                        'maxReplicas': 3,
                        'sklearn': {'storageUri': 'gs://bucket/model',
                                    'args': ['--workers=2'],
                                    'env': [{'name': 'TOKEN', 'valueFrom': {'secretKeyRef': {'name': 't', 'key': 'token'}}}],
                                    'securityContext': {'allowPrivilegeEscalation': False,
                                                        'capabilities': {'drop': ['ALL']},
                                                        'runAsNonRoot': True,
                                                        'seccompProfile': {'type': 'RuntimeDefault'},
                                                        'readOnlyRootFilesystem': True}}}}}
LEGACY_ORIGINS = {'': 'services/iris.yaml:1:1',
 '/metadata': 'services/iris.yaml:3:1',
 '/spec/predictor': 'services/iris.yaml:7:3',
 '/spec/predictor/model': 'services/iris.yaml:12:5',
 '/spec/predictor/model/resources': 'services/iris.yaml:7:3',
 '/spec/predictor/minReplicas': 'services/iris.yaml:26:5',
 '/spec/predictor/maxReplicas': 'services/iris.yaml:24:5',
 '/spec/predictor/containerConcurrency': 'services/iris.yaml:23:3',
 '/spec/predictor/scaleMetric': 'services/iris.yaml:25:5',
 '/spec/predictor/scaleTarget': 'services/iris.yaml:27:5',
 '/spec/predictor/autoScaling': 'services/iris.yaml:23:3',
 '/spec/predictor/timeout': 'services/iris.yaml:7:3',
 '/spec/predictor/nodeSelector': 'services/iris.yaml:5:1',
 '/spec/predictor/tolerations': 'services/iris.yaml:5:1',
 '/spec/predictor/runtimeClassName': 'services/iris.yaml:5:1',
 '/spec/predictor/topologySpreadConstraints': 'services/iris.yaml:26:5',
 '/spec/predictor/model/securityContext': 'services/iris.yaml:7:3',
 '/spec/predictor/volumes': 'services/iris.yaml:7:3',
 '/spec/predictor/model/volumeMounts': 'services/iris.yaml:7:3',
 '/spec/predictor/securityContext': 'services/iris.yaml:7:3',
 '/spec/predictor/affinity': 'services/iris.yaml:7:3',
 '/spec/predictor/priorityClassName': 'services/iris.yaml:7:3',
 '/spec/predictor/model/readinessProbe': 'services/iris.yaml:7:3',
 '/spec/predictor/model/livenessProbe': 'services/iris.yaml:7:3',
 '/spec/predictor/model/startupProbe': 'services/iris.yaml:7:3',
 '/spec/predictor/sklearn': 'services/iris.yaml:12:5',
 '/spec/predictor/sklearn/storageUri': 'services/iris.yaml:22:7',
 '/spec/predictor/sklearn/runtimeVersion': 'services/iris.yaml:12:5',
 '/spec/predictor/sklearn/protocolVersion': 'services/iris.yaml:12:5',
 '/spec/predictor/sklearn/args': 'services/iris.yaml:13:7',
 '/spec/predictor/sklearn/env': 'services/iris.yaml:15:7',
 '/spec/predictor/sklearn/ports': 'services/iris.yaml:12:5',
 '/spec/predictor/model/storageUri': 'services/iris.yaml:22:7',
 '/spec/predictor/model/runtime': 'services/iris.yaml:12:5',
 '/spec/predictor/model/runtimeVersion': 'services/iris.yaml:12:5',
 '/spec/predictor/model/protocolVersion': 'services/iris.yaml:12:5',
 '/spec/predictor/model/args': 'services/iris.yaml:13:7',
 '/spec/predictor/model/env': 'services/iris.yaml:15:7',
 '/spec/predictor/model/image': 'services/iris.yaml:12:5',
 '/spec/predictor/model/command': 'services/iris.yaml:12:5',
 '/spec/predictor/model/ports': 'services/iris.yaml:12:5'}

LEGACY_HPA_BODY = {'apiVersion': 'serving.kserve.io/v1beta1',
 'kind': 'InferenceService',
 'metadata': {'name': 'iris',
              'namespace': 'ml-prod',
              'labels': {'app.kubernetes.io/name': 'iris', 'app.kubernetes.io/part-of': 'iris', 'app.kubernetes.io/managed-by': 'inferplane'},
              'annotations': {'serving.kserve.io/deploymentMode': 'RawDeployment',
                              'serving.kserve.io/metrics': 'cpu',
                              'serving.kserve.io/targetUtilizationPercentage': '70',
                              'serving.kserve.io/autoscalerClass': 'hpa'}},
 'spec': {'predictor': {'minReplicas': 1,
                        'maxReplicas': 3,
                        'model': {'modelFormat': {'name': 'sklearn'},
                                  'storageUri': 'gs://bucket/model',
                                  'securityContext': {'allowPrivilegeEscalation': False,
                                                      'capabilities': {'drop': ['ALL']},
                                                      'runAsNonRoot': True,
                                                      'seccompProfile': {'type': 'RuntimeDefault'},
                                                      'readOnlyRootFilesystem': True}}}}}
LEGACY_HPA_ORIGINS = {'': 'services/iris.yaml:1:1',
 '/metadata': 'services/iris.yaml:3:1',
 '/spec/predictor': 'services/iris.yaml:7:3',
 '/spec/predictor/model': 'services/iris.yaml:8:5',
 '/spec/predictor/model/resources': 'services/iris.yaml:7:3',
 '/spec/predictor/minReplicas': 'services/iris.yaml:14:5',
 '/spec/predictor/maxReplicas': 'services/iris.yaml:12:5',
 '/spec/predictor/containerConcurrency': 'services/iris.yaml:11:3',
 '/spec/predictor/scaleMetric': 'services/iris.yaml:13:5',
 '/spec/predictor/scaleTarget': 'services/iris.yaml:15:5',
 '/spec/predictor/autoScaling': 'services/iris.yaml:11:3',
 '/spec/predictor/timeout': 'services/iris.yaml:7:3',
 '/spec/predictor/nodeSelector': 'services/iris.yaml:5:1',
 '/spec/predictor/tolerations': 'services/iris.yaml:5:1',
 '/spec/predictor/runtimeClassName': 'services/iris.yaml:5:1',
 '/spec/predictor/topologySpreadConstraints': 'services/iris.yaml:14:5',
 '/spec/predictor/model/securityContext': 'services/iris.yaml:7:3',
 '/spec/predictor/volumes': 'services/iris.yaml:7:3',
 '/spec/predictor/model/volumeMounts': 'services/iris.yaml:7:3',
 '/spec/predictor/securityContext': 'services/iris.yaml:7:3',
 '/spec/predictor/affinity': 'services/iris.yaml:7:3',
 '/spec/predictor/priorityClassName': 'services/iris.yaml:7:3',
 '/spec/predictor/model/readinessProbe': 'services/iris.yaml:7:3',
 '/spec/predictor/model/livenessProbe': 'services/iris.yaml:7:3',
 '/spec/predictor/model/startupProbe': 'services/iris.yaml:7:3',
 '/spec/predictor/model/storageUri': 'services/iris.yaml:10:7',
 '/spec/predictor/model/runtime': 'services/iris.yaml:8:5',
 '/spec/predictor/model/runtimeVersion': 'services/iris.yaml:8:5',
 '/spec/predictor/model/protocolVersion': 'services/iris.yaml:8:5',
 '/spec/predictor/model/args': 'services/iris.yaml:8:5',
 '/spec/predictor/model/env': 'services/iris.yaml:8:5',
 '/spec/predictor/model/image': 'services/iris.yaml:8:5',
 '/spec/predictor/model/command': 'services/iris.yaml:8:5',
 '/spec/predictor/model/ports': 'services/iris.yaml:8:5'}

CANARY_BODY = {'apiVersion': 'serving.kserve.io/v1beta1',
 'kind': 'InferenceService',
 'metadata': {'name': 'iris',
              'namespace': 'ml-prod',
              'labels': {'app.kubernetes.io/name': 'iris',
                         'app.kubernetes.io/part-of': 'iris',
                         'app.kubernetes.io/managed-by': 'inferplane',
                         'networking.knative.dev/visibility': 'cluster-local'},
              'annotations': {'serving.kserve.io/deploymentMode': 'Knative'}},
 'spec': {'predictor': {'minReplicas': 1,
                        'maxReplicas': 3,
                        'labels': {'app.kubernetes.io/name': 'iris'},
                        'model': {'modelFormat': {'name': 'sklearn'},
                                  'storageUri': 'gs://bucket/v2',
                                  'securityContext': {'allowPrivilegeEscalation': False,
                                                      'capabilities': {'drop': ['ALL']},
                                                      'runAsNonRoot': True,
                                                      'seccompProfile': {'type': 'RuntimeDefault'},
                                                      'readOnlyRootFilesystem': True}},
                        'canaryTrafficPercent': 10}}}
CANARY_ORIGINS = {'': 'services/iris.yaml:1:1',
 '/metadata': 'services/iris.yaml:3:1',
 '/spec/predictor': 'services/iris.yaml:19:5',
 '/spec/predictor/model': 'services/iris.yaml:20:7',
 '/spec/predictor/model/resources': 'services/iris.yaml:19:5',
 '/spec/predictor/minReplicas': 'services/iris.yaml:15:5',
 '/spec/predictor/maxReplicas': 'services/iris.yaml:14:5',
 '/spec/predictor/containerConcurrency': 'services/iris.yaml:13:3',
 '/spec/predictor/scaleMetric': 'services/iris.yaml:13:3',
 '/spec/predictor/scaleTarget': 'services/iris.yaml:13:3',
 '/spec/predictor/autoScaling': 'services/iris.yaml:13:3',
 '/spec/predictor/timeout': 'services/iris.yaml:19:5',
 '/spec/predictor/nodeSelector': 'services/iris.yaml:5:1',
 '/spec/predictor/tolerations': 'services/iris.yaml:5:1',
 '/spec/predictor/runtimeClassName': 'services/iris.yaml:5:1',
 '/spec/predictor/topologySpreadConstraints': 'services/iris.yaml:15:5',
 '/spec/predictor/model/securityContext': 'services/iris.yaml:19:5',
 '/spec/predictor/volumes': 'services/iris.yaml:19:5',
 '/spec/predictor/model/volumeMounts': 'services/iris.yaml:19:5',
 '/spec/predictor/securityContext': 'services/iris.yaml:19:5',
 '/spec/predictor/affinity': 'services/iris.yaml:19:5',
 '/spec/predictor/priorityClassName': 'services/iris.yaml:19:5',
 '/spec/predictor/model/readinessProbe': 'services/iris.yaml:19:5',
 '/spec/predictor/model/livenessProbe': 'services/iris.yaml:19:5',
 '/spec/predictor/model/startupProbe': 'services/iris.yaml:19:5',
 '/spec/predictor/model/storageUri': 'services/iris.yaml:21:9',
 '/spec/predictor/model/runtime': 'services/iris.yaml:20:7',
 '/spec/predictor/model/runtimeVersion': 'services/iris.yaml:20:7',
 '/spec/predictor/model/protocolVersion': 'services/iris.yaml:20:7',
 '/spec/predictor/model/args': 'services/iris.yaml:20:7',
 '/spec/predictor/model/env': 'services/iris.yaml:20:7',
 '/spec/predictor/model/image': 'services/iris.yaml:20:7',
 '/spec/predictor/model/command': 'services/iris.yaml:20:7',
 '/spec/predictor/model/ports': 'services/iris.yaml:20:7',
 '/metadata/labels/networking.knative.dev~1visibility': 'services/iris.yaml:7:5',
 '/spec/predictor/canaryTrafficPercent': 'services/iris.yaml:22:5'}

STANDARD_CANARY_BODY = {'apiVersion': 'serving.kserve.io/v1beta1',
 'kind': 'InferenceService',
 'metadata': {'name': 'iris',
              'namespace': 'ml-prod',
              'labels': {'app.kubernetes.io/name': 'iris', 'app.kubernetes.io/part-of': 'iris', 'app.kubernetes.io/managed-by': 'inferplane'},
              'annotations': {'serving.kserve.io/deploymentMode': 'Standard', 'serving.kserve.io/autoscalerClass': 'hpa'}},
 'spec': {'predictor': {'minReplicas': 1,
                        'maxReplicas': 3,
                        'labels': {'app.kubernetes.io/name': 'iris', 'inferplane.dev/version': 'v1'},
                        'model': {'modelFormat': {'name': 'sklearn'},
                                  'storageUri': 'gs://bucket/model',
                                  'securityContext': {'allowPrivilegeEscalation': False,
                                                      'capabilities': {'drop': ['ALL']},
                                                      'runAsNonRoot': True,
                                                      'seccompProfile': {'type': 'RuntimeDefault'},
                                                      'readOnlyRootFilesystem': True}}},
          'canary': [{'trafficPercent': 10,
                      'predictor': {'name': 'v2',
                                    'labels': {'app.kubernetes.io/name': 'iris', 'inferplane.dev/version': 'v2'},
                                    'model': {'name': 'kserve-container',
                                              'modelFormat': {'name': 'sklearn'},
                                              'storageUri': 'gs://bucket/v2',
                                              'securityContext': {'allowPrivilegeEscalation': False,
                                                                  'capabilities': {'drop': ['ALL']},
                                                                  'runAsNonRoot': True,
                                                                  'seccompProfile': {'type': 'RuntimeDefault'},
                                                                  'readOnlyRootFilesystem': True}}}}]}}
STANDARD_CANARY_ORIGINS = {'': 'services/iris.yaml:1:1',
 '/metadata': 'services/iris.yaml:3:1',
 '/spec/predictor': 'services/iris.yaml:7:3',
 '/spec/predictor/model': 'services/iris.yaml:8:5',
 '/spec/predictor/model/resources': 'services/iris.yaml:7:3',
 '/spec/predictor/minReplicas': 'services/iris.yaml:13:5',
 '/spec/predictor/maxReplicas': 'services/iris.yaml:12:5',
 '/spec/predictor/containerConcurrency': 'services/iris.yaml:11:3',
 '/spec/predictor/scaleMetric': 'services/iris.yaml:11:3',
 '/spec/predictor/scaleTarget': 'services/iris.yaml:11:3',
 '/spec/predictor/autoScaling': 'services/iris.yaml:11:3',
 '/spec/predictor/timeout': 'services/iris.yaml:7:3',
 '/spec/predictor/nodeSelector': 'services/iris.yaml:5:1',
 '/spec/predictor/tolerations': 'services/iris.yaml:5:1',
 '/spec/predictor/runtimeClassName': 'services/iris.yaml:5:1',
 '/spec/predictor/topologySpreadConstraints': 'services/iris.yaml:13:5',
 '/spec/predictor/model/securityContext': 'services/iris.yaml:7:3',
 '/spec/predictor/volumes': 'services/iris.yaml:7:3',
 '/spec/predictor/model/volumeMounts': 'services/iris.yaml:7:3',
 '/spec/predictor/securityContext': 'services/iris.yaml:7:3',
 '/spec/predictor/affinity': 'services/iris.yaml:7:3',
 '/spec/predictor/priorityClassName': 'services/iris.yaml:7:3',
 '/spec/predictor/model/readinessProbe': 'services/iris.yaml:7:3',
 '/spec/predictor/model/livenessProbe': 'services/iris.yaml:7:3',
 '/spec/predictor/model/startupProbe': 'services/iris.yaml:7:3',
 '/spec/predictor/model/storageUri': 'services/iris.yaml:10:7',
 '/spec/predictor/model/runtime': 'services/iris.yaml:8:5',
 '/spec/predictor/model/runtimeVersion': 'services/iris.yaml:8:5',
 '/spec/predictor/model/protocolVersion': 'services/iris.yaml:8:5',
 '/spec/predictor/model/args': 'services/iris.yaml:8:5',
 '/spec/predictor/model/env': 'services/iris.yaml:8:5',
 '/spec/predictor/model/image': 'services/iris.yaml:8:5',
 '/spec/predictor/model/command': 'services/iris.yaml:8:5',
 '/spec/predictor/model/ports': 'services/iris.yaml:8:5',
 '/spec/canary/0': 'services/iris.yaml:16:5',
 '/spec/canary/0/trafficPercent': 'services/iris.yaml:20:5',
 '/spec/canary/0/predictor': 'services/iris.yaml:17:5',
 '/spec/canary/0/predictor/model': 'services/iris.yaml:18:7',
 '/spec/canary/0/predictor/model/resources': 'services/iris.yaml:17:5',
 '/spec/canary/0/predictor/minReplicas': 'services/iris.yaml:13:5',
 '/spec/canary/0/predictor/maxReplicas': 'services/iris.yaml:12:5',
 '/spec/canary/0/predictor/containerConcurrency': 'services/iris.yaml:11:3',
 '/spec/canary/0/predictor/scaleMetric': 'services/iris.yaml:11:3',
 '/spec/canary/0/predictor/scaleTarget': 'services/iris.yaml:11:3',
 '/spec/canary/0/predictor/autoScaling': 'services/iris.yaml:11:3',
 '/spec/canary/0/predictor/timeout': 'services/iris.yaml:17:5',
 '/spec/canary/0/predictor/nodeSelector': 'services/iris.yaml:5:1',
 '/spec/canary/0/predictor/tolerations': 'services/iris.yaml:5:1',
 '/spec/canary/0/predictor/runtimeClassName': 'services/iris.yaml:5:1',
 '/spec/canary/0/predictor/topologySpreadConstraints': 'services/iris.yaml:13:5',
 '/spec/canary/0/predictor/model/securityContext': 'services/iris.yaml:17:5',
 '/spec/canary/0/predictor/volumes': 'services/iris.yaml:17:5',
 '/spec/canary/0/predictor/model/volumeMounts': 'services/iris.yaml:17:5',
 '/spec/canary/0/predictor/securityContext': 'services/iris.yaml:17:5',
 '/spec/canary/0/predictor/affinity': 'services/iris.yaml:17:5',
 '/spec/canary/0/predictor/priorityClassName': 'services/iris.yaml:17:5',
 '/spec/canary/0/predictor/model/readinessProbe': 'services/iris.yaml:17:5',
 '/spec/canary/0/predictor/model/livenessProbe': 'services/iris.yaml:17:5',
 '/spec/canary/0/predictor/model/startupProbe': 'services/iris.yaml:17:5',
 '/spec/canary/0/predictor/model/storageUri': 'services/iris.yaml:19:9',
 '/spec/canary/0/predictor/model/runtime': 'services/iris.yaml:18:7',
 '/spec/canary/0/predictor/model/runtimeVersion': 'services/iris.yaml:18:7',
 '/spec/canary/0/predictor/model/protocolVersion': 'services/iris.yaml:18:7',
 '/spec/canary/0/predictor/model/args': 'services/iris.yaml:18:7',
 '/spec/canary/0/predictor/model/env': 'services/iris.yaml:18:7',
 '/spec/canary/0/predictor/model/image': 'services/iris.yaml:18:7',
 '/spec/canary/0/predictor/model/command': 'services/iris.yaml:18:7',
 '/spec/canary/0/predictor/model/ports': 'services/iris.yaml:18:7'}



def _one(spec: dict, env_patch: dict | None = None):
    (manifest,) = emitted(spec, env_patch)
    return manifest.body, {pointer: str(at) for pointer, at in manifest.origins.items()}


def test_a_model_predictor_with_every_field():
    # credentials, timeout, GPU placement, spread of two replicas, pod labels and annotations on
    # the predictor (KServe >= 0.11), a hardened container with the user's runAsUser
    assert _one(RICH, GPU_ENV) == (RICH_BODY, RICH_ORIGINS)


def test_a_custom_container_gets_storage_uri_as_env_and_its_ports():
    assert _one(CUSTOM) == (CUSTOM_BODY, CUSTOM_ORIGINS)


def test_before_kserve_0_8_the_framework_field_and_the_knative_annotations():
    # no predictor.model (v0.8) nor scaleMetric (v0.9) nor predictor labels (v0.11): the format's
    # field, Knative's metric/target annotations, the pod labels and annotations on the service
    assert _one(LEGACY, {"spec": {"versions": {"kserve": "0.7.0"}}}) == (LEGACY_BODY, LEGACY_ORIGINS)


def test_before_kserve_0_9_kserves_hpa_reads_its_own_annotations():
    assert _one(LEGACY_HPA, {"spec": {"versions": {"kserve": "0.8.0"}}}) == (LEGACY_HPA_BODY, LEGACY_HPA_ORIGINS)


def test_a_knative_canary_and_an_internal_service():
    # the newest version's weight from its own key; the cluster-local label from exposure.internal
    assert _one(CANARY) == (CANARY_BODY, CANARY_ORIGINS)


def test_spec_canary_drops_the_stable_predictors_scaling_and_names_the_container():
    assert _one(STANDARD_CANARY, {"spec": {"versions": {"kserve": "0.20.0"}}}) == (STANDARD_CANARY_BODY, STANDARD_CANARY_ORIGINS)


PROMETHEUS = {"spec": {"observability": {"prometheus": {"enabled": True}}}}


def test_scraped_metrics_ask_knative_for_aggregation_and_declare_the_standard_port():
    (knative,) = emitted({}, PROMETHEUS)
    assert knative.body["metadata"]["annotations"] == {"serving.kserve.io/deploymentMode": "Knative", "serving.kserve.io/enable-metric-aggregation": "true"}
    (standard,) = emitted({"mode": "standard"}, PROMETHEUS)
    assert standard.body["spec"]["predictor"]["model"]["ports"] == [{"name": "http", "containerPort": 8080, "protocol": "TCP"}]  # the server's port, named for the PodMonitor


def test_format_version_and_several_storage_uris():
    model = {"format": "sklearn", "formatVersion": "1", "storageUri": None, "storageUris": [{"uri": "gs://bucket/a", "mountPath": "/mnt/a"}]}
    (manifest,) = emitted({"predictor": {"model": model}})
    predictor = manifest.body["spec"]["predictor"]
    assert predictor["model"]["modelFormat"] == {"name": "sklearn", "version": "1"} and "storageUri" not in predictor["model"]
    assert predictor["storageUris"] == [{"uri": "gs://bucket/a", "mountPath": "/mnt/a"}]


def test_the_transformer_is_in_the_inference_service_with_its_origins():
    (manifest,) = emitted({"transformer": {"container": {"image": "ghcr.io/acme/t:1"}}})
    assert manifest.service == "iris"
    assert manifest.body["spec"]["transformer"]["containers"][0]["image"] == "ghcr.io/acme/t:1"
    assert str(manifest.origins["/spec/transformer/containers/0/image"]) == "services/iris.yaml:16:7"  # transformer.container.image


def test_split_versions_belong_each_to_its_inference_service():
    found = emitted({"canaryStrategy": "split", "versions": [{"name": "v1", "weight": 90}, {"name": "v2", "weight": 10}]}, {"spec": {"mesh": {}}})
    assert [(manifest.name, manifest.service) for manifest in found] == [("iris-v1", "iris-v1"), ("iris-v2", "iris-v2")]


def test_unset_fields_of_a_port_a_storage_uri_are_left_out():
    container = {"image": "ghcr.io/acme/server:1", "ports": [{"containerPort": 9000}]}
    (manifest,) = emitted({"predictor": {"model": None, "container": container, "resources": {"limits": {"cpu": "1"}}}})
    (served,) = manifest.body["spec"]["predictor"]["containers"]
    assert served["ports"] == [{"containerPort": 9000}] and served["resources"] == {"limits": {"cpu": "1"}}
    (manifest,) = emitted({"predictor": {"model": {"format": "sklearn", "storageUri": None, "storageUris": [{"uri": "gs://bucket/a"}]}}})
    assert manifest.body["spec"]["predictor"]["storageUris"] == [{"uri": "gs://bucket/a"}]


def test_knative_scaling_on_cpu_is_still_kserves_scale_metric():
    (manifest,) = emitted({"scaling": {"minReplicas": 1, "maxReplicas": 3, "metric": "cpu", "target": 70}})
    predictor = manifest.body["spec"]["predictor"]
    assert (predictor["scaleMetric"], predictor["scaleTarget"]) == ("cpu", 70)
    # Knative's HPA class on the revision's pods: KServe derives its metric and target from the two fields
    assert predictor["annotations"] == {"autoscaling.knative.dev/class": "hpa.autoscaling.knative.dev"}
