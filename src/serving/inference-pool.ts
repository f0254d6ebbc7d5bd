import { Construct } from 'constructs';
import {
  InferencePool,
  InferencePoolSpecAppProtocol,
  InferencePoolSpecEndpointPickerRefFailureMode,
} from '../../imports/inference-inferencepool-inference.networking.k8s.io';
import { check } from '../core/errors';
import { IngressRule, NetworkPeer } from '../core/network';
import { requireDnsLabel, requireLabels } from '../core/names';
import { requirePort } from '../core/pod';

/** The endpoint picker (EPP) an InferencePool asks which pod serves each request. */
export interface EndpointPickerProps {
  /** Its Service, in the workload's namespace (the reference has no namespace). @default '<name>-epp' (the upstream inferencepool chart, installed with the workload's name) */
  readonly serviceName?: string;
  /** Its ext-proc (gRPC) Service port. @default 9002 */
  readonly port?: number;
  /**
   * Labels of the picker's pods: it scrapes the model servers' metrics, so the NetworkPolicy admits it.
   * @default { inferencepool: '<serviceName>' } (the upstream chart's selector)
   */
  readonly podLabels?: Record<string, string>;
  /** What the gateway does when the picker does not answer: refuse (`FailClose`) or pick any pod (`FailOpen`). @default 'FailClose' */
  readonly failureMode?: 'FailOpen' | 'FailClose';
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
  /** @default - the upstream chart's picker named after the workload */
  readonly endpointPicker?: EndpointPickerProps;
  /** HTTP/1.1 (`http`) or cleartext HTTP/2 (`kubernetes.io/h2c`, for gRPC servers). @default 'http' */
  readonly appProtocol?: 'http' | 'kubernetes.io/h2c';
}

/** The resolved picker: what the NetworkPolicy admits and the pool references. */
export interface ResolvedEndpointPicker {
  readonly serviceName: string;
  readonly port: number;
  readonly podLabels: Record<string, string>;
}

/** The picker of `props` for a workload named `name`, validated. */
export function endpointPicker(scope: Construct, name: string, props: InferencePoolProps): ResolvedEndpointPicker {
  const e = props.endpointPicker ?? {};
  const serviceName = e.serviceName ?? `${name}-epp`;
  requireDnsLabel(scope, 'inferencePool.endpointPicker.serviceName', serviceName);
  const port = e.port ?? 9002;
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
): InferencePool {
  const protocol = props.appProtocol ?? 'http';
  check(protocol === 'http' || protocol === 'kubernetes.io/h2c', scope, {
    field: 'inferencePool.appProtocol',
    value: protocol,
    problem: 'is not an InferencePool protocol',
    fix: "use 'http' or 'kubernetes.io/h2c'",
  });
  return new InferencePool(scope, 'InferencePool', {
    metadata: meta,
    spec: {
      selector: { matchLabels: selector },
      targetPorts: [{ number: targetPort }],
      appProtocol: protocol as InferencePoolSpecAppProtocol,
      endpointPickerRef: {
        kind: 'Service',
        name: picker.serviceName,
        port: { number: picker.port },
        failureMode: (props.endpointPicker?.failureMode ?? 'FailClose') as InferencePoolSpecEndpointPickerRefFailureMode,
      },
    },
  });
}
