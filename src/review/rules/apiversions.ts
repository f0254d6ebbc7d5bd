/** Removed API versions (ML013). */
import { Rule } from '../types';
import { REF } from './common';

/** One removed API version: which kinds (`*` for all), the release that removed it and the replacement. */
export interface RemovedApi {
  readonly apiVersion: string;
  readonly kind: string;
  readonly removedIn: string;
  readonly replacement: string;
  /** Migration notes beyond changing apiVersion. */
  readonly note?: string;
  /** The project whose release removed it. @default 'Kubernetes' */
  readonly project?: string;
}

/**
 * Removed API versions (Kubernetes deprecated API migration guide). First match wins, so
 * kind-specific rows come before the `*` row of the same apiVersion.
 */
export const REMOVED_APIS: readonly RemovedApi[] = [
  {
    apiVersion: 'extensions/v1beta1',
    kind: 'Deployment',
    removedIn: '1.16',
    replacement: 'apps/v1',
    note: 'spec.selector is required and immutable in apps/v1',
  },
  {
    apiVersion: 'extensions/v1beta1',
    kind: 'DaemonSet',
    removedIn: '1.16',
    replacement: 'apps/v1',
    note: 'spec.selector is required in apps/v1',
  },
  { apiVersion: 'extensions/v1beta1', kind: 'ReplicaSet', removedIn: '1.16', replacement: 'apps/v1' },
  { apiVersion: 'extensions/v1beta1', kind: 'NetworkPolicy', removedIn: '1.16', replacement: 'networking.k8s.io/v1' },
  {
    apiVersion: 'extensions/v1beta1',
    kind: 'PodSecurityPolicy',
    removedIn: '1.16',
    replacement: 'none (PodSecurityPolicy was removed in 1.25): use Pod Security Admission namespace labels',
  },
  {
    apiVersion: 'extensions/v1beta1',
    kind: 'Ingress',
    removedIn: '1.22',
    replacement: 'networking.k8s.io/v1',
    note: 'backend.serviceName/servicePort become backend.service.name/port and pathType is required',
  },
  { apiVersion: 'extensions/v1beta1', kind: '*', removedIn: '1.22', replacement: "the kind's current API group" },
  { apiVersion: 'apps/v1beta1', kind: '*', removedIn: '1.16', replacement: 'apps/v1', note: 'spec.selector is required in apps/v1' },
  { apiVersion: 'apps/v1beta2', kind: '*', removedIn: '1.16', replacement: 'apps/v1' },
  {
    apiVersion: 'networking.k8s.io/v1beta1',
    kind: '*',
    removedIn: '1.22',
    replacement: 'networking.k8s.io/v1',
    note: 'Ingress backends become backend.service.name/port and pathType is required',
  },
  {
    apiVersion: 'policy/v1beta1',
    kind: 'PodSecurityPolicy',
    removedIn: '1.25',
    replacement: 'none: use Pod Security Admission namespace labels (pod-security.kubernetes.io/enforce: restricted)',
  },
  {
    apiVersion: 'policy/v1beta1',
    kind: '*',
    removedIn: '1.25',
    replacement: 'policy/v1',
    note: 'an empty spec.selector selects every pod of the namespace in policy/v1',
  },
  { apiVersion: 'batch/v1beta1', kind: '*', removedIn: '1.25', replacement: 'batch/v1' },
  { apiVersion: 'batch/v2alpha1', kind: '*', removedIn: '1.21', replacement: 'batch/v1' },
  {
    apiVersion: 'autoscaling/v2beta1',
    kind: '*',
    removedIn: '1.25',
    replacement: 'autoscaling/v2',
    note: 'targetAverageUtilization becomes target: {type: Utilization, averageUtilization}',
  },
  { apiVersion: 'autoscaling/v2beta2', kind: '*', removedIn: '1.26', replacement: 'autoscaling/v2' },
  { apiVersion: 'discovery.k8s.io/v1beta1', kind: '*', removedIn: '1.25', replacement: 'discovery.k8s.io/v1' },
  { apiVersion: 'events.k8s.io/v1beta1', kind: '*', removedIn: '1.25', replacement: 'events.k8s.io/v1' },
  { apiVersion: 'node.k8s.io/v1beta1', kind: '*', removedIn: '1.25', replacement: 'node.k8s.io/v1' },
  { apiVersion: 'storage.k8s.io/v1beta1', kind: 'CSIStorageCapacity', removedIn: '1.27', replacement: 'storage.k8s.io/v1' },
  { apiVersion: 'storage.k8s.io/v1beta1', kind: 'CSIDriver', removedIn: '1.22', replacement: 'storage.k8s.io/v1' },
  { apiVersion: 'storage.k8s.io/v1beta1', kind: 'CSINode', removedIn: '1.22', replacement: 'storage.k8s.io/v1' },
  { apiVersion: 'storage.k8s.io/v1beta1', kind: 'StorageClass', removedIn: '1.22', replacement: 'storage.k8s.io/v1' },
  { apiVersion: 'storage.k8s.io/v1beta1', kind: 'VolumeAttachment', removedIn: '1.22', replacement: 'storage.k8s.io/v1' },
  { apiVersion: 'rbac.authorization.k8s.io/v1beta1', kind: '*', removedIn: '1.22', replacement: 'rbac.authorization.k8s.io/v1' },
  { apiVersion: 'rbac.authorization.k8s.io/v1alpha1', kind: '*', removedIn: '1.22', replacement: 'rbac.authorization.k8s.io/v1' },
  {
    apiVersion: 'admissionregistration.k8s.io/v1beta1',
    kind: 'ValidatingWebhookConfiguration',
    removedIn: '1.22',
    replacement: 'admissionregistration.k8s.io/v1',
  },
  {
    apiVersion: 'admissionregistration.k8s.io/v1beta1',
    kind: 'MutatingWebhookConfiguration',
    removedIn: '1.22',
    replacement: 'admissionregistration.k8s.io/v1',
  },
  {
    apiVersion: 'apiextensions.k8s.io/v1beta1',
    kind: '*',
    removedIn: '1.22',
    replacement: 'apiextensions.k8s.io/v1',
    note: 'a structural schema (spec.versions[].schema) is required',
  },
  { apiVersion: 'apiregistration.k8s.io/v1beta1', kind: '*', removedIn: '1.22', replacement: 'apiregistration.k8s.io/v1' },
  { apiVersion: 'authentication.k8s.io/v1beta1', kind: 'TokenReview', removedIn: '1.22', replacement: 'authentication.k8s.io/v1' },
  { apiVersion: 'authorization.k8s.io/v1beta1', kind: '*', removedIn: '1.22', replacement: 'authorization.k8s.io/v1' },
  {
    apiVersion: 'certificates.k8s.io/v1beta1',
    kind: 'CertificateSigningRequest',
    removedIn: '1.22',
    replacement: 'certificates.k8s.io/v1',
  },
  { apiVersion: 'coordination.k8s.io/v1beta1', kind: 'Lease', removedIn: '1.22', replacement: 'coordination.k8s.io/v1' },
  { apiVersion: 'scheduling.k8s.io/v1beta1', kind: 'PriorityClass', removedIn: '1.22', replacement: 'scheduling.k8s.io/v1' },
  { apiVersion: 'scheduling.k8s.io/v1alpha1', kind: 'PriorityClass', removedIn: '1.17', replacement: 'scheduling.k8s.io/v1' },
  { apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta1', kind: '*', removedIn: '1.26', replacement: 'flowcontrol.apiserver.k8s.io/v1' },
  { apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta2', kind: '*', removedIn: '1.29', replacement: 'flowcontrol.apiserver.k8s.io/v1' },
  { apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta3', kind: '*', removedIn: '1.32', replacement: 'flowcontrol.apiserver.k8s.io/v1' },
  // KFServing became KServe (0.7): its serving.kubeflow.org CRDs are no longer installed.
  ...['v1alpha1', 'v1alpha2', 'v1beta1'].map((v) => ({
    apiVersion: `serving.kubeflow.org/${v}`,
    kind: '*',
    removedIn: '0.7',
    project: 'KServe',
    replacement: 'serving.kserve.io/v1beta1',
    note: 'kind InferenceService (KFService became InferenceService); the predictor fields moved to spec.predictor.model',
  })),
];

/** The {@link REMOVED_APIS} row for an apiVersion and kind, if it was removed. */
export function findRemovedApi(apiVersion: string, kind: string): RemovedApi | undefined {
  return REMOVED_APIS.find((r) => r.apiVersion === apiVersion && (r.kind === kind || r.kind === '*'));
}

/** ML013: objects using an API version that current clusters no longer serve. */
export const removedApiVersion: Rule = {
  id: 'ML013',
  title: 'Removed API version',
  severity: 'error',
  kinds: ['*'],
  appliesTo: ['every kind'],
  reference: `${REF.ml} "The examples assume Kubernetes 1.35 or newer"; Kubernetes deprecated API migration guide`,
  check(obj) {
    const removed = findRemovedApi(obj.apiVersion, obj.kind);
    if (!removed) return [];
    return [
      {
        path: 'apiVersion',
        message: `uses apiVersion ${obj.apiVersion}, removed in ${removed.project ?? 'Kubernetes'} ${removed.removedIn}; the API server rejects it`,
        fix: `use ${removed.replacement.includes(' ') ? removed.replacement : `apiVersion ${removed.replacement}`}${removed.note ? ` (${removed.note})` : ''}`,
      },
    ];
  },
};
