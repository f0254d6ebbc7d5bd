/** Probes that kill a model server before its model has loaded (ML036). */
import { at, isRecord, recAt } from '../access';
import { Rule, RuleFinding, WorkloadRole } from '../types';
import { REF, containerLabel, containerPath, forTemplates, LONG_RUNNING_ROLES } from './common';
import { startupBudget } from './coldstart';
import { expectedLoad } from './model-load';
import { livenessBudget } from './probes';
import { modelLoaders } from './serving';

/** Roles whose pods may run a model server: long-running kinds and custom resources reviewed by shape. */
const LOADING_ROLES: readonly WorkloadRole[] = [...LONG_RUNNING_ROLES, 'generic'];

/**
 * ML036: the time the probes give a model server to start (the startupProbe's budget, else the
 * livenessProbe's) must cover its model load: stated with `cdk8s-ml.io/model-load-seconds` or
 * `cdk8s-ml.io/model-size`, estimated from the parameter count in the model's name, else the
 * runtime's warm-up floor. Otherwise the kubelet kills the container while it still downloads or
 * loads the weights, and it never comes up.
 */
export const loadBudget: Rule = {
  id: 'ML036',
  title: 'Probes kill the model server before the model can load',
  severity: 'warning',
  kinds: [],
  roles: LOADING_ROLES,
  reference: `${REF.health} "Startup probes"; ${REF.ml} §13 (a model that takes five minutes to load), §2 (liveness initialDelaySeconds)`,
  check: forTemplates(LOADING_ROLES, (t, obj) => {
    const findings: RuleFinding[] = [];
    for (const c of modelLoaders(t)) {
      const startup = recAt(c.container, 'startupProbe');
      const liveness = recAt(c.container, 'livenessProbe');
      if (!startup && !liveness) continue;
      const load = expectedLoad(c, t, obj);
      if (!load) continue;
      const probe = startup ? 'startupProbe' : 'livenessProbe';
      const budget = startup ? { seconds: startupBudget(startup), formula: 'its startupProbe budget' } : livenessBudget(liveness!);
      if (budget.seconds >= load.seconds) continue;
      const readiness = isRecord(at(c.container, 'readinessProbe'));
      findings.push({
        path: containerPath(t, c, probe),
        message: `${containerLabel(c, t)}: the ${probe} kills the container after ${budget.seconds} s (${budget.formula}) but loading the model takes at least ${load.seconds} s (${load.evidence}); the server is restarted before it ever answers`,
        fix: startup
          ? `raise ${containerPath(t, c, 'startupProbe')}.failureThreshold so that periodSeconds × failureThreshold covers ${load.seconds} s, or state the real load time with the cdk8s-ml.io/model-load-seconds annotation`
          : `add ${containerPath(t, c, 'startupProbe')} whose periodSeconds × failureThreshold covers ${load.seconds} s${readiness ? ' (on the readiness endpoint)' : ''}, or raise livenessProbe.initialDelaySeconds; state the real load time with the cdk8s-ml.io/model-load-seconds annotation if it is shorter`,
      });
    }
    return findings;
  }),
};
