import { ApiObject } from 'cdk8s';
import * as plus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ScalingMetric, requireReachableTargets } from '../core/autoscaling';
import { autoscalerConflict, claimAutoscaling } from '../core/autoscaler-conflicts';
import { ICapacityClaimant, WorkloadCapacity, capacityOfKinds } from '../core/capacity';
import { workloadDisruptionBudget } from '../core/disruption-budget';
import { check } from '../core/errors';
import { requireCacheAttachable } from '../core/model';
import { LabelKeys, WorkloadLabels } from '../core/names';
import { podTemplatePolicies } from '../core/pod-policies';
import { PodTemplate, requirePort, workloadServiceAccount } from '../core/pod';
import type { HttpRoute } from '../../imports/gateway-httproute-gateway.networking.k8s.io';
import type { ScaledObject } from '../../imports/keda-scaledobject-keda.sh';
import type { InferencePool } from '../../imports/inference-inferencepool-inference.networking.k8s.io';
import { monitoringEnabled } from '../observability/options';
import { onlineInferenceWorkload } from '../observability/online-inference-workload';
import { WorkloadMonitoring, monitorWorkload } from '../observability/workload-monitoring';
import { requireAvailability } from './availability';
import { CanaryRelease } from './canary-release';
import { EndpointPicker } from './endpoint-picker';
import { weightedRoute } from './gateway-route';
import { ResolvedEndpointPicker, endpointPicker, inferencePool, modelServerCallers } from './inference-pool';
import { OnlineInferenceProps } from './online-inference-props';
import { ServingPlan, planOnlineInference, requireModelFitsMemory } from './online-inference-plan';
import { queueScaledObject } from './queue-scaling';
import { RuntimePlan } from './runtime';
import { trackAutoscaler, trackDeployment } from './serving-deployment';

/**
 * Stateless model serving: a Deployment, Service, HorizontalPodAutoscaler, PodDisruptionBudget,
 * NetworkPolicy and ServiceAccount (with monitoring: a ServiceMonitor and PrometheusRule), all named
 * after the workload.
 */
export class OnlineInference extends Construct implements ICapacityClaimant {
  /**
   * The workload's name (`name`, else the construct id): the Deployment, Service, autoscaler, budget, ServiceAccount
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
   * The stable track's Deployment (cdk8s-plus). Escape hatch (README "Extending a construct"): the env, mounts, ports,
   * containers, volumes, tolerations and pod metadata you add through cdk8s-plus are merged with the construct's own at
   * synth; changing what it owns (its containers' probes, security context and env) fails synth.
   */
  public readonly deployment: plus.Deployment;
  /**
   * The ClusterIP Service (cdk8s-plus) in front of every ready pod of both tracks, on `servicePort`. Escape hatch
   * (README "Extending a construct"): changes through its cdk8s-plus methods, `metadata` or
   * `ApiObject.of(...).addJsonPatch` reach the YAML.
   */
  public readonly service: plus.Service;
  /**
   * The HorizontalPodAutoscaler (cdk8s-plus); undefined with a fixed replica count or `autoscaling.queue`. Escape hatch
   * (README "Extending a construct"): changes through its cdk8s-plus methods, `metadata` or
   * `ApiObject.of(...).addJsonPatch` reach the YAML.
   */
  public readonly autoscaler?: plus.HorizontalPodAutoscaler;
  /**
   * The PodDisruptionBudget (generated `k8s` class); undefined with `disruptionBudget: false` or `replicas: 0`. Escape
   * hatch (README "Extending a construct"): `metadata` and `addJsonPatch` changes reach the YAML.
   */
  public readonly disruptionBudget?: k8s.KubePodDisruptionBudget;
  /**
   * The default-deny NetworkPolicy (cdk8s-plus) with the declared allowances; undefined with `networkPolicy: false`.
   * Escape hatch (README "Extending a construct"): changes through its cdk8s-plus methods, `metadata` or
   * `ApiObject.of(...).addJsonPatch` reach the YAML.
   */
  public readonly networkPolicy?: plus.NetworkPolicy;
  /** The replica floor (minReplicas or the fixed count). */
  public readonly minReplicas: number;
  /** The replica ceiling. */
  public readonly maxReplicas: number;
  /** Extra pods during a rollout. */
  public readonly maxSurge: number;
  /** Whether the service is parked (`replicas: 0`): no pods, no disruption budget. */
  public readonly parked: boolean;
  /** The stable image. */
  public readonly image: string;
  /** The stable model version, if a model is declared. */
  public readonly modelVersion?: string;
  /** The canary track, when `canary` is set. */
  public readonly canary?: CanaryRelease;
  /**
   * The Gateway API HTTPRoute, when `route` is set: its backends are the per-track Services or the InferencePool.
   * Escape hatch (README "Extending a construct"): `metadata` and `addJsonPatch` changes reach the YAML.
   */
  public readonly route?: HttpRoute;
  /**
   * The Service of the stable track alone (`<name>-stable`), which the HTTPRoute weights against the canary's; only
   * with `route` and no InferencePool. Escape hatch (README "Extending a construct"): changes through its cdk8s-plus
   * methods, `metadata` or `ApiObject.of(...).addJsonPatch` reach the YAML.
   */
  public readonly stableService?: plus.Service;
  /**
   * Monitors, alert rules and runbook entries (`monitoring.serviceMonitor`/`podMonitor`, `monitoring.prometheusRule`
   * are escape hatches); undefined unless monitoring is on (prop or platform default).
   */
  public readonly monitoring?: WorkloadMonitoring;
  /** The runtime's ports, probes, arguments and signals, when `runtime` is set. @internal */
  public readonly runtime?: RuntimePlan;
  /**
   * The InferencePool, when `inferencePool` is set. Escape hatch (README "Extending a construct"): `metadata` and
   * `addJsonPatch` changes reach the YAML.
   */
  public readonly inferencePool?: InferencePool;
  /** The endpoint picker created with the InferencePool (undefined when you run your own). */
  public readonly endpointPicker?: EndpointPicker;
  /**
   * The KEDA ScaledObject, when `autoscaling.queue` is set (then there is no `autoscaler`). Escape hatch (README
   * "Extending a construct"): `metadata` and `addJsonPatch` changes reach the YAML.
   */
  public readonly scaledObject?: ScaledObject;

  /** Creates the Deployment and its objects; throws `MlValidationError` for props a cluster would refuse. */
  constructor(scope: Construct, id: string, props: OnlineInferenceProps) {
    super(scope, id);
    const plan = planOnlineInference(this, id, props);
    const { identity, replicas } = plan;
    this.name = identity.name;
    this.namespace = identity.namespace;
    this.labels = identity.labels;
    this.runtime = plan.runtime;
    this.image = props.image;
    this.modelVersion = props.model?.version;
    this.minReplicas = replicas.min;
    this.maxReplicas = replicas.max;
    this.maxSurge = plan.rollout.maxSurge;
    // A parked service (replicas: 0) has no pods to protect and promises nothing.
    this.parked = replicas.fixed === 0;
    this.pod = plan.pod;

    this.serviceAccount = workloadServiceAccount(
      this,
      identity.name,
      identity.namespace,
      identity.labels.common,
      props.automountServiceAccountToken ?? false,
    );
    this.deployment = this.renderStableTrack(props, plan);
    this.service = this.renderService(props, plan);
    const autoscaling = this.renderAutoscaling(props, plan);
    this.scaledObject = autoscaling.scaledObject;
    this.autoscaler = autoscaling.autoscaler;
    this.disruptionBudget = this.renderDisruptionBudget(props, plan);
    this.canary = props.canary ? this.renderCanary(props, plan) : undefined;
    this.claimReplicaCount(identity.name, identity.namespace, replicas.fixed !== undefined);
    const pool = props.inferencePool ? this.renderInferencePool(props, plan) : undefined;
    this.endpointPicker = pool?.picker.created;
    this.inferencePool = pool?.pool;
    const route = this.renderRoute(props, plan);
    this.route = route.route;
    this.stableService = route.stableService;
    const policies = this.renderPolicies(props, plan, pool?.picker);
    this.networkPolicy = policies.networkPolicy;
    this.monitoring = policies.monitoring;
    this.requireRenderedFits(props);
  }

  /** The track props both Deployments share. */
  private track(plan: ServingPlan) {
    return {
      name: this.name,
      namespace: this.namespace,
      labels: this.labels,
      serviceAccount: this.serviceAccount,
      progressDeadline: plan.startup.progressDeadline,
      revisionHistoryLimit: plan.rollout.revisionHistoryLimit,
    };
  }

  /** The stable track's Deployment: the planned pod, a fixed count or none (an autoscaler owns it). */
  private renderStableTrack(props: OnlineInferenceProps, plan: ServingPlan): plus.Deployment {
    return trackDeployment(this, {
      ...this.track(plan),
      track: 'stable',
      podProps: plan.podProps,
      shape: plan.trackShape(plan.model, 'stable'),
      pod: plan.pod,
      model: plan.model,
      version: props.model?.version,
      replicas: plan.replicas.fixed,
      maxSurge: plan.rollout.maxSurge,
      maxUnavailable: plan.rollout.maxUnavailable,
    });
  }

  /** The ClusterIP Service over every ready pod of both tracks: the serving port, the runtime's others, metrics. */
  private renderService(props: OnlineInferenceProps, plan: ServingPlan): plus.Service {
    const { port, portName, metricsPort, separateMetrics, extraPorts } = plan.ports;
    const service = new plus.Service(this, 'Service', {
      metadata: plan.identity.meta,
      type: plus.ServiceType.CLUSTER_IP,
      ports: [
        { name: portName, port: props.servicePort ?? 80, targetPort: port },
        ...extraPorts.map((p) => ({ name: p.name, port: p.containerPort, targetPort: p.containerPort })),
        ...(separateMetrics ? [{ name: 'metrics', port: metricsPort!, targetPort: metricsPort! }] : []),
      ],
    });
    requirePort(this, 'service', props.servicePort ?? 80, 'servicePort');
    for (const [k, v] of Object.entries(this.labels.selector)) service.selectLabel(k, v);
    return service;
  }

  /** A KEDA ScaledObject on the runtime's queue, an HPA on the metrics, or nothing with a fixed count. */
  private renderAutoscaling(
    props: OnlineInferenceProps,
    plan: ServingPlan,
  ): { scaledObject?: ScaledObject; autoscaler?: plus.HorizontalPodAutoscaler } {
    const queue = props.autoscaling?.queue;
    if (queue) {
      // KEDA's HPA owns the replica count: leave spec.replicas out so an apply never resets it.
      this.deployment.markHasAutoscaler();
      return { scaledObject: this.queueScaling(props, plan) };
    }
    if (plan.replicas.fixed !== undefined) return {};
    const metrics = props.autoscaling?.metrics ?? [ScalingMetric.cpuUtilization(70)];
    requireReachableTargets(this, 'autoscaling.metrics', metrics, props.resources);
    const resourceOnly = this.requireAcceleratorMetrics(metrics, props.autoscaling?.resourceBound);
    const { min, max } = plan.replicas;
    const autoscaler = trackAutoscaler(this, plan.identity.meta, this.deployment, min, max, plan.startup.autoscaling);
    if (resourceOnly) {
      // Declared resource-bound: the review engine's ML020 (accelerator scaled on CPU/memory) is answered.
      ApiObject.of(autoscaler).metadata.addAnnotation(
        'cdk8s-ml.io/review-disable',
        'ML020=declared resource-bound (autoscaling.resourceBound)',
      );
    }
    return { autoscaler };
  }

  /** The stable track's PodDisruptionBudget (none when parked or opted out), and the availability it keeps. */
  private renderDisruptionBudget(props: OnlineInferenceProps, plan: ServingPlan): k8s.KubePodDisruptionBudget | undefined {
    const { replicas, rollout } = plan;
    const budget =
      props.disruptionBudget === false || this.parked
        ? undefined
        : workloadDisruptionBudget(
            this,
            plan.identity.meta,
            this.labels.trackSelector('stable'),
            props.disruptionBudget ?? {},
            replicas.min,
          );
    if (!this.parked)
      requireAvailability(this, props.availability, {
        floor: replicas.min,
        fixedReplicas: replicas.fixed !== undefined,
        maxSurge: rollout.maxSurge,
        maxUnavailable: rollout.maxUnavailable,
        drainMayStop: budget?.mayStop,
        surgeAccelerators: rollout.acceleratorsPerPod,
      });
    return budget?.budget;
  }

  /** The canary track: a second Deployment (and autoscaler) with the canary's image or model. */
  private renderCanary(props: OnlineInferenceProps, plan: ServingPlan): CanaryRelease {
    const canary = props.canary!;
    check(!this.parked, this, {
      field: 'canary',
      value: canary.weight,
      problem: 'is set on a parked service (replicas: 0): there is no stable track to compare with',
      fix: 'run the service (replicas ≥ 1 or autoscaling) before a canary, or remove canary',
    });
    check(canary.strategy !== 'gateway' || props.route !== undefined, this, {
      field: 'canary.strategy',
      value: 'gateway',
      problem: 'needs a route to split traffic with',
      fix: "set route: { gateway: { name: '...' } }, or use strategy 'replica-weighted'",
    });
    check(!props.autoscaling?.queue, this, {
      field: 'canary',
      value: canary.weight,
      problem: 'is not supported with autoscaling.queue (the queue total would mix both tracks)',
      fix: 'scale on autoscaling.metrics during the canary, or route by model through an InferencePool',
    });
    const release = new CanaryRelease(this, 'Canary', {
      canary,
      stableProps: { ...plan.podProps, model: props.model },
      trackShape: plan.trackShape,
      track: this.track(plan),
      stable: plan.replicas,
      spareAccelerators: props.rollout?.spareAccelerators ?? 0,
      autoscaling: this.autoscaler ? plan.startup.autoscaling : undefined,
    });
    if (canary.model) requireModelFitsMemory(this, props, this.pod, release.model, 'canary.model');
    return release;
  }

  /** The InferencePool over the workload's pods and its endpoint picker (created unless the props name one). */
  private renderInferencePool(props: OnlineInferenceProps, plan: ServingPlan): { picker: ResolvedEndpointPicker; pool: InferencePool } {
    const { name, namespace } = this;
    check(props.route !== undefined, this, {
      field: 'inferencePool',
      value: props.inferencePool,
      problem: 'has no route: nothing sends traffic to an InferencePool but a Gateway route',
      fix: "set route: { gateway: { name: 'inference-gateway' } } (a Gateway whose implementation supports InferencePool backends)",
    });
    check(this.canary?.plan.strategy !== 'gateway', this, {
      field: 'canary.strategy',
      value: 'gateway',
      problem:
        'splits the route between two Services, but with inferencePool the route has one backend (the pool, which picks among all pods)',
      fix: "use strategy 'replica-weighted' (the pool selects stable and canary pods), or remove inferencePool during the canary",
    });
    const port = plan.ports.port;
    const picker = endpointPicker(this, name, props.inferencePool!, {
      namespace,
      labels: props.labels ?? {},
      runtime: plan.runtime?.runtime,
      servers: { podLabels: this.labels.selector, port },
      gatewayNamespace: props.route!.gateway.namespace ?? namespace,
      networkPolicy: props.networkPolicy !== false,
      // A parked service promises nothing: one picker.
      availability: this.parked ? 'best-effort' : props.availability,
    });
    const pool = inferencePool(this, plan.identity.meta, props.inferencePool!, picker, this.labels.selector, port, plan.runtime?.runtime);
    return { picker, pool };
  }

  /** The HTTPRoute: to the InferencePool, or weighted between the stable Service and the canary's. */
  private renderRoute(props: OnlineInferenceProps, plan: ServingPlan): { route?: HttpRoute; stableService?: plus.Service } {
    if (!props.route) return {};
    const runtime = plan.runtime?.facts && { runtime: plan.runtime.runtime };
    if (this.inferencePool) {
      const backend = { group: 'inference.networking.k8s.io', kind: 'InferencePool', service: this.inferencePool.name };
      return { route: weightedRoute(this, plan.identity.meta, props.route, [backend], runtime) };
    }
    const { port, portName } = plan.ports;
    const servicePort = props.servicePort ?? 80;
    const stableService = this.trackService('StableService', `${this.name}-stable`, 'stable', portName, servicePort, port);
    const gateway = this.canary?.plan.strategy === 'gateway';
    const canaryService = gateway
      ? this.trackService('CanaryService', `${this.name}-canary`, 'canary', portName, servicePort, port)
      : undefined;
    const weight = gateway ? this.canary!.plan.weight : 0;
    const route = weightedRoute(
      this,
      plan.identity.meta,
      props.route,
      [
        { service: stableService.name, port: servicePort, weight: 100 - weight },
        ...(canaryService ? [{ service: canaryService.name, port: servicePort, weight }] : []),
      ],
      runtime,
    );
    return { route, stableService };
  }

  /** The NetworkPolicy (callers, the picker, the model fetch, scrapers) and the monitoring. */
  private renderPolicies(
    props: OnlineInferenceProps,
    plan: ServingPlan,
    picker: ResolvedEndpointPicker | undefined,
  ): { networkPolicy?: plus.NetworkPolicy; monitoring?: WorkloadMonitoring } {
    const { model } = plan;
    const { port, portName, metricsPort, separateMetrics } = plan.ports;
    const net = props.networkPolicy === false ? {} : (props.networkPolicy ?? {});
    check(!(props.networkPolicy !== false && plan.runtime?.downloadsModel && !net.egressTo?.length), this, {
      field: 'networkPolicy.egressTo',
      value: net.egressTo,
      problem: `allows no destination, so the ${plan.runtime?.runtime} server could not download its model from the Hugging Face Hub`,
      fix: "allow HTTPS to the Hub (or your mirror), e.g. egressTo: [{ to: { cidr: '0.0.0.0/0' }, ports: [443] }], or mount a shared model cache",
    });
    // Scraped where the metrics are: the metrics port, else the serving port when monitored (or asked for with metricsPort = port).
    const metrics = separateMetrics
      ? { port: metricsPort!, portName: 'metrics', from: net.metricsFrom }
      : metricsPort === port || monitoringEnabled(this, props.monitoring)
        ? { port, portName, from: net.metricsFrom }
        : undefined;
    return podTemplatePolicies(this, {
      name: this.name,
      namespace: this.namespace,
      labels: this.labels.common,
      selector: this.labels.selector,
      networkPolicy: props.networkPolicy,
      serves: modelServerCallers({
        ingressFrom: net.ingressFrom,
        gatewayNamespace: props.route && (props.route.gateway.namespace ?? this.namespace),
        port,
        picker,
        pickerPort: separateMetrics ? metricsPort! : port,
      }),
      needsEgressFor: model?.fetchesOverNetwork ? 'the model fetch from model.uri' : undefined,
      metrics,
      monitor: (endpoint) =>
        monitorWorkload(this, props.monitoring, () =>
          onlineInferenceWorkload(this, {
            metricsPort: endpoint?.portName ?? portName,
            servicePort: props.servicePort ?? 80,
            modelLoadBudget: plan.startup.loadBudget,
            modelInitContainers: model?.initContainers.map((c) => String(c.name)),
          }),
        ),
    });
  }

  /** What only the rendered whole shows: model caches every pod can attach, the queue metric scraped. */
  private requireRenderedFits(props: OnlineInferenceProps): void {
    requireCacheAttachable(this, props.model?.cache, this.maxPods(), 'the replicas, rollout surge and canary');
    if (props.canary?.model?.cache && props.canary.model.cache !== props.model?.cache) {
      requireCacheAttachable(this, props.canary.model.cache, this.canary!.plan.canaryMaxReplicas + this.canary!.maxSurge, 'the canary');
    }
    const queue = props.autoscaling?.queue;
    check(!(queue && !this.monitoring), this, {
      field: 'autoscaling.queue',
      value: queue,
      problem: 'needs the queue metric in Prometheus, but monitoring is off',
      fix: 'turn monitoring on (monitoring: {} or the platform default), so the ServiceMonitor scrapes the server; or scale on autoscaling.metrics',
    });
  }

  /**
   * Throws when an accelerator service scales on CPU/memory only without saying it is resource-bound; returns
   * whether it scales on them only.
   */
  private requireAcceleratorMetrics(metrics: ScalingMetric[], resourceBound: boolean | undefined): boolean {
    const resourceOnly = metrics.every((m) => m.type === 'cpu' || m.type === 'memory');
    if (!this.pod.accelerator || !resourceOnly) return false;
    check(resourceBound === true, this, {
      field: 'autoscaling.metrics',
      value: metrics.map((m) => m.type).join(', '),
      problem: 'scale an accelerator service on CPU/memory only: CPU stays low while the GPU saturates, so replicas come too late or never',
      fix: "scale on what saturates the accelerator (ScalingMetric.podsAverage('inflight_requests', 4), autoscaling.queue with an LLM runtime), or set autoscaling.resourceBound: true if CPU or memory is the measured bottleneck",
    });
    return true;
  }

  /** Registers the app-wide check that no other HPA, ScaledObject or resizing VPA targets the stable or canary Deployment. */
  private claimReplicaCount(name: string, namespace: string, fixed: boolean): void {
    const owner = this.scaledObject ? 'ScaledObject' : this.autoscaler ? 'HorizontalPodAutoscaler' : undefined;
    const claim = (deployment: string, own: (ApiObject | undefined)[]) =>
      claimAutoscaling(this, {
        namespace,
        name: deployment,
        own: own.filter((o): o is ApiObject => o !== undefined),
        fixedReplicas: fixed,
        report: (other, vertical) => autoscalerConflict(this, deployment, other, vertical, owner),
      });
    claim(name, [this.scaledObject, this.autoscaler && ApiObject.of(this.autoscaler)]);
    if (this.canary) claim(`${name}-canary`, [this.canary.autoscaler && ApiObject.of(this.canary.autoscaler)]);
  }

  /** At worst: maxReplicas plus the rollout surge, and the canary's, each track's pods as rendered (hatch edits included). */
  public capacity(): WorkloadCapacity {
    const base = { name: this.name, namespace: this.namespace, kind: 'serving' as const, claims: { count: 0, storage: 0 } };
    const pods = this.trackPods();
    return capacityOfKinds(this.parked ? { ...base, parked: true } : base, [
      { role: 'stable', maxPods: pods.stable, perPod: this.pod.renderedAmounts() },
      ...(this.canary ? [{ role: 'canary', maxPods: pods.canary, perPod: this.canary.pod.renderedAmounts() }] : []),
    ]);
  }

  /** At worst: every replica, the surge and the canary's; none for a parked service. */
  private maxPods(): number {
    const pods = this.trackPods();
    return pods.stable + pods.canary;
  }

  /** Pods of each track at worst: its replicas and its rollout surge; none for a parked service. */
  private trackPods(): { stable: number; canary: number } {
    if (this.parked) return { stable: 0, canary: 0 };
    return {
      stable: this.maxReplicas + this.maxSurge,
      canary: this.canary ? this.canary.plan.canaryMaxReplicas + this.canary.maxSurge : 0,
    };
  }

  /** The KEDA ScaledObject on the runtime's queue signal (needs a runtime that has one, and no `metrics`). */
  private queueScaling(props: OnlineInferenceProps, plan: ServingPlan): ScaledObject {
    const queue = props.autoscaling!.queue!;
    const runtime: RuntimePlan | undefined = plan.runtime;
    check(runtime?.queue !== undefined, this, {
      field: 'autoscaling.queue',
      value: queue,
      problem: `needs a runtime that exposes a queue metric (${runtime ? `the ${runtime.runtime} runtime has none` : 'no runtime is set'})`,
      fix: 'set runtime: ServingRuntime.vllm(...) (or tgi, triton), or scale on autoscaling.metrics',
    });
    check(props.autoscaling?.metrics === undefined, this, {
      field: 'autoscaling.metrics',
      value: props.autoscaling?.metrics?.length,
      problem: 'is set together with autoscaling.queue',
      fix: 'keep autoscaling.queue or autoscaling.metrics, and remove the other',
    });
    return queueScaledObject(this, {
      meta: plan.identity.meta,
      target: this.name,
      min: plan.replicas.min,
      max: plan.replicas.max,
      signal: runtime!.queue!,
      scaling: queue,
      behavior: plan.startup.autoscaling.behavior,
      field: 'autoscaling',
    });
  }

  private trackService(id: string, serviceName: string, track: string, portName: string, servicePort: number, port: number): plus.Service {
    const service = new plus.Service(this, id, {
      metadata: { name: serviceName, namespace: this.namespace, labels: { ...this.labels.common, [LabelKeys.TRACK]: track } },
      type: plus.ServiceType.CLUSTER_IP,
      ports: [{ name: portName, port: servicePort, targetPort: port }],
    });
    for (const [k, v] of Object.entries(this.labels.trackSelector(track))) service.selectLabel(k, v);
    return service;
  }
}
