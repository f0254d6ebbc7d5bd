import { Duration } from 'cdk8s';
import * as plus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ICapacityClaimant, WorkloadCapacity } from '../core/capacity';
import { podTemplatePolicies } from '../core/pod-policies';
import type { PodMonitoringProps } from '../observability/options';
import { finiteJobWorkload } from '../observability/workload-descriptors';
import { WorkloadMonitoring, monitorWorkload } from '../observability/workload-monitoring';
import { check } from '../core/errors';
import { FiniteJobProps, IndexedPlan, JobPolicy } from '../core/job';
import { ModelProps, modelArtifact, requireCacheAttachable } from '../core/model';
import { requireWorkloadModelFitsMemory } from '../core/model-memory';
import { WorkloadLabels } from '../core/names';
import { workloadIdentity } from '../core/workload-identity';
import { PodTemplate, podBaseProps, workloadServiceAccount } from '../core/pod';

/** Shards run at once by default, at most: enough throughput without starving the cluster. */
export const DEFAULT_MAX_PARALLEL_SHARDS = 10;

/** Props of {@link BatchScoringJob}. */
export interface BatchScoringJobProps extends FiniteJobProps, PodMonitoringProps {
  /**
   * Split the input into this many shards, one pod each (an Indexed Job). The container reads its
   * shard from `JOB_COMPLETION_INDEX` (0 to shards-1) and the count from `SHARD_COUNT`, and writes
   * under a stable per-shard key, e.g. `$OUTPUT_URI/$RUN_ID/shard-$JOB_COMPLETION_INDEX`, replacing
   * what a failed attempt of the same shard left: a retried shard then never counts twice.
   * @default - one pod processes everything
   */
  readonly shards?: number;
  /** Shards running at once; at most `shards`. @default - the smaller of shards and 10 */
  readonly parallelism?: number;
  /** Retries of one shard before that shard fails; the others continue. Only with shards. @default 2 */
  readonly backoffLimitPerIndex?: number;
  /**
   * Failed shards after which the whole run stops (a systematic failure, not a bad shard). Only with shards.
   * @default - a tenth of the shards, at least 1
   */
  readonly maxFailedIndexes?: number;
  /** Where results go, passed as `OUTPUT_URI` (e.g. `s3://scores/churn`). @default - not passed */
  readonly outputUri?: string;
  /** The model that scores; shown on the pod template and fetched like a serving model. @default - baked into the image */
  readonly model?: ModelProps;
}

/**
 * Finite batch scoring: a Job (or a CronJob with `schedule`) that runs to completion, optionally
 * sharded into an Indexed Job, with retries that are safe: disruptions never count as failures,
 * declared non-retryable exit codes fail at once, a replacement pod starts only once the failed one
 * is gone, and a deadline and TTL bound every run. No probes: nothing routes traffic to it.
 */
export class BatchScoringJob extends Construct implements ICapacityClaimant {
  /**
   * The workload's name (`name`, else the construct id): the Job or CronJob, its ServiceAccount and policies are named
   * after it.
   */
  public readonly name: string;
  /** Namespace of every object: `namespace`, else the chart's, else the platform's `defaultNamespace`. */
  public readonly namespace: string;
  /** The workload's labels: the stable selector, the labels of every object and those of its pods. */
  public readonly labels: WorkloadLabels;
  /** @internal */
  public readonly policy: JobPolicy;
  /** @internal */
  public readonly pod: PodTemplate;
  /**
   * The workload's ServiceAccount, named after it, with no API token mounted unless `automountServiceAccountToken`.
   * Escape hatch (README "Extending a construct"): annotations (e.g. a cloud IAM role) and other changes through
   * cdk8s-plus or `metadata` reach the YAML.
   */
  public readonly serviceAccount: plus.ServiceAccount;
  /**
   * The default-deny NetworkPolicy (cdk8s-plus) with the declared allowances; undefined with `networkPolicy: false`.
   * Escape hatch (README "Extending a construct"): changes through its cdk8s-plus methods, `metadata` or
   * `ApiObject.of(...).addJsonPatch` reach the YAML.
   */
  public readonly networkPolicy?: plus.NetworkPolicy;
  /**
   * Monitors, alert rules and runbook entries (`monitoring.serviceMonitor`/`podMonitor`, `monitoring.prometheusRule`
   * are escape hatches); undefined unless monitoring is on (prop or platform default).
   */
  public readonly monitoring?: WorkloadMonitoring;
  /**
   * The Job (cdk8s-plus); undefined with a `schedule`. Escape hatch (README "Extending a construct"): the env, mounts,
   * ports, containers, volumes, tolerations and pod metadata you add through cdk8s-plus are merged with the construct's
   * own at synth; changing what it owns (its containers' probes, security context and env) fails synth.
   */
  public readonly job?: plus.Job;
  /**
   * The CronJob (cdk8s-plus); undefined without a `schedule`. Escape hatch (README "Extending a construct"): the env,
   * mounts, ports, containers, volumes, tolerations and pod metadata you add through cdk8s-plus are merged with the
   * construct's own at synth; changing what it owns (its containers' probes, security context and env) fails synth.
   */
  public readonly cronJob?: plus.CronJob;
  /** Shards (1 when not sharded). */
  public readonly shards: number;
  /** Shards processed at once. */
  public readonly parallelism: number;

  /** Creates the Job (or CronJob) and its objects; throws `MlValidationError` for props a cluster would refuse. */
  constructor(scope: Construct, id: string, props: BatchScoringJobProps) {
    super(scope, id);
    const { name, namespace, labels } = workloadIdentity(this, id, props, 'batch-scoring', props.model?.version);
    this.name = name;
    this.namespace = namespace;
    this.labels = labels;
    const model = props.model ? modelArtifact(this, props.model) : undefined;
    const indexed = this.shardPlan(props);
    this.shards = indexed?.completions ?? 1;
    this.parallelism = indexed?.parallelism ?? 1;
    requireCacheAttachable(this, props.model?.cache, this.parallelism, 'the shards scored in parallel', 'parallelism: 1');
    this.policy = new JobPolicy(this, props, {
      containerName: 'scorer',
      defaultActiveDeadline: Duration.hours(6),
      defaultBackoffLimit: 3,
      indexed,
    });

    const shape = {
      kind: 'batch' as const,
      containerName: 'scorer',
      ports: props.metricsPort !== undefined ? [{ name: 'metrics', containerPort: props.metricsPort, field: 'metricsPort' }] : undefined,
      env: {
        ...this.policy.env,
        ...model?.env,
        ...(indexed ? { SHARD_COUNT: String(indexed.completions) } : {}),
        ...(props.outputUri ? { OUTPUT_URI: props.outputUri } : {}),
      },
      mounts: model?.mounts,
      initContainers: model?.initContainers,
      defaultSharedMemory: '2Gi',
      extraTolerations: this.policy.spot?.tolerations,
      nodeAffinity: this.policy.spot?.nodeAffinity,
    };
    this.pod = new PodTemplate(this, props, shape);
    requireWorkloadModelFitsMemory(this, {
      model: props.model,
      modelField: 'model',
      resources: props.resources,
      accelerator: !!this.pod.accelerator,
    });
    this.serviceAccount = workloadServiceAccount(
      this,
      name,
      this.namespace,
      this.labels.common,
      props.automountServiceAccountToken ?? false,
    );
    const workload = this.policy.createWorkload({
      metadata: { name, namespace: this.namespace, labels: this.labels.common },
      podMetadata: { labels: { ...this.labels.pod, ...model?.podLabels }, annotations: model?.podAnnotations },
      podProps: podBaseProps(props, this.serviceAccount, shape),
      pod: this.pod,
    });
    this.job = workload.job;
    this.cronJob = workload.cronJob;
    const policies = podTemplatePolicies(this, {
      name,
      namespace: this.namespace,
      labels: this.labels.common,
      selector: this.labels.selector,
      networkPolicy: props.networkPolicy,
      needsEgressFor: props.outputUri || props.model?.uri ? 'writing results to outputUri / fetching model.uri' : undefined,
      metrics: props.metricsPort !== undefined ? { port: props.metricsPort, portName: 'metrics' } : undefined,
      monitor: (metrics) => monitorWorkload(this, props.monitoring, () => finiteJobWorkload(this, metrics?.portName)),
    });
    this.networkPolicy = policies.networkPolicy;
    this.monitoring = policies.monitoring;
  }

  /** At worst: `parallelism` pods of one run at once (CronJob runs do not overlap by default). */
  public capacity(): WorkloadCapacity {
    return {
      name: this.name,
      namespace: this.namespace,
      kind: 'batch',
      maxPods: this.parallelism,
      perPod: this.pod.renderedAmounts(),
      claims: { count: 0, storage: 0 },
    };
  }

  private shardPlan(props: BatchScoringJobProps): IndexedPlan | undefined {
    if (props.shards === undefined) {
      for (const field of ['parallelism', 'backoffLimitPerIndex', 'maxFailedIndexes'] as const) {
        check(props[field] === undefined, this, {
          field,
          value: props[field],
          problem: 'is set without shards',
          fix: `set shards (the number of input shards), or drop ${field}`,
        });
      }
      return undefined;
    }
    const shards = props.shards;
    check(Number.isInteger(shards) && shards >= 1 && shards <= 100_000, this, {
      field: 'shards',
      value: shards,
      problem: 'is not an integer from 1 to 100000',
      fix: 'split the input into 1 or more shards (at most 100000 per Job)',
    });
    const parallelism = props.parallelism ?? Math.min(shards, DEFAULT_MAX_PARALLEL_SHARDS);
    check(Number.isInteger(parallelism) && parallelism >= 1, this, {
      field: 'parallelism',
      value: parallelism,
      problem: 'is not a positive integer',
      fix: 'set parallelism: 1 or more',
    });
    check(parallelism <= shards, this, {
      field: 'parallelism',
      value: parallelism,
      problem: `is above shards (${shards}), so pods would have no shard to process`,
      fix: `use at most ${shards}`,
    });
    const backoffLimitPerIndex = props.backoffLimitPerIndex ?? 2;
    check(Number.isInteger(backoffLimitPerIndex) && backoffLimitPerIndex >= 0, this, {
      field: 'backoffLimitPerIndex',
      value: backoffLimitPerIndex,
      problem: 'is not a non-negative integer',
      fix: 'allow a few retries per shard, e.g. 2',
    });
    const maxFailedIndexes = props.maxFailedIndexes ?? Math.max(1, Math.floor(shards / 10));
    check(Number.isInteger(maxFailedIndexes) && maxFailedIndexes >= 0 && maxFailedIndexes <= shards, this, {
      field: 'maxFailedIndexes',
      value: maxFailedIndexes,
      problem: `is not an integer from 0 to shards (${shards})`,
      fix: 'tolerate a few failed shards, e.g. a tenth of them',
    });
    return { completions: shards, parallelism, backoffLimitPerIndex, maxFailedIndexes };
  }
}
