/*
 * The gate over rendered objects (gate.ts), its provenance (provenance.ts), what constructs own in what they
 * render (owned.ts), the API server's rules for the built-in kinds and the library's pod contract (rules/),
 * registered here once. The rules' modules load on the gate's first pass, not with the library.
 */
import { registerGateRule } from './gate';
import { POD_TEMPLATE_KINDS } from './pod-templates';

/* eslint-disable @typescript-eslint/no-require-imports */
const metadata = (): typeof import('./rules/metadata') => require('./rules/metadata');
const podSpec = (): typeof import('./rules/pod-spec') => require('./rules/pod-spec');
const network = (): typeof import('./rules/network') => require('./rules/network');
const controllers = (): typeof import('./rules/controllers') => require('./rules/controllers');
const namespaced = (): typeof import('./rules/namespaced') => require('./rules/namespaced');
const gateway = (): typeof import('./rules/gateway') => require('./rules/gateway');
const podContract = (): typeof import('./rules/pod-contract') => require('./rules/pod-contract');
/* eslint-enable @typescript-eslint/no-require-imports */

/** Registers `object` (loaded on the first pass) for `kinds`. */
function rule(name: string, kinds: readonly string[] | undefined, object: () => NonNullable<import('./gate').GateRule['object']>): void {
  registerGateRule(name, { kinds, load: () => ({ object: object() }) });
}

rule('metadata', undefined, () => metadata().metadataRule);
rule('pod-spec', POD_TEMPLATE_KINDS, () => podSpec().podSpecRule);
rule('services', ['Service'], () => network().serviceRule);
rule('network-policies', ['NetworkPolicy'], () => network().networkPolicyRule);
rule('controllers', ['Deployment', 'Job', 'CronJob'], () => controllers().controllerRule);
rule('scaling', ['HorizontalPodAutoscaler', 'PodDisruptionBudget'], () => controllers().scalingRule);
rule(
  'namespaced-objects',
  ['PersistentVolumeClaim', 'ResourceQuota', 'LimitRange', 'PriorityClass', 'ConfigMap', 'Secret', 'ServiceAccount'],
  () => namespaced().namespacedObjectRule,
);
rule('gateway', ['HTTPRoute', 'InferencePool'], () => gateway().gatewayRule);
rule('duplicate-objects', undefined, () => namespaced().duplicateObjectRule);
registerGateRule('limit-ranges', { kinds: ['LimitRange', ...POD_TEMPLATE_KINDS], load: () => namespaced().limitRangeRule });
registerGateRule('pod-contract', { kinds: POD_TEMPLATE_KINDS, load: () => podContract().podContractRule });

export { GatePass, ensureGate, gateErrors, gateTiming, registerGateRule, runGateInline } from './gate';
export type { GateContext, GateObject, GateRule, LazyGateRule } from './gate';
export { findValue, recordOptions, recordProps, recordRenderedPath } from './provenance';
export type { RenderedObject } from './provenance';
export { ENV_CONTRACTS, bindPodTemplate, checkRenderedPods, ownEnv, ownPorts, registerNamespace } from './owned';
export type { OwnedPod } from './owned';
export { podTemplatesOf } from './pod-templates';
export type { PodTemplateRef } from './pod-templates';
