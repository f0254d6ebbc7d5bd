/** Knowledge about Kubernetes objects shared by the engine and the rules. */
import { Rec, arrAt, field, isRecord, recsAt, scalarText, strAt, stringMapAt } from './access';
import { builtinTemplates, customTemplates, genericTemplates, hasTemplateRegistry } from './templates';
import { subjectText } from './format';
import { KubeObject, PodTemplateInfo, PodOwnerKind } from './types';

/** Built-in kinds known to the reviewer, with the API groups that serve them. */
const BUILTIN_GROUPS: ReadonlyMap<string, readonly string[]> = new Map<string, readonly string[]>([
  ...[
    'Pod',
    'Service',
    'ConfigMap',
    'Secret',
    'Namespace',
    'ServiceAccount',
    'PersistentVolumeClaim',
    'PersistentVolume',
    'ResourceQuota',
    'LimitRange',
    'Endpoints',
    'ReplicationController',
    'PodTemplate',
    'Event',
    'Node',
    'Binding',
    'ComponentStatus',
  ].map((k) => [k, ['']] as const),
  ...['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet'].map((k) => [k, ['apps', 'extensions']] as const),
  ['ControllerRevision', ['apps']],
  ['Job', ['batch']],
  ['CronJob', ['batch']],
  ['HorizontalPodAutoscaler', ['autoscaling']],
  ['PodDisruptionBudget', ['policy']],
  ['PodSecurityPolicy', ['policy', 'extensions']],
  ['NetworkPolicy', ['networking.k8s.io', 'extensions']],
  ['Ingress', ['networking.k8s.io', 'extensions']],
  ['IngressClass', ['networking.k8s.io']],
  ...['Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding'].map((k) => [k, ['rbac.authorization.k8s.io']] as const),
  ...['StorageClass', 'CSIDriver', 'CSINode', 'VolumeAttachment', 'CSIStorageCapacity', 'VolumeAttributesClass'].map(
    (k) => [k, ['storage.k8s.io']] as const,
  ),
  ['PriorityClass', ['scheduling.k8s.io']],
  ['CustomResourceDefinition', ['apiextensions.k8s.io']],
  ['APIService', ['apiregistration.k8s.io']],
  ...[
    'ValidatingWebhookConfiguration',
    'MutatingWebhookConfiguration',
    'ValidatingAdmissionPolicy',
    'ValidatingAdmissionPolicyBinding',
    'MutatingAdmissionPolicy',
    'MutatingAdmissionPolicyBinding',
  ].map((k) => [k, ['admissionregistration.k8s.io']] as const),
  ['RuntimeClass', ['node.k8s.io']],
  ['Lease', ['coordination.k8s.io']],
  ['EndpointSlice', ['discovery.k8s.io']],
  ['FlowSchema', ['flowcontrol.apiserver.k8s.io']],
  ['PriorityLevelConfiguration', ['flowcontrol.apiserver.k8s.io']],
  ['CertificateSigningRequest', ['certificates.k8s.io']],
  ...['ResourceClaim', 'ResourceClaimTemplate', 'DeviceClass', 'ResourceSlice'].map((k) => [k, ['resource.k8s.io']] as const),
]);

/** Custom resources the project itself synthesizes or commonly meets next to ML workloads. */
const KNOWN_CUSTOM_KINDS: ReadonlySet<string> = new Set([
  'keda.sh/ScaledObject',
  'keda.sh/ScaledJob',
  'keda.sh/TriggerAuthentication',
  'keda.sh/ClusterTriggerAuthentication',
  'monitoring.coreos.com/ServiceMonitor',
  'monitoring.coreos.com/PodMonitor',
  'monitoring.coreos.com/PrometheusRule',
  'gateway.networking.k8s.io/HTTPRoute',
  'gateway.networking.k8s.io/GRPCRoute',
  'gateway.networking.k8s.io/Gateway',
  'gateway.networking.k8s.io/GatewayClass',
  'gateway.networking.k8s.io/ReferenceGrant',
  'autoscaling.k8s.io/VerticalPodAutoscaler',
  'trainer.kubeflow.org/TrainJob',
  'serving.kserve.io/ServingRuntime',
  'serving.kserve.io/ClusterServingRuntime',
  'inference.networking.k8s.io/InferencePool',
  'inference.networking.x-k8s.io/InferenceModel',
  'inference.networking.x-k8s.io/InferencePool',
  'kueue.x-k8s.io/Workload',
  'kueue.x-k8s.io/LocalQueue',
  'kueue.x-k8s.io/ClusterQueue',
  'kueue.x-k8s.io/ResourceFlavor',
  'kueue.x-k8s.io/AdmissionCheck',
  'kueue.x-k8s.io/ProvisioningRequestConfig',
  'kueue.x-k8s.io/WorkloadPriorityClass',
  'kueue.x-k8s.io/Cohort',
  'http.keda.sh/HTTPScaledObject',
  'scheduling.volcano.sh/Queue',
  'scheduling.volcano.sh/PodGroup',
  'inference.networking.x-k8s.io/InferenceObjective',
  'inference.networking.x-k8s.io/InferencePoolImport',
  'networking.istio.io/VirtualService',
  'networking.istio.io/DestinationRule',
  'networking.istio.io/Gateway',
  'security.istio.io/AuthorizationPolicy',
  'security.istio.io/PeerAuthentication',
  'storage.k8s.io/StorageClass',
]);

/** Kinds that are not namespaced. */
const CLUSTER_SCOPED = new Set([
  'Namespace',
  'Node',
  'PersistentVolume',
  'ClusterRole',
  'ClusterRoleBinding',
  'StorageClass',
  'CSIDriver',
  'CSINode',
  'VolumeAttachment',
  'PriorityClass',
  'CustomResourceDefinition',
  'APIService',
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
  'MutatingAdmissionPolicy',
  'MutatingAdmissionPolicyBinding',
  'RuntimeClass',
  'FlowSchema',
  'PriorityLevelConfiguration',
  'CertificateSigningRequest',
  'IngressClass',
  'PodSecurityPolicy',
  'ComponentStatus',
  'DeviceClass',
  'ResourceSlice',
  'VolumeAttributesClass',
  'GatewayClass',
  'ClusterTriggerAuthentication',
]);

/** Kinds carrying a pod template. */
export const WORKLOAD_KINDS: readonly PodOwnerKind[] = ['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob'];

/** Long-running kinds (everything but Job and CronJob). */
export const LONG_RUNNING_KINDS: readonly PodOwnerKind[] = ['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet'];

/** Kinds that serve traffic behind a Service and are held to serving standards. */
export const SERVING_KINDS: readonly PodOwnerKind[] = ['Deployment', 'StatefulSet'];

/** Kinds running to completion. */
export const BATCH_KINDS: readonly PodOwnerKind[] = ['Job', 'CronJob'];

/** API group of an `apiVersion` (`''` for the core group `v1`). */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/** Whether `obj` is a built-in kind served by its usual API group (a Knative `Service` is not a `Service`). */
export function isBuiltin(obj: KubeObject): boolean {
  return BUILTIN_GROUPS.get(obj.kind)?.includes(groupOf(obj.apiVersion)) ?? false;
}

/** Whether the reviewer knows this kind (built-in, or a custom resource it expects). */
export function isKnownKind(obj: KubeObject): boolean {
  return isBuiltin(obj) || KNOWN_CUSTOM_KINDS.has(`${groupOf(obj.apiVersion)}/${obj.kind}`) || hasTemplateRegistry(obj);
}

/** Whether `value` has the shape of a Kubernetes object (string `apiVersion` and `kind`). */
export function isKubeObject(value: unknown): value is KubeObject {
  return (
    isRecord(value) &&
    typeof field(value, 'apiVersion') === 'string' &&
    typeof field(value, 'kind') === 'string' &&
    (field(value, 'kind') as string).length > 0
  );
}

/** `metadata.name` (or `generateName`), `''` when neither is set. */
export function nameOf(obj: KubeObject): string {
  return strAt(obj, 'metadata', 'name') ?? strAt(obj, 'metadata', 'generateName') ?? '';
}

/** `metadata.namespace` as written, `''` when unset. */
export function rawNamespaceOf(obj: KubeObject): string {
  return strAt(obj, 'metadata', 'namespace') ?? '';
}

/** Effective namespace: `default` for namespaced objects without one, `''` for cluster-scoped kinds. */
export function effectiveNamespaceOf(obj: KubeObject): string {
  if (CLUSTER_SCOPED.has(obj.kind)) return '';
  return rawNamespaceOf(obj) || 'default';
}

/** `Kind 'namespace/name'` (or `Kind 'name'`), the prefix of every message. */
export function subjectOf(obj: KubeObject): string {
  return subjectText(obj.kind, rawNamespaceOf(obj), nameOf(obj));
}

/** `metadata.annotations[key]` when it is a string. */
export function annotationOf(obj: KubeObject, key: string): string | undefined {
  return strAt(obj, 'metadata', 'annotations', key);
}

/**
 * The pod templates of an object: `spec` of a Pod, `spec.template` of Deployment/StatefulSet/
 * DaemonSet/ReplicaSet/Job, `spec.jobTemplate.spec.template` of a CronJob, the registered
 * locations of known ML custom resources (see `templates.ts`), and, for unknown kinds, whatever is
 * shaped like a pod template anywhere in the object (reviewed generically) or embedded objects of
 * known kinds. Empty for other objects.
 */
export function extractPodTemplates(obj: KubeObject): readonly PodTemplateInfo[] {
  if (isBuiltin(obj)) return builtinTemplates(obj);
  if (hasTemplateRegistry(obj)) return customTemplates(obj);
  return isKnownKind(obj) ? [] : genericTemplates(obj, knownTemplates);
}

/** Templates of an object of a known kind (built-in or registered custom resource); none for others. */
function knownTemplates(obj: KubeObject): readonly PodTemplateInfo[] {
  if (isBuiltin(obj)) return builtinTemplates(obj);
  return hasTemplateRegistry(obj) ? customTemplates(obj) : [];
}

/** The first of {@link extractPodTemplates}, or `undefined`. */
export function extractPodTemplate(obj: KubeObject): PodTemplateInfo | undefined {
  return extractPodTemplates(obj)[0];
}

/** Which list of the pod spec a container comes from. */
export type ContainerRole = 'container' | 'init' | 'sidecar';

/** A container of a pod spec with its role and path. */
export interface ContainerInfo {
  readonly container: Rec;
  /** `name`, or `#index` when unnamed. */
  readonly name: string;
  readonly role: ContainerRole;
  /** `containers[0]` style path relative to the pod spec. */
  readonly path: string;
}

/**
 * Containers of a pod spec: `containers`, then `initContainers` (those with `restartPolicy: Always`
 * are native sidecars that run for the pod's whole life).
 */
export function containersOf(podSpec: Rec): readonly ContainerInfo[] {
  const result: ContainerInfo[] = [];
  const collect = (list: 'containers' | 'initContainers'): void => {
    arrAt(podSpec, list).forEach((container, index) => {
      if (!isRecord(container)) return;
      const role: ContainerRole = list === 'containers' ? 'container' : strAt(container, 'restartPolicy') === 'Always' ? 'sidecar' : 'init';
      result.push({ container, name: strAt(container, 'name') ?? `#${index}`, role, path: `${list}[${index}]` });
    });
  };
  collect('containers');
  collect('initContainers');
  return result;
}

/** Containers that run for the pod's whole life (regular containers and native sidecars). */
export function runningContainersOf(podSpec: Rec): readonly ContainerInfo[] {
  return containersOf(podSpec).filter((c) => c.role !== 'init');
}

/** Whether a plain selector map (a Service's) selects pods carrying `labels`; an empty selector selects nothing. */
export function mapSelects(selector: ReadonlyMap<string, string>, labels: ReadonlyMap<string, string>): boolean {
  if (selector.size === 0) return false;
  for (const [key, value] of selector) if (labels.get(key) !== value) return false;
  return true;
}

/**
 * Whether a `LabelSelector` (`matchLabels` + `matchExpressions`) selects pods carrying `labels`.
 * An empty selector `{}` selects everything; a missing one (`undefined`) selects nothing.
 * Unknown operators make the selector select nothing (the API server would reject it).
 */
export function labelSelectorSelects(selector: unknown, labels: ReadonlyMap<string, string>): boolean {
  if (!isRecord(selector)) return false;
  for (const [key, value] of stringMapAt(selector, 'matchLabels')) if (labels.get(key) !== value) return false;
  for (const expr of recsAt(selector, 'matchExpressions')) {
    const key = strAt(expr, 'key');
    if (key === undefined) return false;
    const values = arrAt(expr, 'values').map(scalarText);
    const actual = labels.get(key);
    switch (strAt(expr, 'operator')) {
      case 'In':
        if (actual === undefined || !values.includes(actual)) return false;
        break;
      case 'NotIn':
        if (actual !== undefined && values.includes(actual)) return false;
        break;
      case 'Exists':
        if (actual === undefined) return false;
        break;
      case 'DoesNotExist':
        if (actual !== undefined) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** `Kind 'name'` list for messages, e.g. `Deployment 'a', Job 'b'`. */
export function listObjects(objects: readonly KubeObject[]): string {
  return objects.map((o) => `${o.kind} '${nameOf(o)}'`).join(', ');
}
