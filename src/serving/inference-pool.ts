import { Construct } from 'constructs';
import {
  InferencePool,
  InferencePoolSpecAppProtocol,
  InferencePoolSpecEndpointPickerRefFailureMode,
} from '../../imports/inference-inferencepool-inference.networking.k8s.io';
import { addonSupports, requireAddonFeature } from '../core/addon-support';
import { check } from '../core/errors';
import { EPP_FACTS, PickerEngine } from '../core/facts/inference-extension';
import { EgressRule, IngressRule } from '../core/network';
import { NetworkPeer } from '../core/network-peer';
import { requireDnsLabel, requireLabels } from '../core/names';
import { requirePort } from '../core/pod';
import { MlResourceProps } from '../core/resources';
import { MAX_INT32 } from '../core/validation/strings';
import { Availability } from './availability';
import { EndpointPicker } from './endpoint-picker';

/** The endpoint picker (EPP) an InferencePool asks which pod serves each request. */
export interface EndpointPickerProps {
  /**
   * The Service of a picker you run yourself, in the workload's namespace (the reference has no
   * namespace); then the library creates none and `port` and `podLabels` describe yours.
   * @default - the library creates the picker, `<name>-epp`
   */
  readonly serviceName?: string;
  /** Its ext-proc (gRPC) Service port. @default 9002 */
  readonly port?: number;
  /**
   * Labels of the picker's pods: it scrapes the model servers' metrics, so the NetworkPolicy admits it.
   * @default - the created picker's labels; for your own picker, { inferencepool: '<serviceName>' } (the upstream chart's)
   */
  readonly podLabels?: Record<string, string>;
  /**
   * What the gateway does when no picker answers: drop the request (`FailClose`), or send it to a pod of the gateway's
   * choosing without the picker's load, cache and priority awareness (`FailOpen`, what the upstream chart sets for its
   * single picker). With `FailClose` under `availability: 'continuous'` the created picker needs 2 or more replicas.
   * @default 'FailClose'
   */
  readonly failureMode?: 'FailOpen' | 'FailClose';
  /**
   * Replicas of the created picker, all active: each is Ready and routes on its own prefix-cache state (the upstream
   * chart runs one, for the best prefix-cache hit rate). From 2 a rollout or a node drain never leaves the pool without
   * a ready picker; 1 leaves it without one while the picker is replaced or moved, so under `availability:
   * 'continuous'` it needs `failureMode: 'FailOpen'`.
   * @default - 2; 1 with `availability: 'best-effort'`
   */
  readonly replicas?: number;
  /**
   * Image of the created picker (a mirror of the upstream one).
   * @default 'registry.k8s.io/gateway-api-inference-extension/epp:v1.5.0'
   */
  readonly image?: string;
  /** Resources of the created picker. @default { cpu: '2', memory: '4Gi', memoryLimit: '8Gi' } */
  readonly resources?: MlResourceProps;
  /**
   * How the created picker reaches the Kubernetes API server (it watches the pool and its pods).
   * @default - TCP 443 and 6443 to any address (the API server's address differs per cluster)
   */
  readonly apiServer?: EgressRule[];
}

/**
 * Who may call a model server on `port`: the declared callers (default: any pod of its namespace), the
 * routing Gateway's namespace (where its data plane usually runs; other layouts declare it in
 * `ingressFrom`), and the endpoint picker, which reads each pod's queue and KV-cache metrics on `pickerPort`.
 */
export function modelServerCallers(p: {
  readonly ingressFrom?: NetworkPeer[];
  readonly gatewayNamespace?: string;
  readonly port: number;
  readonly picker?: ResolvedEndpointPicker;
  readonly pickerPort: number;
}): IngressRule[] {
  return [
    {
      from: [...(p.ingressFrom ?? [{ podLabels: {} }]), ...(p.gatewayNamespace ? [{ namespace: p.gatewayNamespace }] : [])],
      ports: [p.port],
    },
    ...(p.picker ? [{ from: [{ podLabels: p.picker.podLabels }], ports: [p.pickerPort] }] : []),
  ];
}

/** LLM-aware routing: an InferencePool in front of the workload's pods, the HTTPRoute's backend. */
export interface InferencePoolProps {
  /**
   * The endpoint picker the gateway asks which pod serves each request: created with the pool, or one you run.
   * @default - a picker created with the pool, named after the workload
   */
  readonly endpointPicker?: EndpointPickerProps;
  /**
   * HTTP/1.1 (`http`) or cleartext HTTP/2 (`kubernetes.io/h2c`, for gRPC servers). `http` is the
   * pool's default and is not written (the field exists from Inference Extension v1.4.0).
   * @default 'http'
   */
  readonly appProtocol?: 'http' | 'kubernetes.io/h2c';
  /**
   * The model server behind the pool, for a server given as `ServingRuntime.generic()`: the picker
   * reads its metrics by this name (vLLM, SGLang, trtllm-serve, Triton with TensorRT-LLM).
   * @default - the runtime's (vLLM); required with the generic runtime
   */
  readonly modelServer?: PickerEngine;
}

/** The resolved picker: what the NetworkPolicy admits and the pool references. */
export interface ResolvedEndpointPicker {
  readonly serviceName: string;
  readonly port: number;
  readonly podLabels: Record<string, string>;
  /** The picker the library created; undefined for your own. */
  readonly created?: EndpointPicker;
}

/** What the picker needs to know of the workload. */
export interface PickerContext {
  readonly namespace: string;
  readonly labels: Record<string, string>;
  /** The runtime preset's name (`vllm`, `tgi`, `triton`, `generic`), if any. */
  readonly runtime?: string;
  /** The model-server pods the pool selects, and the port it targets. */
  readonly servers: { readonly podLabels: Record<string, string>; readonly port: number };
  readonly gatewayNamespace: string;
  readonly networkPolicy: boolean;
  /** The workload's promise through rollouts and drains; the created picker keeps it too. @default 'continuous' */
  readonly availability?: Availability;
}

/**
 * The model server the endpoint picker reads, or an error: the picker scores pods on vLLM, SGLang and
 * TensorRT-LLM queue and KV-cache metrics only (EPP_FACTS.engines); in front of TGI or Triton's own
 * metrics every pod would look idle.
 */
export function pickerEngine(scope: Construct, runtime: string | undefined, props: InferencePoolProps): PickerEngine {
  const engines = Object.keys(EPP_FACTS.engines);
  if (props.modelServer !== undefined) {
    check(engines.includes(props.modelServer), scope, {
      field: 'inferencePool.modelServer',
      value: props.modelServer,
      problem: `is not a model server the endpoint picker reads (${engines.join(', ')})`,
      fix: `set modelServer to one of ${engines.join(', ')} (the server must be one), or remove inferencePool and route to the Service`,
    });
  }
  const known = runtime === 'vllm' ? 'vllm' : undefined;
  check(runtime === undefined || runtime === 'generic' || runtime === 'vllm', scope, {
    field: 'inferencePool',
    value: runtime,
    problem: `is in front of ${runtime}, whose metrics the endpoint picker (${EPP_FACTS.source.repository} ${EPP_FACTS.source.version}) cannot read: it scores pods on ${engines.join(', ')} metrics, so every ${runtime} pod would look idle`,
    fix: 'serve with ServingRuntime.vllm(...), or drop inferencePool and route to the Service (route: { gateway })',
  });
  check(props.modelServer === undefined || known === undefined || props.modelServer === known, scope, {
    field: 'inferencePool.modelServer',
    value: props.modelServer,
    problem: `contradicts the runtime (${known})`,
    fix: 'leave inferencePool.modelServer unset',
  });
  const engine = props.modelServer ?? known;
  check(engine !== undefined, scope, {
    field: 'inferencePool.modelServer',
    value: undefined,
    problem: 'is required in front of your own server: the endpoint picker must know whose metrics to read',
    fix: `set modelServer to one of ${engines.join(', ')}, or use ServingRuntime.vllm(...)`,
  });
  return engine!;
}

/** The picker of `props` for a workload named `name`: yours (validated), or one created with the pool. */
export function endpointPicker(scope: Construct, name: string, props: InferencePoolProps, ctx: PickerContext): ResolvedEndpointPicker {
  const e = props.endpointPicker ?? {};
  const engine = pickerEngine(scope, ctx.runtime, props);
  if (e.serviceName === undefined) {
    check(e.port === undefined && e.podLabels === undefined, scope, {
      field: e.port !== undefined ? 'inferencePool.endpointPicker.port' : 'inferencePool.endpointPicker.podLabels',
      value: e.port ?? e.podLabels,
      problem: 'describes your own picker, but no serviceName says where it is (the library creates one)',
      fix: 'set serviceName to your picker, or remove port and podLabels',
    });
    const replicas = pickerReplicas(scope, e, ctx.availability ?? 'continuous');
    // Beside the workload, not inside it: a workload of its own (its pods fit other node pools).
    const created = new EndpointPicker(scope.node.scope as Construct, `${scope.node.id}EndpointPicker`, {
      replicas,
      name,
      namespace: ctx.namespace,
      labels: ctx.labels,
      engine,
      servers: ctx.servers,
      gatewayNamespace: ctx.gatewayNamespace,
      image: e.image,
      resources: e.resources,
      apiServer: e.apiServer,
      networkPolicy: ctx.networkPolicy ? undefined : false,
    });
    return { serviceName: created.serviceName, port: created.port, podLabels: created.podLabels, created };
  }
  const serviceName = e.serviceName;
  requireDnsLabel(scope, 'inferencePool.endpointPicker.serviceName', serviceName);
  for (const f of ['image', 'resources', 'apiServer', 'replicas'] as const) {
    check(e[f] === undefined, scope, {
      field: `inferencePool.endpointPicker.${f}`,
      value: e[f],
      problem: `configures the picker the library creates, but serviceName (${serviceName}) names your own`,
      fix: `remove ${f}, or remove serviceName to let the library create the picker`,
    });
  }
  const port = e.port ?? EPP_FACTS.ports.grpc;
  requirePort(scope, 'epp', port, 'inferencePool.endpointPicker.port');
  const podLabels = e.podLabels ?? { inferencepool: serviceName };
  requireLabels(scope, 'inferencePool.endpointPicker.podLabels', podLabels);
  check(Object.keys(podLabels).length > 0, scope, {
    field: 'inferencePool.endpointPicker.podLabels',
    value: podLabels,
    problem: 'is empty, so the NetworkPolicy would admit every pod of the namespace as the picker',
    fix: "give the picker pods' labels, e.g. { inferencepool: 'llama-epp' }",
  });
  return { serviceName, port, podLabels };
}

/**
 * Replicas of the created picker: 2 by default (1 for a best-effort workload). One picker leaves the pool without a
 * ready picker during each picker rollout (`Recreate`) and each drain of its node: with `FailClose` the gateway then
 * drops every request, which `continuous` availability forbids.
 */
function pickerReplicas(scope: Construct, e: EndpointPickerProps, availability: Availability): number {
  const replicas = e.replicas ?? (availability === 'best-effort' ? 1 : 2);
  check(Number.isInteger(replicas) && replicas >= 1 && replicas <= MAX_INT32, scope, {
    field: 'inferencePool.endpointPicker.replicas',
    value: replicas,
    problem: 'is not a whole number from 1 to 2147483647',
    fix: 'run 2 pickers (the default), or 1 with failureMode: FailOpen',
  });
  check(replicas > 1 || availability === 'best-effort' || e.failureMode === 'FailOpen', scope, {
    field: 'inferencePool.endpointPicker.replicas',
    value: replicas,
    problem: `leaves the pool without a ready picker while it is replaced (Recreate) or its node is drained, and failureMode ${e.failureMode ?? 'FailClose'} makes the gateway drop every request meanwhile, so availability 'continuous' cannot be kept`,
    fix: "run 2 pickers (remove replicas), or set failureMode: 'FailOpen' (the gateway picks a pod itself while the picker is away), or accept the outages with availability: 'best-effort'",
  });
  return replicas;
}

/**
 * An InferencePool (inference.networking.k8s.io/v1) selecting the workload's pods on `targetPort`,
 * pointing at the endpoint picker's Service.
 */
export function inferencePool(
  scope: Construct,
  meta: { name: string; namespace: string; labels: Record<string, string> },
  props: InferencePoolProps,
  picker: ResolvedEndpointPicker,
  selector: Record<string, string>,
  targetPort: number,
  runtime?: string,
): InferencePool {
  const protocol = props.appProtocol ?? 'http';
  check(protocol === 'http' || protocol === 'kubernetes.io/h2c', scope, {
    field: 'inferencePool.appProtocol',
    value: protocol,
    problem: 'is not an InferencePool protocol',
    fix: "use 'http' or 'kubernetes.io/h2c'",
  });
  if (protocol !== 'http') {
    check(runtime === undefined || runtime === 'generic', scope, {
      field: 'inferencePool.appProtocol',
      value: protocol,
      problem: `is HTTP/2, but the ${runtime} server speaks HTTP/1.1 on its serving port`,
      fix: "leave appProtocol unset ('http')",
    });
    requireAddonFeature(scope, 'gie.appProtocol', 'inferencePool.appProtocol', protocol);
  }
  return new InferencePool(scope, 'InferencePool', {
    metadata: meta,
    spec: {
      selector: { matchLabels: selector },
      targetPorts: [{ number: targetPort }],
      // HTTP/1.1 is the default: written only where needed (the field exists from v1.4.0).
      ...(protocol !== 'http' && addonSupports(scope, 'gie.appProtocol') ? { appProtocol: protocol as InferencePoolSpecAppProtocol } : {}),
      endpointPickerRef: {
        kind: 'Service',
        name: picker.serviceName,
        port: { number: picker.port },
        failureMode: (props.endpointPicker?.failureMode ?? 'FailClose') as InferencePoolSpecEndpointPickerRefFailureMode,
      },
    },
  });
}
