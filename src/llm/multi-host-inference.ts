import { ApiObject } from 'cdk8s';
import * as plus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { InferencePool } from '../../imports/inference-inferencepool-inference.networking.k8s.io';
import { HttpRoute } from '../../imports/gateway-httproute-gateway.networking.k8s.io';
import { ICapacityClaimant, WorkloadCapacity, capacityOfKinds } from '../core/capacity';
import { workloadDisruptionBudget } from '../core/disruption-budget';
import { check } from '../core/errors';
import { LWS_FACTS } from '../core/facts/lws';
import { ModelArtifact, requireCacheAttachable } from '../core/model';
import { WorkloadLabels } from '../core/names';
import { PodTemplate, workloadServiceAccount } from '../core/pod';
import { podTemplatePolicies } from '../core/pod-policies';
import { monitoringEnabled } from '../observability/options';
import { WorkloadMonitoring, monitorWorkload } from '../observability/workload-monitoring';
import { requireAvailability } from '../serving/availability';
import { EndpointPicker } from '../serving/endpoint-picker';
import { weightedRoute } from '../serving/gateway-route';
import { ResolvedEndpointPicker, endpointPicker, inferencePool, modelServerCallers } from '../serving/inference-pool';
import { MultiHostInferenceProps } from './multi-host-inference-props';
import type { MultiHostPlan } from './multi-host-inference-plan';
import { multiHostWorkload } from './multi-host-monitoring';

/** Labels LeaderWorkerSet puts on every pod of a group. */
export const LWS_LABELS = {
  NAME: LWS_FACTS.labels.name,
  /** `0` on the leader, 1..size-1 on the workers. */
  WORKER_INDEX: LWS_FACTS.labels.workerIndex,
} as const;

/** `leader` or `worker` on the pods of a group. */
export const ROLE_LABEL = 'cdk8s-ml.io/role';

/**
 * A model too large for one node, served by vLLM across a group of pods on a LeaderWorkerSet
 * (leaderworkerset.x-k8s.io/v1): the leader starts the Ray head, waits for the whole group
 * (`groupFormationTimeout`), then runs `vllm serve` with tensor parallelism inside each pod, pipeline
 * parallelism across the group and the user's `args`; workers join the head. A lost pod recreates its
 * whole group (RecreateGroupOnPodRestart). Creates the LeaderWorkerSet, a Service on the leaders, a
 * PodDisruptionBudget, a NetworkPolicy and a ServiceAccount, named after the workload (with
 * `inferencePool`, also the pool and its endpoint picker).
 */
export class MultiHostInference extends Construct implements ICapacityClaimant {
  /**
   * The workload's name (`name`, else the construct id): the LeaderWorkerSet, its Service, budget, ServiceAccount and
   * policies are named after it.
   */
  public readonly name: string;
  /** Namespace of every object: `namespace`, else the chart's, else the platform's `defaultNamespace`. */
  public readonly namespace: string;
  /** The workload's labels: the stable selector, the labels of every object and those of its pods. */
  public readonly labels: WorkloadLabels;
  /** @internal */
  public readonly leaderPod: PodTemplate;
  /** @internal */
  public readonly workerPod: PodTemplate;
  /**
   * The workload's ServiceAccount, named after it, with no API token mounted unless `automountServiceAccountToken`.
   * Escape hatch (README "Extending a construct"): annotations (e.g. a cloud IAM role) and other changes through
   * cdk8s-plus or `metadata` reach the YAML.
   */
  public readonly serviceAccount: plus.ServiceAccount;
  /**
   * The LeaderWorkerSet: `replicas` groups of a leader and `groupSize - 1` workers. Escape hatch (README "Extending a
   * construct"): `metadata` and `addJsonPatch` changes reach the YAML; a patch that changes what the construct owns in
   * its pod templates (probes, security context, env) fails synth.
   */
  public readonly leaderWorkerSet: ApiObject;
  /**
   * The Service in front of the leaders (worker index 0), the only pods that serve HTTP. Escape hatch (README
   * "Extending a construct"): changes through its cdk8s-plus methods, `metadata` or `ApiObject.of(...).addJsonPatch`
   * reach the YAML.
   */
  public readonly service: plus.Service;
  /**
   * The PodDisruptionBudget (generated `k8s` class) letting one pod, so one group, be evicted at a time; undefined with
   * `disruptionBudget: false`. Escape hatch (README "Extending a construct"): `metadata` and `addJsonPatch` changes
   * reach the YAML.
   */
  public readonly disruptionBudget?: k8s.KubePodDisruptionBudget;
  /**
   * The default-deny NetworkPolicy (cdk8s-plus) with the declared allowances; undefined with `networkPolicy: false`.
   * Escape hatch (README "Extending a construct"): changes through its cdk8s-plus methods, `metadata` or
   * `ApiObject.of(...).addJsonPatch` reach the YAML.
   */
  public readonly networkPolicy?: plus.NetworkPolicy;
  /**
   * The InferencePool over the leaders, when `inferencePool` is set. Escape hatch (README "Extending a construct"):
   * `metadata` and `addJsonPatch` changes reach the YAML.
   */
  public readonly inferencePool?: InferencePool;
  /** The endpoint picker created with the InferencePool (undefined when you run your own). */
  public readonly endpointPicker?: EndpointPicker;
  /**
   * The Gateway API HTTPRoute, when `route` is set. Escape hatch (README "Extending a construct"): `metadata` and
   * `addJsonPatch` changes reach the YAML.
   */
  public readonly route?: HttpRoute;
  /**
   * Monitors, alert rules and runbook entries (`monitoring.serviceMonitor`/`podMonitor`, `monitoring.prometheusRule`
   * are escape hatches); undefined unless monitoring is on (prop or platform default).
   */
  public readonly monitoring?: WorkloadMonitoring;
  /** Model replicas (groups) (`replicas`). */
  public readonly replicas: number;
  /** Pods (nodes) one model replica spans (`groupSize`): the leader and its workers. */
  public readonly groupSize: number;
  /** Extra groups during a rollout. */
  public readonly maxSurge: number;
  /** The port the leaders serve HTTP on. */
  private readonly port: number;

  /** Creates the LeaderWorkerSet and its objects; throws `MlValidationError` for props a cluster would refuse. */
  constructor(scope: Construct, id: string, props: MultiHostInferenceProps) {
    super(scope, id);
    // The plan (vLLM's flags, the group's start scripts) loads with the first MultiHostInference, not with the library.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const plan = (require('./multi-host-inference-plan') as typeof import('./multi-host-inference-plan')).planMultiHost(this, id, props);
    const { identity } = plan;
    this.name = identity.name;
    this.namespace = identity.namespace;
    this.labels = identity.labels;
    this.groupSize = plan.group.groupSize;
    this.replicas = plan.group.replicas;
    this.leaderPod = plan.leaderPod;
    this.workerPod = plan.workerPod;
    this.maxSurge = plan.rollout.maxSurge;
    this.port = plan.server.port;

    this.serviceAccount = workloadServiceAccount(
      this,
      identity.name,
      identity.namespace,
      identity.labels.common,
      props.automountServiceAccountToken ?? false,
    );
    this.leaderWorkerSet = this.renderLeaderWorkerSet(props, plan);
    this.service = this.renderService(plan);
    this.disruptionBudget = this.renderDisruptionBudget(props, plan);
    const pool = this.renderInferencePool(props, plan);
    this.endpointPicker = pool?.picker.created;
    this.inferencePool = pool?.pool;
    this.route = this.renderRoute(props, plan);
    const policies = this.renderPolicies(props, plan, pool?.picker);
    this.networkPolicy = policies.networkPolicy;
    this.monitoring = policies.monitoring;
    requireCacheAttachable(this, props.model?.cache, this.maxPods(), 'the pods of every group (each on its own node)');
  }

  /** The leaders of every group, by LWS's worker index and our role label. */
  private leaders(): Record<string, string> {
    // The worker index is LWS's own mark of the leader; the role label is ours, in the template, for readers of the manifests.
    return { ...this.labels.selector, [ROLE_LABEL]: 'leader', [LWS_LABELS.WORKER_INDEX]: '0' };
  }

  /** The LeaderWorkerSet: `replicas` groups of the leader and worker pods, recreated whole, rolled a group at a time. */
  private renderLeaderWorkerSet(props: MultiHostInferenceProps, plan: MultiHostPlan): ApiObject {
    const { leaderModel, workerModel } = plan.server;
    const template = (pod: PodTemplate, role: string, m: ModelArtifact | undefined) => ({
      metadata: {
        labels: { ...this.labels.pod, ...m?.podLabels, [ROLE_LABEL]: role },
        annotations: { ...m?.podAnnotations, 'cdk8s-ml.io/image': props.image },
      },
      spec: pod.toPodSpec({ serviceAccountName: this.name, restartPolicy: 'Always' }),
    });
    const leaderWorkerSet = new ApiObject(this, 'LeaderWorkerSet', {
      apiVersion: 'leaderworkerset.x-k8s.io/v1',
      kind: 'LeaderWorkerSet',
      metadata: plan.identity.meta,
      spec: {
        replicas: this.replicas,
        startupPolicy: 'LeaderCreated',
        // The Service named after the workload serves clients (ClusterIP), so LWS's shared headless Service of that
        // name is never made and LWS_LEADER_ADDRESS would not resolve: one headless Service per group instead.
        networkConfig: { subdomainPolicy: 'UniquePerReplica' },
        rolloutStrategy: {
          type: 'RollingUpdate',
          rollingUpdateConfiguration: { maxSurge: plan.rollout.maxSurge, maxUnavailable: plan.rollout.maxUnavailable },
        },
        leaderWorkerTemplate: {
          size: this.groupSize,
          // A lost pod breaks the Ray cluster and the NCCL rings: restart the whole group together.
          restartPolicy: 'RecreateGroupOnPodRestart',
          leaderTemplate: template(this.leaderPod, 'leader', leaderModel),
          workerTemplate: template(this.workerPod, 'worker', workerModel),
        },
      },
    });
    this.leaderPod.bindTo(leaderWorkerSet, (json) => json.spec?.leaderWorkerTemplate?.leaderTemplate?.spec);
    this.workerPod.bindTo(leaderWorkerSet, (json) => json.spec?.leaderWorkerTemplate?.workerTemplate?.spec);
    return leaderWorkerSet;
  }

  /** The ClusterIP Service in front of the leaders, the only pods that serve HTTP. */
  private renderService(plan: MultiHostPlan): plus.Service {
    const service = new plus.Service(this, 'Service', {
      metadata: plan.identity.meta,
      type: plus.ServiceType.CLUSTER_IP,
      ports: [{ name: 'http', port: 80, targetPort: this.port }],
    });
    for (const [k, v] of Object.entries(this.leaders())) service.selectLabel(k, v);
    return service;
  }

  /** One evicted pod takes its group down (the group restarts); no second eviction until it is back. */
  private renderDisruptionBudget(props: MultiHostInferenceProps, plan: MultiHostPlan): k8s.KubePodDisruptionBudget | undefined {
    const pdb =
      props.disruptionBudget === false
        ? undefined
        : workloadDisruptionBudget(this, plan.identity.meta, this.labels.selector, { maxUnavailable: 1 }, this.replicas * this.groupSize);
    requireAvailability(this, props.availability, {
      floor: this.replicas,
      fixedReplicas: true,
      maxSurge: plan.rollout.maxSurge,
      maxUnavailable: plan.rollout.maxUnavailable,
      // Each evicted pod may sit in another group, and takes that whole group down.
      drainMayStop: pdb && Math.min(pdb.mayStop, this.replicas),
      surgeAccelerators: plan.group.gpus * this.groupSize,
    });
    return pdb?.budget;
  }

  /** The InferencePool over the leaders and its endpoint picker, when `inferencePool` is set (it needs a route). */
  private renderInferencePool(
    props: MultiHostInferenceProps,
    plan: MultiHostPlan,
  ): { picker: ResolvedEndpointPicker; pool: InferencePool } | undefined {
    check(!(props.inferencePool && props.route === undefined), this, {
      field: 'inferencePool',
      value: props.inferencePool,
      problem: 'has no route: nothing sends traffic to an InferencePool but a Gateway route',
      fix: "set route: { gateway: { name: 'inference-gateway' } }",
    });
    if (!props.inferencePool) return undefined;
    const leaders = this.leaders();
    const picker = endpointPicker(this, this.name, props.inferencePool, {
      namespace: this.namespace,
      labels: props.labels ?? {},
      runtime: 'vllm',
      servers: { podLabels: leaders, port: this.port },
      gatewayNamespace: props.route!.gateway.namespace ?? this.namespace,
      networkPolicy: props.networkPolicy !== false,
      availability: props.availability,
    });
    return { picker, pool: inferencePool(this, plan.identity.meta, props.inferencePool, picker, leaders, this.port, 'vllm') };
  }

  /** The HTTPRoute to the InferencePool, else to the leaders' Service. */
  private renderRoute(props: MultiHostInferenceProps, plan: MultiHostPlan): HttpRoute | undefined {
    if (!props.route) return undefined;
    return weightedRoute(
      this,
      plan.identity.meta,
      props.route,
      this.inferencePool
        ? [{ group: 'inference.networking.k8s.io', kind: 'InferencePool', service: this.inferencePool.name }]
        : [{ service: this.service.name, port: 80, weight: 100 }],
      { runtime: 'vllm' },
    );
  }

  /** The NetworkPolicy (callers, the picker, group members on every port, the model fetch) and the monitoring. */
  private renderPolicies(
    props: MultiHostInferenceProps,
    plan: MultiHostPlan,
    picker: ResolvedEndpointPicker | undefined,
  ): { networkPolicy?: plus.NetworkPolicy; monitoring?: WorkloadMonitoring } {
    const { name, namespace, labels } = this;
    const net = props.networkPolicy === false ? {} : (props.networkPolicy ?? {});
    check(!(props.networkPolicy !== false && plan.server.source.downloads && !net.egressTo?.length), this, {
      field: 'networkPolicy.egressTo',
      value: net.egressTo,
      problem: 'allows no destination, so the group could not download its model from the Hugging Face Hub',
      fix: "allow HTTPS to the Hub, e.g. egressTo: [{ to: { cidr: '0.0.0.0/0' }, ports: [443] }], or mount a shared model cache",
    });
    return podTemplatePolicies(this, {
      name,
      namespace,
      labels: labels.common,
      selector: labels.selector,
      networkPolicy: props.networkPolicy,
      serves: modelServerCallers({
        ingressFrom: net.ingressFrom,
        gatewayNamespace: props.route && (props.route.gateway.namespace ?? namespace),
        port: this.port,
        picker,
        pickerPort: this.port,
      }),
      // Ray (GCS, object manager, workers) and NCCL pick their ports at run time: members reach each other on all.
      peers: labels.selector,
      needsEgressFor: plan.server.leaderModel?.fetchesOverNetwork ? 'the model fetch from model.uri' : undefined,
      metrics: monitoringEnabled(this, props.monitoring) ? { port: this.port, portName: 'http', from: net.metricsFrom } : undefined,
      monitor: () => monitorWorkload(this, props.monitoring, () => multiHostWorkload(this, plan.startup.budget)),
    });
  }

  /** At worst: every group plus the surge groups, each with its leader pod and its worker pods (as rendered). */
  public capacity(): WorkloadCapacity {
    const groups = this.replicas + this.maxSurge;
    return capacityOfKinds({ name: this.name, namespace: this.namespace, kind: 'serving', claims: { count: 0, storage: 0 } }, [
      { role: 'leader', maxPods: groups, perPod: this.leaderPod.renderedAmounts() },
      { role: 'worker', maxPods: groups * (this.groupSize - 1), perPod: this.workerPod.renderedAmounts() },
    ]);
  }

  /** At worst: every group plus the surge groups. */
  private maxPods(): number {
    return (this.replicas + this.maxSurge) * this.groupSize;
  }
}
