import { ApiObject, Duration } from 'cdk8s';
import * as plus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import type { ScaledObject, ScaledObjectSpecFallbackBehavior } from '../../imports/keda-scaledobject-keda.sh';
import type { TriggerAuthentication } from '../../imports/keda-triggerauthentication-keda.sh';
import { ScalingBehavior, ScalingMetric, scalingBehaviorSpec, scalingRules, startupAwareBehavior } from '../core/autoscaling';
import { ICapacityClaimant, WorkloadCapacity } from '../core/capacity';
import { EgressPolicyProps } from '../core/network';
import { podTemplatePolicies } from '../core/pod-policies';
import type { PodMonitoringProps } from '../observability/options';
import { queueWorkerWorkload } from '../observability/workload-descriptors';
import { WorkloadMonitoring, monitorWorkload } from '../observability/workload-monitoring';
import { requireWholeNumber } from '../core/durations';
import { requireAddonFeature } from '../core/addon-support';
import { check } from '../core/errors';
import { WorkloadLabels, requireDnsLabel } from '../core/names';
import { workloadIdentity } from '../core/workload-identity';
import { PodShape, PodTemplate, MlWorkloadProps, podBaseProps, workloadServiceAccount } from '../core/pod';
import { workerProbes, WorkerProbesProps } from './worker-probes';
import { DisruptionBudgetProps, workloadDisruptionBudget } from '../core/disruption-budget';
import { autoscalerConflict, claimAutoscaling } from '../core/autoscaler-conflicts';
import { WorkerExecution, drainPlan, wholeSeconds } from './drain-plan';
import { ScaledJobOptions, kedaTriggers, scaledJobSpec } from '../keda/keda-objects';
import { recordRenderedPath } from '../core/gate';
import { scaledJobs, scaledObjects, triggerAuthentications } from '../keda/generated';
import '../keda/keda-gate';
import { TriggerAuth } from '../keda/trigger-auth';
import { QueueTrigger, RenderedTrigger } from '../keda/triggers';

type ObjectMeta = { readonly name: string; readonly namespace: string; readonly labels: Record<string, string> };

/** Replicas KEDA holds while the scaler cannot read its source. */
export interface QueueFallbackProps {
  /** Replicas to run meanwhile. */
  readonly replicas: number;
  /** Failed polls in a row before falling back. @default 3 */
  readonly failureThreshold?: number;
  /** `static`: exactly `replicas`; the others keep the current count (if higher / lower). @default 'static' */
  readonly behavior?: 'static' | 'currentReplicas' | 'currentReplicasIfHigher' | 'currentReplicasIfLower';
}

/** Props of {@link QueueWorker}. */
export interface QueueWorkerProps extends MlWorkloadProps, PodMonitoringProps {
  /** What KEDA scales on. Required unless `externalMetrics`. @default - none */
  readonly triggers?: QueueTrigger[];
  /**
   * The drain contract: the longest time one message (or batch) takes. A Deployment worker gets this
   * plus `shutdownMargin` as its termination grace period, so a scale-in lets it finish; past
   * `jobThreshold` the worker becomes a KEDA ScaledJob (one Job per batch of messages).
   */
  readonly maxProcessingTime: Duration;
  /** Time after `maxProcessingTime` to acknowledge and exit. @default Duration.seconds(30) */
  readonly shutdownMargin?: Duration;
  /** `deployment`, `job`, or `auto` (decided by `jobThreshold`). @default 'auto' */
  readonly execution?: 'auto' | WorkerExecution;
  /**
   * Grace periods above this make the worker a ScaledJob (with `execution: 'auto'`).
   * @default Duration.minutes(10) (Cluster Autoscaler's default max graceful termination)
   */
  readonly jobThreshold?: Duration;
  /** Replica floor (parallel Jobs kept for a ScaledJob). @default 0 (scale to zero); 1 with externalMetrics */
  readonly minReplicas?: number;
  /** Replica ceiling (at most this many Jobs at once for a ScaledJob). */
  readonly maxReplicas: number;
  /** Replicas while no trigger is active; below minReplicas (KEDA). @default - not set */
  readonly idleReplicas?: number;
  /** How often KEDA reads the triggers. @default Duration.seconds(30) */
  readonly pollingInterval?: Duration;
  /** Time after the last activity before scaling to zero. @default Duration.minutes(5) */
  readonly cooldownPeriod?: Duration;
  /** Time after creation before the first scale to zero. @default - KEDA's (no delay) */
  readonly initialCooldownPeriod?: Duration;
  /**
   * Time a new worker needs before it consumes (scheduling, image pull, model load). A
   * scale-to-zero cooldownPeriod must not be shorter; a ScaledJob's activeDeadlineSeconds adds it
   * to the drain time.
   * @default - not declared (no cooldown check; 10 minutes in a ScaledJob's deadline)
   */
  readonly startupTime?: Duration;
  /** Replicas KEDA keeps while a trigger's source cannot be read (e.g. the broker is down). @default - no fallback */
  readonly fallback?: QueueFallbackProps;
  /**
   * HPA scaling behaviour (KEDA passes it to the HPA it creates).
   * @default - fast scale-up; scale-down after a stabilization window of 5 minutes, or of `startupTime` when longer
   */
  readonly behavior?: ScalingBehavior;
  /**
   * Declares that CPU or memory is what limits this worker: without it, a worker scaled on cpu/memory triggers
   * only is an error (the backlog waiting in the broker is invisible to those triggers).
   * @default false
   */
  readonly resourceBound?: boolean;
  /**
   * Scale with a plain autoscaling/v2 HPA on these External metrics instead of KEDA, for clusters
   * with another external-metrics adapter. An HPA cannot scale to zero: minReplicas is then ≥ 1.
   * @default - KEDA
   */
  readonly externalMetrics?: ScalingMetric[];
  /** Only with a replica floor of 2 or more. `false` for none. @default - maxUnavailable derived from the floor */
  readonly disruptionBudget?: DisruptionBudgetProps | false;
  /** ScaledJob settings. @default - see ScaledJobOptions */
  readonly job?: ScaledJobOptions;
  /** Spread Deployment workers over nodes and zones. @default true */
  readonly topologySpread?: boolean;
  /**
   * Health checks of the worker, on an endpoint it serves (a worker takes no traffic, so the library
   * cannot guess one). Liveness restarts a consumer that hangs while holding its messages; with
   * `startupTime` it starts only after a startup probe that allows that long.
   * @default - none
   */
  readonly probes?: WorkerProbesProps;
  /**
   * The workers' NetworkPolicy: no ingress, DNS and `egressTo` (the broker) only. `false` for none.
   * @default - none: synth fails until `egressTo` names the broker (or `networkPolicy: false`)
   */
  readonly networkPolicy?: EgressPolicyProps | false;
}

/**
 * An asynchronous queue consumer that scales on demand, down to zero, and drains before it stops:
 * a Deployment with a KEDA ScaledObject (or a plain HPA on External metrics), or a KEDA ScaledJob
 * for long-running work; TriggerAuthentications from Secret references; a ServiceAccount without
 * token; a PodDisruptionBudget when the floor is 2 or more. No Service: workers take no traffic.
 */
export class QueueWorker extends Construct implements ICapacityClaimant {
  /**
   * The workload's name (`name`, else the construct id): the Deployment or ScaledJob, its ScaledObject, ServiceAccount
   * and policies are named after it.
   */
  public readonly name: string;
  /** Namespace of every object: `namespace`, else the chart's, else the platform's `defaultNamespace`. */
  public readonly namespace: string;
  /** The workload's labels: the stable selector, the labels of every object and those of its pods. */
  public readonly labels: WorkloadLabels;
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
  /** `deployment` or `job` (ScaledJob). */
  public readonly execution: WorkerExecution;
  /** Grace period of a worker pod. */
  public readonly terminationGracePeriod: Duration;
  /**
   * The workers' Deployment (cdk8s-plus); undefined for a ScaledJob. Escape hatch (README "Extending a construct"): the
   * env, mounts, ports, containers, volumes, tolerations and pod metadata you add through cdk8s-plus are merged with
   * the construct's own at synth; changing what it owns (its containers' probes, security context and env) fails synth.
   */
  public readonly deployment?: plus.Deployment;
  /**
   * The KEDA ScaledObject scaling the Deployment; undefined for a ScaledJob or with `externalMetrics`. Escape hatch
   * (README "Extending a construct"): `metadata` and `addJsonPatch` changes reach the YAML.
   */
  public readonly scaledObject?: ScaledObject;
  /**
   * The KEDA ScaledJob (long-running work: KEDA starts Jobs while messages wait); undefined for a Deployment. Escape
   * hatch (README "Extending a construct"): `metadata` and `addJsonPatch` changes reach the YAML; a patch that changes
   * what the construct owns in its pod templates (probes, security context, env) fails synth.
   */
  public readonly scaledJob?: ApiObject;
  /**
   * The first generated TriggerAuthentication (KEDA), if any. Escape hatch (README "Extending a construct"): `metadata`
   * and `addJsonPatch` changes reach the YAML.
   */
  public readonly triggerAuthentication?: TriggerAuthentication;
  /**
   * Every generated TriggerAuthentication (KEDA), one per distinct `TriggerAuth`. Escape hatch (README "Extending a
   * construct"): `metadata` and `addJsonPatch` changes reach the YAML.
   */
  public readonly triggerAuthentications: TriggerAuthentication[];
  /**
   * The HorizontalPodAutoscaler (cdk8s-plus); only with `externalMetrics`. Escape hatch (README "Extending a
   * construct"): changes through its cdk8s-plus methods, `metadata` or `ApiObject.of(...).addJsonPatch` reach the YAML.
   */
  public readonly autoscaler?: plus.HorizontalPodAutoscaler;
  /**
   * The PodDisruptionBudget (generated `k8s` class); only for a Deployment with a replica floor of 2 or more. Escape
   * hatch (README "Extending a construct"): `metadata` and `addJsonPatch` changes reach the YAML.
   */
  public readonly disruptionBudget?: k8s.KubePodDisruptionBudget;
  /** The replica floor: `minReplicas`, else 0 with KEDA (scale to zero) and 1 with `externalMetrics`. */
  public readonly minReplicas: number;
  /** The replica ceiling (Jobs at once for a ScaledJob); the quota and capacity checks count this many pods. */
  public readonly maxReplicas: number;

  /**
   * Creates the workers, their scaler and its TriggerAuthentications; throws `MlValidationError` for props a cluster
   * would refuse.
   */
  constructor(scope: Construct, id: string, props: QueueWorkerProps) {
    super(scope, id);
    const { name, namespace, labels, meta } = workloadIdentity(this, id, props, 'queue-worker');
    this.name = name;
    this.namespace = namespace;
    this.labels = labels;
    const { drain, keda } = this.modePlan(props);
    this.execution = drain.execution;
    this.minReplicas = props.minReplicas ?? (keda ? 0 : 1);
    this.maxReplicas = props.maxReplicas;
    this.requireReplicaBounds(props, keda);
    this.terminationGracePeriod = Duration.seconds(drain.execution === 'job' ? drain.marginSeconds : drain.drainSeconds);
    const shape = this.workerShape(props, drain.execution);
    this.pod = new PodTemplate(this, props, shape);

    this.serviceAccount = workloadServiceAccount(this, name, namespace, labels.common, props.automountServiceAccountToken ?? false);
    const triggers = keda ? this.renderTriggers(props, drain.execution) : [];
    const auths = this.triggerAuths(triggers, meta);
    this.triggerAuthentications = auths.objects;
    this.triggerAuthentication = auths.objects[0];
    const kedaTriggerList = kedaTriggers(this, 'triggers', triggers, auths.refs);
    if (props.initialCooldownPeriod)
      requireAddonFeature(this, 'keda.initialCooldownPeriod', 'initialCooldownPeriod', props.initialCooldownPeriod.toHumanString());
    if (drain.execution === 'job') {
      this.scaledJob = this.kedaScaledJob(props, meta, drain.drainSeconds, kedaTriggerList);
      recordKedaProps(this.scaledJob, this, triggers.length);
    } else {
      this.deployment = this.workerDeployment(props, meta, shape);
      if (keda) this.scaledObject = this.kedaScaledObject(props, meta, kedaTriggerList);
      if (this.scaledObject) recordKedaProps(this.scaledObject, this, triggers.length);
      else this.autoscaler = this.externalMetricsHpa(props, meta, this.deployment);
      this.disruptionBudget = this.workerDisruptionBudget(props, meta);
    }
    const policies = this.renderPolicies(props);
    this.networkPolicy = policies.networkPolicy;
    this.monitoring = policies.monitoring;
    this.claimReplicaCount(keda);
  }

  /** How the worker runs (a Deployment draining in place, or a KEDA ScaledJob) and what scales it (KEDA or external metrics). */
  private modePlan(props: QueueWorkerProps): { drain: ReturnType<typeof drainPlan>; keda: boolean } {
    const drain = drainPlan(this, props);
    const keda = props.externalMetrics === undefined;
    check(keda || drain.execution === 'deployment', this, {
      field: 'externalMetrics',
      value: props.externalMetrics?.length,
      problem: `cannot drive a ScaledJob (maxProcessingTime + shutdownMargin = ${drain.drainSeconds}s needs one)`,
      fix: "use KEDA triggers for long-running work, or set execution: 'deployment' and accept the longer grace period",
    });
    this.requireModeProps(props, keda, drain.execution);
    return { drain, keda };
  }

  /** The worker's pod shape: its metrics port, the drain's grace period, spread (Deployments) and probes. */
  private workerShape(props: QueueWorkerProps, execution: WorkerExecution): PodShape {
    return {
      kind: 'queue',
      containerName: 'worker',
      ports: props.metricsPort !== undefined ? [{ name: 'metrics', containerPort: props.metricsPort, field: 'metricsPort' }] : undefined,
      terminationGracePeriod: this.terminationGracePeriod,
      spreadSelector: execution === 'deployment' && props.topologySpread !== false ? this.labels.selector : undefined,
      defaultSharedMemory: '1Gi',
      probes: workerProbes(this, props.probes, props.metricsPort, props.startupTime),
    };
  }

  /** Every mode (ScaledJob, Deployment with a ScaledObject or an HPA) gets the same policies. */
  private renderPolicies(props: QueueWorkerProps): { networkPolicy?: plus.NetworkPolicy; monitoring?: WorkloadMonitoring } {
    return podTemplatePolicies(this, {
      name: this.name,
      namespace: this.namespace,
      labels: this.labels.common,
      selector: this.labels.selector,
      networkPolicy: props.networkPolicy,
      needsEgressFor: 'consuming from the queue',
      metrics: props.metricsPort !== undefined ? { port: props.metricsPort, portName: 'metrics' } : undefined,
      monitor: (metrics) => monitorWorkload(this, props.monitoring, () => queueWorkerWorkload(this, metrics?.portName)),
    });
  }

  /** Registers the app-wide check that nothing else scales the Deployment (a ScaledJob creates its own Jobs). */
  private claimReplicaCount(keda: boolean): void {
    if (!this.deployment) return;
    const own = [this.scaledObject, this.autoscaler && ApiObject.of(this.autoscaler)].filter((o): o is ApiObject => o !== undefined);
    claimAutoscaling(this, {
      namespace: this.namespace,
      name: this.name,
      own,
      report: (other, vertical) => autoscalerConflict(this, this.name, other, vertical, keda ? 'ScaledObject' : 'HorizontalPodAutoscaler'),
    });
  }

  /** At worst: maxReplicas workers (or Jobs), plus a 25 % rollout surge for CPU Deployments. */
  public capacity(): WorkloadCapacity {
    const surge = this.deployment && !this.pod.accelerator ? Math.ceil(this.maxReplicas * 0.25) : 0;
    return {
      name: this.name,
      namespace: this.namespace,
      kind: 'queue',
      maxPods: this.maxReplicas + surge,
      perPod: this.pod.renderedAmounts(),
      claims: { count: 0, storage: 0 },
    };
  }

  private kedaScaledJob(
    props: QueueWorkerProps,
    meta: ObjectMeta,
    drainSeconds: number,
    triggers: ReturnType<typeof kedaTriggers>,
  ): ApiObject {
    const scaledJob = new ApiObject(this, 'ScaledJob', {
      ...scaledJobs().ScaledJob.GVK,
      metadata: meta,
      spec: scaledJobSpec(this, {
        podLabels: this.labels.pod,
        podSpec: this.pod.toPodSpec({ serviceAccountName: this.name, restartPolicy: 'Never' }),
        // The Job may take the declared processing time plus the time to get a node and start.
        activeDeadlineSeconds: drainSeconds + wholeSeconds(this, 'startupTime', props.startupTime ?? Duration.minutes(10)),
        minReplicas: this.minReplicas,
        maxReplicas: this.maxReplicas,
        pollingInterval: wholeSeconds(this, 'pollingInterval', props.pollingInterval ?? Duration.seconds(30)),
        triggers,
        options: props.job ?? {},
      }),
    });
    this.pod.bindTo(scaledJob, (json) => json.spec?.jobTargetRef?.template?.spec);
    return scaledJob;
  }

  private externalMetricsHpa(props: QueueWorkerProps, meta: ObjectMeta, target: plus.Deployment): plus.HorizontalPodAutoscaler {
    return new plus.HorizontalPodAutoscaler(this, 'Autoscaler', {
      metadata: meta,
      target,
      minReplicas: this.minReplicas,
      maxReplicas: this.maxReplicas,
      metrics: props.externalMetrics!.map((m, i) => {
        check(m.type === 'external', this, {
          field: `externalMetrics[${i}]`,
          value: m.type,
          problem: 'is not an External metric',
          fix: 'use ScalingMetric.external(name, averageValue, matchLabels)',
        });
        return m.toPlus(this, `externalMetrics[${i}]`);
      }),
      scaleUp: scalingRules(this, 'behavior.scaleUp', this.behavior(props)?.scaleUp, true),
      scaleDown: scalingRules(this, 'behavior.scaleDown', this.behavior(props)?.scaleDown, false),
    });
  }

  private workerDisruptionBudget(props: QueueWorkerProps, meta: ObjectMeta): k8s.KubePodDisruptionBudget | undefined {
    check(props.disruptionBudget === undefined || props.disruptionBudget === false || this.minReplicas >= 2, this, {
      field: 'disruptionBudget',
      value: props.disruptionBudget,
      problem: `is set, but the replica floor (${this.minReplicas}) is below 2: a budget would hold up node drains for a lone worker (or protect nothing at zero)`,
      fix: 'remove disruptionBudget, or raise minReplicas to 2 or more',
    });
    if (props.disruptionBudget === false || this.minReplicas < 2) return undefined;
    return workloadDisruptionBudget(this, meta, this.labels.selector, props.disruptionBudget ?? {}, this.minReplicas).budget;
  }

  private requireModeProps(props: QueueWorkerProps, keda: boolean, execution: WorkerExecution): void {
    const kedaOnly = {
      idleReplicas: props.idleReplicas,
      cooldownPeriod: props.cooldownPeriod,
      initialCooldownPeriod: props.initialCooldownPeriod,
      fallback: props.fallback,
      triggers: props.triggers,
    };
    for (const [field, value] of Object.entries(kedaOnly)) {
      check(keda || value === undefined, this, {
        field,
        value: field === 'triggers' ? (value as unknown[] | undefined)?.length : value,
        problem: 'is a KEDA setting, but externalMetrics selects a plain HPA',
        fix: `remove ${field}, or drop externalMetrics to use KEDA`,
      });
    }
    if (execution === 'job') {
      const deploymentOnly = {
        idleReplicas: props.idleReplicas,
        cooldownPeriod: props.cooldownPeriod,
        initialCooldownPeriod: props.initialCooldownPeriod,
        fallback: props.fallback,
        behavior: props.behavior,
        disruptionBudget: props.disruptionBudget === false ? undefined : props.disruptionBudget,
      };
      for (const [field, value] of Object.entries(deploymentOnly)) {
        check(value === undefined, this, {
          field,
          value,
          problem:
            "applies to a Deployment worker, but this worker runs as a ScaledJob (maxProcessingTime + shutdownMargin exceeds jobThreshold, or execution: 'job')",
          fix: `remove ${field}, or set execution: 'deployment'`,
        });
      }
    } else {
      check(props.job === undefined, this, {
        field: 'job',
        value: props.job,
        problem: 'configures a ScaledJob, but this worker runs as a Deployment',
        fix: "remove job, or set execution: 'job'",
      });
    }
  }

  private requireReplicaBounds(props: QueueWorkerProps, keda: boolean): void {
    const min = this.minReplicas;
    const max = this.maxReplicas;
    requireWholeNumber(this, 'minReplicas', min, keda ? 0 : 1);
    requireWholeNumber(this, 'maxReplicas', max, 10);
    if (props.idleReplicas !== undefined) requireWholeNumber(this, 'idleReplicas', props.idleReplicas, 0);
    check(Number.isInteger(min) && min >= (keda ? 0 : 1), this, {
      field: 'minReplicas',
      value: min,
      problem: keda ? 'is below 0' : 'is 0, but a plain HPA (externalMetrics) cannot scale to zero: the minimum is 1',
      fix: keda
        ? 'use 0 (scale to zero) or more'
        : 'set minReplicas: 1 or more, or use KEDA triggers instead of externalMetrics to scale to zero',
    });
    check(Number.isInteger(max) && max >= 1, this, {
      field: 'maxReplicas',
      value: max,
      problem: 'is below 1',
      fix: 'set maxReplicas: 1 or more',
    });
    check(max >= min, this, {
      field: 'maxReplicas',
      value: max,
      problem: `is below minReplicas (${min})`,
      fix: 'set maxReplicas >= minReplicas',
    });
    if (props.idleReplicas !== undefined) {
      check(Number.isInteger(props.idleReplicas) && props.idleReplicas >= 0 && props.idleReplicas < min, this, {
        field: 'idleReplicas',
        value: props.idleReplicas,
        problem: `is not below minReplicas (${min}); KEDA rejects it`,
        fix: min === 0 ? 'remove idleReplicas: with minReplicas 0 the worker already scales to zero when idle' : `use 0 to ${min - 1}`,
      });
    }
  }

  private renderTriggers(props: QueueWorkerProps, execution: WorkerExecution): RenderedTrigger[] {
    const list = props.triggers ?? [];
    check(list.length > 0, this, {
      field: 'triggers',
      value: list.length,
      problem: 'is empty',
      fix: "add what to scale on, e.g. QueueTrigger.rabbitmq({ queueName: 'jobs', value: 10, hostFromEnv: 'RABBITMQ_URL' })",
    });
    const rendered = list.map((t, i) => t.render(this, `triggers[${i}]`));
    rendered.forEach((t, i) =>
      check(t.name === undefined || rendered.findIndex((o) => o.name === t.name) === i, this, {
        field: `triggers[${i}].name`,
        value: t.name,
        problem: 'is used by an earlier trigger; KEDA requires unique trigger names',
        fix: 'give each trigger its own name',
      }),
    );

    const declared = new Set(Object.keys(props.env ?? {}));
    const opaqueEnv = (props.envFrom ?? []).length > 0;
    rendered.forEach((t, i) =>
      Object.entries(t.envRefs).forEach(([key, v]) =>
        check(opaqueEnv || declared.has(v), this, {
          field: `triggers[${i}].${key}`,
          value: v,
          problem: 'names a variable the worker container does not set; KEDA reads it from there',
          fix: `add env: { ${v}: MlEnvValue.fromSecret('<secret>', '<key>') } to the worker`,
        }),
      ),
    );

    const resources = rendered.filter((t) => t.resource);
    const queues = rendered.filter((t) => !t.resource);
    rendered.forEach((t, i) => {
      if (!t.resource) return;
      check(execution === 'deployment', this, {
        field: `triggers[${i}]`,
        value: t.type,
        problem: 'is a resource trigger, which a ScaledJob does not support',
        fix: "replace it with the queue's own trigger (QueueTrigger.rabbitmq, .kafka, .sqs, ...), or set execution: 'deployment'",
      });
      const request = this.pod.resources.requests[t.resource];
      check(request !== undefined && request !== '0', this, {
        field: `triggers[${i}]`,
        value: t.type,
        problem: `needs a ${t.resource} request on the worker container (utilization is relative to it)`,
        fix: `set resources.${t.resource}`,
      });
    });
    if (execution === 'deployment') {
      check(!(queues.length === 0 && this.minReplicas === 0), this, {
        field: 'minReplicas',
        value: 0,
        problem: `cannot scale to zero with only ${resources.map((t) => t.type).join('/')} triggers; KEDA rejects it`,
        fix: 'add a queue trigger, or set minReplicas: 1',
      });
      this.requireFallback(props, rendered);
      this.requireCooldown(props);
      check(queues.length > 0 || props.resourceBound === true, this, {
        field: 'triggers',
        value: resources.map((t) => t.type).join(', '),
        problem:
          'scale the worker on CPU/memory only: the backlog waiting in the broker is invisible to them, so a queue can grow while the workers idle on I/O',
        fix: "add the queue's own trigger (QueueTrigger.rabbitmq, .kafka, .sqs, ...), or set resourceBound: true if CPU or memory is the measured bottleneck",
      });
    }
    return rendered;
  }

  private requireFallback(props: QueueWorkerProps, triggers: RenderedTrigger[]): void {
    const f = props.fallback;
    if (!f) return;
    check(
      triggers.some((t) => !t.resource && (t.metricType ?? 'AverageValue') === 'AverageValue'),
      this,
      {
        field: 'fallback',
        value: f,
        problem: 'needs a trigger other than cpu/memory with metricType AverageValue; KEDA rejects it otherwise',
        fix: "add a queue trigger with metricType 'AverageValue' (the default), or remove fallback",
      },
    );
    check(Number.isInteger(f.replicas) && f.replicas >= 0 && f.replicas <= this.maxReplicas, this, {
      field: 'fallback.replicas',
      value: f.replicas,
      problem: `is outside 0-${this.maxReplicas} (maxReplicas)`,
      fix: `set fallback.replicas between 0 and maxReplicas (${this.maxReplicas})`,
    });
    check(
      f.behavior === undefined || ['static', 'currentReplicas', 'currentReplicasIfHigher', 'currentReplicasIfLower'].includes(f.behavior),
      this,
      {
        field: 'fallback.behavior',
        value: f.behavior,
        problem: 'is not supported by KEDA',
        fix: "use 'static', 'currentReplicas', 'currentReplicasIfHigher' or 'currentReplicasIfLower'",
      },
    );
    if (f.failureThreshold !== undefined) requireWholeNumber(this, 'fallback.failureThreshold', f.failureThreshold, 3);
    check(f.failureThreshold === undefined || (Number.isInteger(f.failureThreshold) && f.failureThreshold >= 1), this, {
      field: 'fallback.failureThreshold',
      value: f.failureThreshold,
      problem: 'is below 1',
      fix: 'fall back after 1 or more failed polls (e.g. 3)',
    });
  }

  /** The HPA behaviour: a scale-down window no shorter than the declared startup. */
  private behavior(props: QueueWorkerProps): ScalingBehavior | undefined {
    if (props.startupTime === undefined) return props.behavior;
    const seconds = wholeSeconds(this, 'startupTime', props.startupTime);
    return startupAwareBehavior(this, 'behavior', props.behavior, { seconds, why: 'startupTime' });
  }

  private requireCooldown(props: QueueWorkerProps): void {
    const scalesToZero = this.minReplicas === 0 || props.idleReplicas === 0;
    if (!scalesToZero || props.startupTime === undefined) return;
    const startup = wholeSeconds(this, 'startupTime', props.startupTime);
    const cooldown = wholeSeconds(this, 'cooldownPeriod', props.cooldownPeriod ?? Duration.minutes(5));
    check(cooldown >= startup, this, {
      field: 'cooldownPeriod',
      value: `${cooldown}s`,
      problem: `is shorter than startupTime (${startup}s): workers would be scaled to zero while still starting`,
      fix: `set cooldownPeriod to at least ${startup}s`,
    });
  }

  private triggerAuths(
    triggers: RenderedTrigger[],
    meta: ObjectMeta,
  ): { refs: Map<RenderedTrigger, { name: string; kind?: string }>; objects: TriggerAuthentication[] } {
    const refs = new Map<RenderedTrigger, { name: string; kind?: string }>();
    const generated = new Map<TriggerAuth, TriggerAuthentication>();
    const distinct = new Set(triggers.filter((t) => t.auth && !t.auth.existing).map((t) => t.auth)).size;
    triggers.forEach((t, i) => {
      if (!t.auth) return;
      const field = `triggers[${i}].auth`;
      const spec = t.auth.toSpec(this, field);
      if (!spec) {
        refs.set(t, { name: t.auth.existing!.name, kind: t.auth.existing!.kind });
        return;
      }
      let ta = generated.get(t.auth);
      if (!ta) {
        const authName = distinct === 1 ? meta.name : `${meta.name}-${t.name ?? t.type}`;
        requireDnsLabel(this, `${field} (TriggerAuthentication name)`, authName);
        check(![...generated.values()].some((g) => g.name === authName), this, {
          field: `triggers[${i}].name`,
          value: t.name,
          problem: `would name a second TriggerAuthentication '${authName}'`,
          fix: 'give triggers with different auth distinct names',
        });
        ta = new (triggerAuthentications().TriggerAuthentication)(
          this,
          generated.size ? `TriggerAuthentication${generated.size}` : 'TriggerAuthentication',
          {
            metadata: { ...meta, name: authName },
            spec,
          },
        );
        generated.set(t.auth, ta);
      }
      refs.set(t, { name: ta.name });
    });
    return { refs, objects: [...generated.values()] };
  }

  private workerDeployment(props: QueueWorkerProps, meta: ObjectMeta, shape: PodShape): plus.Deployment {
    const gpu = this.pod.accelerator !== undefined;
    const deployment = new plus.Deployment(this, 'Deployment', {
      metadata: meta,
      podMetadata: { labels: this.labels.pod },
      select: false,
      spread: false,
      // Workers drain for up to their grace period: roll a quarter at a time, not one by one.
      strategy: plus.DeploymentStrategy.rollingUpdate({
        maxSurge: gpu ? plus.PercentOrAbsolute.absolute(0) : plus.PercentOrAbsolute.percent(25),
        maxUnavailable: gpu ? plus.PercentOrAbsolute.percent(25) : plus.PercentOrAbsolute.absolute(0),
      }),
      ...podBaseProps(props, this.serviceAccount, shape),
    });
    // The autoscaler owns the replica count: leave spec.replicas out so an apply never resets it.
    deployment.markHasAutoscaler();
    deployment.select(plus.LabelSelector.of({ labels: this.labels.selector }));
    this.pod.applyTo(deployment, '/spec/template');
    return deployment;
  }

  private kedaScaledObject(props: QueueWorkerProps, meta: ObjectMeta, triggers: ReturnType<typeof kedaTriggers>): ScaledObject {
    const f = props.fallback;
    return new (scaledObjects().ScaledObject)(this, 'ScaledObject', {
      metadata: meta,
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: this.name, envSourceContainerName: 'worker' },
        pollingInterval: wholeSeconds(this, 'pollingInterval', props.pollingInterval ?? Duration.seconds(30)),
        cooldownPeriod: wholeSeconds(this, 'cooldownPeriod', props.cooldownPeriod ?? Duration.minutes(5)),
        initialCooldownPeriod: props.initialCooldownPeriod && wholeSeconds(this, 'initialCooldownPeriod', props.initialCooldownPeriod),
        idleReplicaCount: props.idleReplicas,
        minReplicaCount: this.minReplicas,
        maxReplicaCount: this.maxReplicas,
        fallback: f && {
          failureThreshold: f.failureThreshold ?? 3,
          replicas: f.replicas,
          behavior: f.behavior as ScaledObjectSpecFallbackBehavior | undefined,
        },
        advanced: {
          // Named after the worker (KEDA's default `keda-hpa-<name>` would cap names at 54 characters).
          horizontalPodAutoscalerConfig: { name: this.name, behavior: scalingBehaviorSpec(this, 'behavior', this.behavior(props)) },
        },
        triggers,
      },
    });
  }
}

/** What the gate finds in a worker's KEDA object is reported against the prop that set it. */
function recordKedaProps(object: ApiObject, owner: QueueWorker, triggers: number): void {
  for (let i = 0; i < triggers; i++) recordRenderedPath(object, `spec.triggers[${i}]`, owner, `triggers[${i}]`);
  for (const [path, prop] of [
    ['pollingInterval', 'pollingInterval'],
    ['cooldownPeriod', 'cooldownPeriod'],
    ['initialCooldownPeriod', 'initialCooldownPeriod'],
    ['minReplicaCount', 'minReplicas'],
    ['maxReplicaCount', 'maxReplicas'],
    ['idleReplicaCount', 'idleReplicas'],
    ['fallback', 'fallback'],
  ])
    recordRenderedPath(object, `spec.${path}`, owner, prop, true);
}
