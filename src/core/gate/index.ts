/*
 * The gate over rendered objects (gate.ts), its provenance (provenance.ts), the contract variables
 * (owned.ts), and the API server's rules for the built-in kinds, registered here once.
 */
import { registerGateRule } from './gate';
import { controllerRule, scalingRule } from './rules/controllers';
import { gatewayRule } from './rules/gateway';
import { metadataRule } from './rules/metadata';
import { duplicateObjectRule, limitRangeRule, namespacedObjectRule } from './rules/namespaced';
import { networkPolicyRule, serviceRule } from './rules/network';
import { podSpecRule } from './rules/pod-spec';

registerGateRule('metadata', metadataRule);
registerGateRule('pod-spec', podSpecRule);
registerGateRule('services', serviceRule);
registerGateRule('network-policies', networkPolicyRule);
registerGateRule('controllers', controllerRule);
registerGateRule('scaling', scalingRule);
registerGateRule('namespaced-objects', namespacedObjectRule);
registerGateRule('gateway', gatewayRule);
registerGateRule('duplicate-objects', duplicateObjectRule);
registerGateRule('limit-ranges', limitRangeRule);

export { ensureGate, gateErrors, gateTiming, registerGateRule, setGateRenderer } from './gate';
export type { GateContext, GateObject, GateRule } from './gate';
export { findValue, recordOptions, recordProps, recordRenderedPath } from './provenance';
export { ENV_CONTRACTS, ownEnv } from './owned';
export { podTemplates } from './pod-templates';
export type { PodTemplateRef } from './pod-templates';
export * from './checks';
export { checkJobSpec } from './rules/controllers';
