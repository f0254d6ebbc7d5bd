import { ApiObject, Duration } from 'cdk8s';
import * as plus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { MlEnvValue } from '../core/env';
import { requireImmutableImage } from '../core/image';
import { EPP_FACTS, PickerEngine } from '../core/facts/inference-extension';
import { ICapacityClaimant, WorkloadCapacity } from '../core/capacity';
import { WorkloadLabels } from '../core/names';
import { claimWorkloadName } from '../core/workload-identity';
import { EgressRule, workloadNetworkPolicy } from '../core/network';
import { NetworkPeer } from '../core/network-peer';
import { PodTemplate, workloadServiceAccount } from '../core/pod';
import { ProbeHandler, probe, startupProbe } from '../core/probes';
import { MlResourceProps } from '../core/resources';
import { Platform } from '../core/platform';
import { supports } from '../core/kube-version';
import { workloadDisruptionBudget } from '../core/disruption-budget';

/** How long a stopping picker keeps answering, so the gateway stops calling it first (the endpoint removal propagates). */
const PRE_STOP_PAUSE = Duration.seconds(10);

/** Props of {@link EndpointPicker}. */
export interface EndpointPickerDeploymentProps {
  /** The InferencePool (and workload) name; the picker's objects are `<name>-epp`. */
  readonly name: string;
  /** The pool's namespace (the picker runs beside it: the pool's reference has no namespace). */
  readonly namespace: string;
  /** Labels of the workload, added to the picker's. */
  readonly labels: Record<string, string>;
  /** The model server the picker reads metrics of. */
  readonly engine: PickerEngine;
  /** Labels of the model-server pods the picker scrapes, and their port. */
  readonly servers: { readonly podLabels: Record<string, string>; readonly port: number };
  /** Where the gateway's data plane runs (it calls the picker's ext-proc port). */
  readonly gatewayNamespace: string;
  /** @default EPP_FACTS.image (the upstream picker, pinned) */
  readonly image?: string;
  /**
   * Replicas, all active (no leader election). From 2: a rolling update that starts the new picker before it stops an
   * old one, a PodDisruptionBudget that lets a drain stop one at a time, spread over nodes and zones. 1: the upstream
   * chart's single picker (`Recreate`, no budget).
   * @default 2
   */
  readonly replicas?: number;
  /** @default { cpu: '2', memory: '4Gi', memoryLimit: '8Gi' } */
  readonly resources?: MlResourceProps;
  /** How the picker reaches the Kubernetes API server. @default TCP 443 and 6443 to any address */
  readonly apiServer?: EgressRule[];
  /** `false`: no NetworkPolicy. @default - default deny with the picker's traffic */
  readonly networkPolicy?: false;
}

/** The picker's pod labels: its own identity, never the model servers' selector. */
export function pickerLabels(scope: Construct, name: string, partOf: string, labels: Record<string, string>): WorkloadLabels {
  return new WorkloadLabels(scope, { name: `${name}-epp`, component: 'endpoint-picker', partOf, labels });
}

/**
 * The endpoint picker of one InferencePool (EPP_FACTS): a Deployment of active pickers (two by default, each Ready
 * once it has synced the pool, so a rollout and a node drain always leave one serving: surge first, a
 * PodDisruptionBudget, spread over nodes), a Service on the ext-proc and metrics ports, a ServiceAccount with a Role to
 * read the pool and its pods, the scheduling config for the model server's metric set, and a NetworkPolicy (the
 * gateway calls it, it scrapes the model servers and watches the API server). All named `<name>-epp`.
 */
export class EndpointPicker extends Construct implements ICapacityClaimant {
  /** `<pool>-epp`, the name of every object. */
  public readonly name: string;
  /** The pool's namespace. */
  public readonly namespace: string;
  /** @internal */
  public readonly pod: PodTemplate;
  /** The Service the InferencePool's `endpointPickerRef` names. */
  public readonly serviceName: string;
  /** The ext-proc (gRPC) port the gateway calls. */
  public readonly port: number;
  /** The picker pods' selector labels (model servers admit them to scrape metrics). */
  public readonly podLabels: Record<string, string>;
  /** Active picker replicas (each keeps its own prefix-cache state). */
  public readonly replicas: number;
  /**
   * The picker's Deployment: `replicas` active pickers, rolled out surge first (`Recreate` for a single picker).
   * Escape hatch (README "Extending a construct"): `metadata` and `addJsonPatch` changes reach the YAML; a patch that
   * changes what the construct owns in its pod templates (probes, security context, env) fails synth.
   */
  public readonly deployment: ApiObject;
  /**
   * The pickers' PodDisruptionBudget (one down at a time, unhealthy pods always evictable); undefined for a single
   * picker. Generated `k8s` class. Escape hatch (README "Extending a construct"): `metadata` and `addJsonPatch` changes
   * reach the YAML.
   */
  public readonly disruptionBudget?: k8s.KubePodDisruptionBudget;
  /**
   * The picker's Service: ext-proc on 9002 (the gateway calls it) and metrics on 9090. Escape hatch (README "Extending
   * a construct"): changes through its cdk8s-plus methods, `metadata` or `ApiObject.of(...).addJsonPatch` reach the
   * YAML.
   */
  public readonly service: plus.Service;
  /**
   * The picker's ServiceAccount, with a token: the picker watches its pool and pods. Escape hatch (README "Extending a
   * construct"): changes through its cdk8s-plus methods, `metadata` or `ApiObject.of(...).addJsonPatch` reach the YAML.
   */
  public readonly serviceAccount: plus.ServiceAccount;
  /**
   * Read access to the pool, its pods and the optional InferenceObjective CRDs, in the namespace (generated `k8s`
   * class). Escape hatch (README "Extending a construct"): `metadata` and `addJsonPatch` changes reach the YAML.
   */
  public readonly role: k8s.KubeRole;
  /**
   * The EndpointPickerConfig (a ConfigMap) for the model server's metric set. Escape hatch (README "Extending a
   * construct"): changes through its cdk8s-plus methods, `metadata` or `ApiObject.of(...).addJsonPatch` reach the YAML.
   */
  public readonly config: plus.ConfigMap;
  /**
   * The picker's NetworkPolicy: the gateway in, the model servers' metrics and the API server out; undefined when the
   * workload has `networkPolicy: false`. Escape hatch (README "Extending a construct"): changes through its cdk8s-plus
   * methods, `metadata` or `ApiObject.of(...).addJsonPatch` reach the YAML.
   */
  public readonly networkPolicy?: plus.NetworkPolicy;

  /** Created by the workload whose `inferencePool.endpointPicker` asks for one. @internal */
  constructor(scope: Construct, id: string, props: EndpointPickerDeploymentProps) {
    super(scope, id);
    const name = `${props.name}-epp`;
    // A workload of its own (quota, capacity report, node pools), beside the model server it routes to.
    claimWorkloadName(this, props.namespace, name);
    this.name = name;
    this.namespace = props.namespace;
    const labels = pickerLabels(this, props.name, props.name, props.labels);
    this.serviceName = name;
    this.port = EPP_FACTS.ports.grpc;
    this.podLabels = labels.selector;
    const replicas = (this.replicas = props.replicas ?? 2);
    const several = replicas > 1;
    // Kubernetes 1.30+ sleeps in the kubelet; the distroless picker image has no `sleep` to exec on older targets.
    const pause = supports(this, 'lifecycle.sleep') ? PRE_STOP_PAUSE : undefined;
    const meta = { name, namespace: props.namespace, labels: labels.common };

    this.config = new plus.ConfigMap(this, 'Config', { metadata: meta, data: { 'plugins.yaml': pickerConfig(props.engine) } });
    const configVolume = plus.Volume.fromConfigMap(this, 'ConfigVolume', this.config, { name: 'config' });
    const p = EPP_FACTS.ports;
    const health = ProbeHandler.grpc({ service: EPP_FACTS.healthService });
    const image = props.image ?? EPP_FACTS.image;
    requireImmutableImage(
      this,
      props.image ? 'inferencePool.endpointPicker.image' : 'the endpoint picker image (inferencePool.endpointPicker.image)',
      image,
      Platform.of(this),
    );
    const pod = (this.pod = new PodTemplate(
      this,
      {
        image,
        resources: props.resources ?? { cpu: '2', memory: '4Gi', memoryLimit: '8Gi' },
        // It watches its InferencePool and the pods it selects.
        automountServiceAccountToken: true,
        args: [
          '--pool-name',
          props.name,
          '--pool-namespace',
          props.namespace,
          '--pool-group',
          'inference.networking.k8s.io',
          '--config-file',
          '/config/plugins.yaml',
          '--grpc-port',
          String(p.grpc),
          '--grpc-health-port',
          String(p.grpcHealth),
          '--metrics-port',
          String(p.metrics),
          '--zap-encoder',
          'json',
          '--tracing=false',
          // Prometheus scrapes it inside the NetworkPolicy; no TokenReview ClusterRole needed.
          '--metrics-endpoint-auth=false',
        ],
      },
      {
        kind: 'serving',
        containerName: 'epp',
        ports: [
          { name: 'grpc', containerPort: p.grpc },
          { name: 'grpc-health', containerPort: p.grpcHealth },
          { name: 'metrics', containerPort: p.metrics },
        ],
        probes: {
          // Serving once it has synced its pool (gRPC health); alive while its health port answers.
          startupProbe: startupProbe(this, 'endpointPicker.startup', health, p.grpcHealth, Duration.minutes(2), Duration.seconds(5)),
          readinessProbe: probe(
            this,
            'endpointPicker.readiness',
            health,
            p.grpcHealth,
            {},
            {
              period: Duration.seconds(2),
              timeout: Duration.seconds(1),
              failureThreshold: 3,
            },
          ),
          livenessProbe: probe(
            this,
            'endpointPicker.liveness',
            ProbeHandler.tcpSocket(),
            p.grpcHealth,
            {},
            {
              period: Duration.seconds(10),
              timeout: Duration.seconds(1),
              failureThreshold: 3,
            },
          ),
        },
        env: { NAMESPACE: MlEnvValue.fromField('metadata.namespace'), POD_NAME: MlEnvValue.fromField('metadata.name') },
        mounts: [{ volume: configVolume, mountPath: '/config', readOnly: true }],
        // Stopping: it answers until the gateway has dropped its endpoint, then finishes its open streams.
        lifecycle: pause && { preStop: { sleep: { seconds: pause.toSeconds() } } },
        terminationGracePeriod: Duration.seconds((pause?.toSeconds() ?? 0) + EPP_FACTS.gracefulShutdownSeconds),
        spreadSelector: several ? labels.selector : undefined,
        defaultSharedMemory: '64Mi',
      },
    ));
    this.serviceAccount = workloadServiceAccount(this, name, props.namespace, labels.common, true);
    this.role = new k8s.KubeRole(this, 'Role', {
      metadata: meta,
      rules: EPP_FACTS.rbac.map((r) => ({ apiGroups: [...r.apiGroups], resources: [...r.resources], verbs: [...r.verbs] })),
    });
    new k8s.KubeRoleBinding(this, 'RoleBinding', {
      metadata: meta,
      subjects: [{ kind: 'ServiceAccount', name, namespace: props.namespace }],
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
    });
    this.deployment = new ApiObject(this, 'Deployment', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta,
      spec: {
        replicas,
        // Several: the new picker is Ready before an old one stops. One: the old goes first (the upstream chart's choice).
        strategy: several ? { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } : { type: 'Recreate' },
        selector: { matchLabels: labels.selector },
        template: { metadata: { labels: labels.pod }, spec: pod.toPodSpec({ serviceAccountName: name, restartPolicy: 'Always' }) },
      },
    });
    // A drain stops one picker at a time. Every picker is Ready (no leader election), so the budget counts them all.
    this.disruptionBudget = several
      ? workloadDisruptionBudget(this, meta, labels.selector, { maxUnavailable: 1 }, replicas).budget
      : undefined;
    this.service = new plus.Service(this, 'Service', {
      metadata: meta,
      type: plus.ServiceType.CLUSTER_IP,
      ports: [
        { name: 'grpc-ext-proc', port: p.grpc, targetPort: p.grpc },
        { name: 'http-metrics', port: p.metrics, targetPort: p.metrics },
      ],
    });
    for (const [k, v] of Object.entries(labels.selector)) this.service.selectLabel(k, v);
    if (props.networkPolicy !== false) {
      const scrapers: NetworkPeer[] = Platform.of(this).monitoring.scrapeFrom;
      this.networkPolicy = workloadNetworkPolicy(this, name, props.namespace, labels.common, labels.selector, {
        ingress: [
          { from: [{ namespace: props.gatewayNamespace }], ports: [p.grpc] },
          { from: scrapers, ports: [p.metrics] },
        ],
        egress: [
          { to: { podLabels: props.servers.podLabels }, ports: [props.servers.port] },
          ...(props.apiServer ?? [{ to: { cidr: '0.0.0.0/0' }, ports: [443, 6443] }]),
        ],
      });
    }
  }

  /** Its replicas and the rollout's surge pod (none for a single picker: `Recreate`). */
  public capacity(): WorkloadCapacity {
    return {
      name: this.name,
      namespace: this.namespace,
      kind: 'serving',
      maxPods: this.replicas > 1 ? this.replicas + 1 : 1,
      perPod: this.pod.amounts,
      claims: { count: 0, storage: 0 },
    };
  }
}

/** The picker's EndpointPickerConfig for `engine`: the chart's default plugins and scoring weights. */
export function pickerConfig(engine: PickerEngine): string {
  return [
    'apiVersion: inference.networking.x-k8s.io/v1alpha1',
    'kind: EndpointPickerConfig',
    'plugins:',
    '- type: queue-scorer',
    '- type: kv-cache-utilization-scorer',
    '- type: prefix-cache-scorer',
    '- type: metrics-data-source',
    '  parameters:',
    `    scheme: ${EPP_FACTS.scrape.scheme}`,
    `    path: ${EPP_FACTS.scrape.path}`,
    '- type: core-metrics-extractor',
    ...(engine === 'vllm' ? [] : ['  parameters:', `    defaultEngine: ${engine}`]),
    'schedulingProfiles:',
    '- name: default',
    '  plugins:',
    '  - pluginRef: queue-scorer',
    '    weight: 2',
    '  - pluginRef: kv-cache-utilization-scorer',
    '    weight: 2',
    '  - pluginRef: prefix-cache-scorer',
    '    weight: 3',
    '',
  ].join('\n');
}
