/*
 * The gate over rendered objects (gate.ts), its provenance (provenance.ts), the contract variables
 * (owned.ts), the API server's rules for the built-in kinds and the library's pod contract
 * (rules/pod-contract.ts), registered here once.
 */
import { registerGateRule } from './gate';
import { POD_TEMPLATE_KINDS } from './pod-templates';
import { controllerRule, scalingRule } from './rules/controllers';
import { gatewayRule } from './rules/gateway';
import { metadataRule } from './rules/metadata';
import { duplicateObjectRule, limitRangeRule, namespacedObjectRule } from './rules/namespaced';
import { networkPolicyRule, serviceRule } from './rules/network';
import { podContractRule } from './rules/pod-contract';
import { podSpecRule } from './rules/pod-spec';

registerGateRule('metadata', { object: metadataRule });
registerGateRule('pod-spec', { kinds: POD_TEMPLATE_KINDS, object: podSpecRule });
registerGateRule('services', { kinds: ['Service'], object: serviceRule });
registerGateRule('network-policies', { kinds: ['NetworkPolicy'], object: networkPolicyRule });
registerGateRule('controllers', { kinds: ['Deployment', 'Job', 'CronJob'], object: controllerRule });
registerGateRule('scaling', { kinds: ['HorizontalPodAutoscaler', 'PodDisruptionBudget'], object: scalingRule });
registerGateRule('namespaced-objects', {
  kinds: ['PersistentVolumeClaim', 'ResourceQuota', 'LimitRange', 'PriorityClass', 'ConfigMap', 'Secret', 'ServiceAccount'],
  object: namespacedObjectRule,
});
registerGateRule('gateway', { kinds: ['HTTPRoute', 'InferencePool'], object: gatewayRule });
registerGateRule('duplicate-objects', { object: duplicateObjectRule });
registerGateRule('limit-ranges', limitRangeRule);
registerGateRule('pod-contract', podContractRule);

export { GatePass, ensureGate, gateErrors, gateTiming, registerGateRule, runGateInline } from './gate';
export type { GateContext, GateObject, GateRule } from './gate';
export { findValue, recordOptions, recordProps, recordRenderedPath } from './provenance';
export { ENV_CONTRACTS, ownEnv, ownPorts } from './owned';
export { bindPodTemplate, checkRenderedPods, registerNamespace } from './rules/pod-contract';
export type { OwnedPod } from './rules/pod-contract';
export { podTemplatesOf } from './pod-templates';
export type { PodTemplateRef } from './pod-templates';
export * from './checks';
export { checkJobSpec } from './rules/controllers';
export type { RenderedObject } from './provenance';
