/** How long a pod takes to serve after it starts, as far as its template tells. */
import { arrAt, numAt, recAt, strAt } from '../access';
import { containersOf } from '../kube';
import { KubeObject, PodTemplateInfo } from '../types';
import { expectedLoad } from './model-load';
import { modelLoaders } from './serving';

/** Seconds from which a start counts as slow (a model load, not a process start). */
export const SLOW_LOAD_SECONDS = 60;

/** What the template says about its start-up time. */
export interface ColdStart {
  /** Longest start the probes allow, when they say (startupProbe budget, or readiness initial delay). */
  readonly seconds?: number;
  /** Why the start is believed slow, for messages. */
  readonly evidence: string;
}

const MODEL_FETCH = /model|download|fetch|hugging|\bhf\b|hf-|s3|gsutil|gcs|storage-initializer|snapshot|weights|pull/i;

/** Seconds a startup probe allows: initialDelaySeconds + periodSeconds × failureThreshold. */
export function startupBudget(probe: unknown): number {
  return (numAt(probe, 'initialDelaySeconds') ?? 0) + (numAt(probe, 'periodSeconds') ?? 10) * (numAt(probe, 'failureThreshold') ?? 3);
}

/**
 * The cold start of a pod template when it is slow: a startup probe budget or readiness delay of
 * at least {@link SLOW_LOAD_SECONDS}, an init container that fetches a model, or (given the
 * workload `obj`) a model server whose expected load (see `model-load.ts`) takes that long.
 * `undefined` otherwise.
 */
export function slowStart(t: PodTemplateInfo, obj?: KubeObject): ColdStart | undefined {
  let seconds: number | undefined;
  let evidence = '';
  for (const c of containersOf(t.podSpec).filter((x) => x.role !== 'init')) {
    const startup = recAt(c.container, 'startupProbe');
    const budget = startup ? startupBudget(startup) : (numAt(c.container, 'readinessProbe', 'initialDelaySeconds') ?? 0);
    if (budget >= SLOW_LOAD_SECONDS && (seconds === undefined || budget > seconds)) {
      seconds = budget;
      evidence = startup
        ? `startupProbe of container '${c.name}' allows ${budget} s`
        : `readinessProbe of container '${c.name}' waits ${budget} s`;
    }
  }
  if (seconds !== undefined) return { seconds, evidence };
  const fetcher = containersOf(t.podSpec).find(
    (c) =>
      c.role === 'init' &&
      MODEL_FETCH.test(
        [c.name, strAt(c.container, 'image') ?? '', ...arrAt(c.container, 'command'), ...arrAt(c.container, 'args')].map(String).join(' '),
      ),
  );
  if (fetcher) return { evidence: `init container '${fetcher.name}' fetches the model before the server starts` };
  if (!obj) return undefined;
  for (const c of modelLoaders(t)) {
    const load = expectedLoad(c, t, obj);
    if (load && load.seconds >= SLOW_LOAD_SECONDS) return { seconds: load.seconds, evidence: `container '${c.name}': ${load.evidence}` };
  }
  return undefined;
}
