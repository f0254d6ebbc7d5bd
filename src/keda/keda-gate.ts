import { registerGateRule } from '../core/gate';

/*
 * Puts the gate's KEDA rules (keda-rules.ts: trigger types and metadata keys of the pinned KEDA release, replica
 * bounds, TriggerAuthentication references) on every app; their code loads on the gate's first pass.
 */

/** The kinds the KEDA rules read. */
export const KEDA_KINDS: readonly string[] = ['ScaledObject', 'ScaledJob', 'TriggerAuthentication', 'ClusterTriggerAuthentication'];

registerGateRule('keda', {
  kinds: KEDA_KINDS,
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  load: () => (require('./keda-rules') as typeof import('./keda-rules')).kedaRule,
});
