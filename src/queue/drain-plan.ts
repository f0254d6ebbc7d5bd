import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { requireWholeSeconds } from '../core/durations';
import { check } from '../core/errors';

/** Deployment + ScaledObject (or HPA), or ScaledJob. */
export type WorkerExecution = 'deployment' | 'job';

/** The drain contract of a worker: how long one message may take, and what runs it. */
export interface DrainProps {
  /** Longest time one message (or batch) takes to process. */
  readonly maxProcessingTime: Duration;
  /** Time after that for acknowledging and exiting. */
  readonly shutdownMargin?: Duration;
  /** `auto`: a Deployment while `maxProcessingTime + shutdownMargin` ≤ `jobThreshold`, else a ScaledJob. */
  readonly execution?: 'auto' | WorkerExecution;
  readonly jobThreshold?: Duration;
}

/** The resolved drain contract. */
export interface DrainPlan {
  readonly execution: WorkerExecution;
  /** Grace period a Deployment pod gets on scale-in: processing time plus margin. */
  readonly drainSeconds: number;
  readonly marginSeconds: number;
  readonly processingSeconds: number;
}

/** Cluster Autoscaler's default `--max-graceful-termination-sec`: it cuts longer grace periods short when it empties a node. */
export const DEFAULT_JOB_THRESHOLD = Duration.minutes(10);

/** Resolves and validates the drain contract. */
export function drainPlan(scope: IConstruct, props: DrainProps): DrainPlan {
  check(props.maxProcessingTime !== undefined, scope, {
    field: 'maxProcessingTime',
    value: undefined,
    problem: 'is required (the drain contract)',
    fix: 'declare the longest time one message takes, e.g. Duration.minutes(2); scale-in then waits that long before stopping a worker',
  });
  const processingSeconds = wholeSeconds(scope, 'maxProcessingTime', props.maxProcessingTime);
  check(processingSeconds > 0, scope, {
    field: 'maxProcessingTime',
    value: '0s',
    problem: 'is zero',
    fix: 'declare the longest time one message takes',
  });
  const marginSeconds = wholeSeconds(scope, 'shutdownMargin', props.shutdownMargin ?? Duration.seconds(30));
  const thresholdSeconds = wholeSeconds(scope, 'jobThreshold', props.jobThreshold ?? DEFAULT_JOB_THRESHOLD);
  const drainSeconds = processingSeconds + marginSeconds;
  const requested = props.execution ?? 'auto';
  check(['auto', 'deployment', 'job'].includes(requested), scope, {
    field: 'execution',
    value: requested,
    problem: 'is not supported',
    fix: "use 'auto', 'deployment' or 'job'",
  });
  const execution: WorkerExecution = requested === 'auto' ? (drainSeconds > thresholdSeconds ? 'job' : 'deployment') : requested;
  return { execution, drainSeconds, marginSeconds, processingSeconds };
}

/** `d` in whole seconds, or an error naming `field`. */
export function wholeSeconds(scope: IConstruct, field: string, d: Duration): number {
  return requireWholeSeconds(scope, field, d);
}
