// The same shape as one OnlineInference, built directly with cdk8s-plus-28: the baseline the benchmark compares with.
import { Size } from 'cdk8s';
import * as plus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';

/** Deployment, Service, HorizontalPodAutoscaler, PodDisruptionBudget (L1), NetworkPolicy and ServiceAccount. */
export function plainService(scope: Construct, id: string, i: number): Construct {
  const c = new Construct(scope, id);
  const labels = { 'app.kubernetes.io/name': id, 'app.kubernetes.io/instance': id };
  const meta = { name: id, labels };
  const sa = new plus.ServiceAccount(c, 'ServiceAccount', { metadata: meta, automountToken: false });
  const deployment = new plus.Deployment(c, 'Deployment', {
    metadata: meta,
    podMetadata: { labels: { ...labels, 'app.kubernetes.io/version': `v${i % 7}` } },
    select: false,
    serviceAccount: sa,
    automountServiceAccountToken: false,
    containers: [
      {
        name: 'server',
        image: `registry.example.com/${id}:v1.${i % 10}.0`,
        portNumber: 8000,
        resources: { cpu: { request: plus.Cpu.millis(500) }, memory: { request: Size.gibibytes(1), limit: Size.gibibytes(2) } },
        readiness: plus.Probe.fromHttpGet('/ready', { port: 8000 }),
        liveness: plus.Probe.fromHttpGet('/live', { port: 8000 }),
      },
    ],
  });
  deployment.select(plus.LabelSelector.of({ labels }));
  new plus.Service(c, 'Service', { metadata: meta, selector: deployment, ports: [{ name: 'http', port: 80, targetPort: 8000 }] });
  new plus.HorizontalPodAutoscaler(c, 'Autoscaler', {
    metadata: meta,
    target: deployment,
    minReplicas: 2,
    maxReplicas: 10,
    metrics: [plus.Metric.resourceCpu(plus.MetricTarget.averageUtilization(65))],
  });
  new k8s.KubePodDisruptionBudget(c, 'DisruptionBudget', {
    metadata: meta,
    spec: { selector: { matchLabels: labels }, maxUnavailable: k8s.IntOrString.fromNumber(1) },
  });
  new plus.NetworkPolicy(c, 'NetworkPolicy', {
    metadata: meta,
    selector: plus.Pods.select(c, 'Selected', { labels }),
    ingress: {
      default: plus.NetworkPolicyTrafficDefault.DENY,
      rules: [{ peer: plus.Pods.all(c, 'Same'), ports: [plus.NetworkPolicyPort.tcp(8000)] }],
    },
    egress: { default: plus.NetworkPolicyTrafficDefault.DENY },
  });
  return c;
}
