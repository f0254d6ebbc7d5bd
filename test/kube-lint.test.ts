import { Testing } from 'cdk8s';
import { configurePlatform, platformChart } from '../examples/platform';
import { batchChart } from '../examples/batch';
import { observabilityChart } from '../examples/observability';
import { queueChart } from '../examples/queue';
import { servingChart } from '../examples/serving';
import { llmChart } from '../examples/llm';
import { OnlineInference, Platform } from '../src';
import { Manifest, synthValid, testChart } from './helpers';

/**
 * The commonly-firing checks of kube-score, Polaris and kube-linter (Go binaries that are not on npm),
 * encoded over the examples' output. Each check names the tool check IDs it stands for.
 */
interface LintCheck {
  readonly id: string;
  /** The upstream check IDs this encodes. */
  readonly upstream: string;
  /** A warning for one container of a pod template, or undefined. */
  readonly container?: (c: any, pod: any, obj: Manifest) => string | undefined;
  /** A warning for a workload object, or undefined. */
  readonly workload?: (obj: Manifest, all: Manifest[]) => string | undefined;
}

const POD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob'];
const podOf = (o: Manifest) => (o.kind === 'CronJob' ? o.spec.jobTemplate.spec.template : o.spec.template);
const long = (o: Manifest) => ['Deployment', 'StatefulSet', 'DaemonSet'].includes(o.kind);
/** The replica floor an HPA or KEDA ScaledObject keeps for `o` (Infinity without an autoscaler). */
const floor = (o: Manifest, all: Manifest[]) => {
  const hpa = all.find(
    (h) =>
      h.kind === 'HorizontalPodAutoscaler' &&
      h.metadata.namespace === o.metadata.namespace &&
      h.spec.scaleTargetRef?.name === o.metadata.name,
  );
  const so = all.find(
    (h) => h.kind === 'ScaledObject' && h.metadata.namespace === o.metadata.namespace && h.spec.scaleTargetRef?.name === o.metadata.name,
  );
  return so ? (so.spec.minReplicaCount ?? 0) : hpa ? (hpa.spec.minReplicas ?? 1) : Infinity;
};
const selects = (selector: Record<string, string> | undefined, labels: Record<string, string> = {}) =>
  selector !== undefined && Object.entries(selector).every(([k, v]) => labels[k] === v);

export const CHECKS: LintCheck[] = [
  {
    id: 'numeric-user',
    upstream: 'kube-score container-security-context-user-group-id; Polaris runAsRootAllowed; kube-linter run-as-non-root',
    container: (c, pod) => {
      const user = c.securityContext?.runAsUser ?? pod.securityContext?.runAsUser;
      const group = c.securityContext?.runAsGroup ?? pod.securityContext?.runAsGroup;
      const nonRoot = c.securityContext?.runAsNonRoot ?? pod.securityContext?.runAsNonRoot;
      return typeof user === 'number' && user >= 10000 && typeof group === 'number' && group >= 10000 && nonRoot === true
        ? undefined
        : `runAsUser/runAsGroup ${user}/${group} not numeric >= 10000 or not runAsNonRoot`;
    },
  },
  {
    id: 'read-only-root',
    upstream:
      'kube-score container-security-context-readonlyrootfilesystem; Polaris notReadOnlyRootFilesystem; kube-linter no-read-only-root-fs',
    container: (c) => (c.securityContext?.readOnlyRootFilesystem === true ? undefined : 'root filesystem is writable'),
  },
  {
    id: 'privilege-escalation',
    upstream:
      'Polaris privilegeEscalationAllowed, dangerousCapabilities; kube-linter privilege-escalation-container, drop-net-raw-capability',
    container: (c) =>
      c.securityContext?.allowPrivilegeEscalation === false && (c.securityContext?.capabilities?.drop ?? []).includes('ALL')
        ? undefined
        : 'privilege escalation or capabilities not dropped',
  },
  {
    id: 'requests-and-memory-limit',
    upstream:
      'kube-score container-resources; Polaris cpuRequestsMissing, memoryRequestsMissing, memoryLimitsMissing; kube-linter unset-cpu-requirements, unset-memory-requirements',
    container: (c) =>
      c.resources?.requests?.cpu && c.resources?.requests?.memory && c.resources?.limits?.memory
        ? undefined
        : 'missing cpu/memory request or memory limit',
  },
  {
    id: 'cpu-limit',
    upstream: 'kube-score container-resources (CPU limit); Polaris cpuLimitsMissing',
    container: (c) => (c.resources?.limits?.cpu ? undefined : 'no CPU limit'),
  },
  {
    id: 'ephemeral-storage',
    upstream: 'kube-score container-ephemeral-storage-request-and-limit',
    container: (c) =>
      c.resources?.requests?.['ephemeral-storage'] && c.resources?.limits?.['ephemeral-storage']
        ? undefined
        : 'no ephemeral-storage request and limit',
  },
  {
    id: 'image-tag',
    upstream: 'kube-score container-image-tag; Polaris tagNotSpecified; kube-linter latest-tag',
    container: (c) =>
      /(:[^/:@]+|@sha256:[a-f0-9]{64})$/.test(c.image) && !/:latest$/.test(c.image) ? undefined : `image ${c.image} not pinned`,
  },
  {
    id: 'image-pull-policy',
    upstream: 'kube-score container-image-pull-policy; Polaris pullPolicyNotAlways',
    container: (c) => (c.imagePullPolicy === 'Always' ? undefined : `imagePullPolicy ${c.imagePullPolicy ?? 'unset'}`),
  },
  {
    // kube-score requires a readiness probe on containers a Service routes to (init containers excluded).
    id: 'probes',
    upstream: 'kube-score container-probes; kube-linter no-readiness-probe',
    workload: (o, all) => {
      const routed = all.some(
        (s) => s.kind === 'Service' && s.metadata.namespace === o.metadata.namespace && selects(s.spec.selector, podOf(o).metadata?.labels),
      );
      return !long(o) || !routed || podOf(o).spec.containers.every((c: any) => c.readinessProbe)
        ? undefined
        : 'a Service routes to a container without readiness probe';
    },
  },
  {
    // Polaris and kube-linter ask every long-running container for both probes, routed or not.
    id: 'health-probes',
    upstream: 'Polaris livenessProbeMissing, readinessProbeMissing; kube-linter no-liveness-probe, no-readiness-probe',
    workload: (o) =>
      !long(o) || podOf(o).spec.containers.every((c: any) => c.livenessProbe && c.readinessProbe)
        ? undefined
        : 'a long-running container without liveness and readiness probes',
  },
  {
    id: 'priority-class',
    upstream: 'Polaris priorityClassNotSet',
    workload: (o) => (podOf(o).spec.priorityClassName ? undefined : 'no priorityClassName'),
  },
  {
    id: 'network-policy',
    upstream: 'kube-score pod-networkpolicy',
    workload: (o, all) =>
      all.some(
        (n) =>
          n.kind === 'NetworkPolicy' &&
          n.metadata.namespace === o.metadata.namespace &&
          selects(n.spec.podSelector?.matchLabels, podOf(o).metadata?.labels),
      )
        ? undefined
        : 'no NetworkPolicy selects its pods',
  },
  {
    id: 'pdb',
    upstream: 'kube-score deployment-has-poddisruptionbudget, poddisruptionbudget-has-policy (unhealthyPodEvictionPolicy)',
    workload: (o, all) => {
      // kube-score skips Deployments with fewer than 2 replicas; an autoscaler's floor counts the same way.
      if (
        o.kind !== 'Deployment' ||
        podOf(o).metadata?.labels?.['cdk8s-ml.io/track'] === 'canary' ||
        (o.spec.replicas ?? 2) < 2 ||
        floor(o, all) < 2
      )
        return undefined;
      const pdb = all.find(
        (p) =>
          p.kind === 'PodDisruptionBudget' &&
          p.metadata.namespace === o.metadata.namespace &&
          selects(p.spec.selector?.matchLabels, podOf(o).metadata?.labels),
      );
      if (!pdb) return 'no PodDisruptionBudget';
      return pdb.spec.unhealthyPodEvictionPolicy === 'AlwaysAllow' ? undefined : 'PDB without unhealthyPodEvictionPolicy: AlwaysAllow';
    },
  },
  {
    id: 'spread',
    upstream: 'kube-score deployment-has-host-podantiaffinity; Polaris topologySpreadConstraint',
    workload: (o) =>
      o.kind !== 'Deployment' ||
      (o.spec.replicas ?? 2) < 2 ||
      podOf(o).spec.topologySpreadConstraints?.length ||
      podOf(o).spec.affinity?.podAntiAffinity
        ? undefined
        : 'replicas not spread over nodes',
  },
];

/** Decisions documented in the README (section "kube-score, Polaris and kube-linter"). */
export const DOCUMENTED = ['cpu-limit'];

function exampleObjects(): Manifest[] {
  const app = Testing.app();
  configurePlatform(app);
  platformChart(app);
  servingChart(app);
  batchChart(app);
  queueChart(app);
  observabilityChart(app);
  llmChart(app);
  return app.charts.flatMap((c) => Testing.synth(c) as Manifest[]);
}

/** Warnings per workload (the object's app.kubernetes.io/instance, else its name): `check-id: message`. */
export function lint(objects: Manifest[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const o of objects.filter((x) => POD_KINDS.includes(x.kind))) {
    const key = `${o.metadata.namespace}/${o.metadata.labels?.['app.kubernetes.io/instance'] ?? o.metadata.name}`;
    const warnings = out.get(key) ?? [];
    const pod = podOf(o).spec;
    for (const check of CHECKS) {
      const found = new Set<string>();
      for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
        const w = check.container?.(c, pod, o);
        if (w) found.add(`${check.id}: ${o.kind}/${o.metadata.name} ${c.name}: ${w}`);
      }
      const w = check.workload?.(o, objects);
      if (w) found.add(`${check.id}: ${o.kind}/${o.metadata.name}: ${w}`);
      warnings.push(...found);
    }
    out.set(key, warnings);
  }
  return out;
}

describe('kube-score, Polaris and kube-linter style checks on the examples', () => {
  const report = lint(exampleObjects());
  const idsOf = (ws: string[]) => [...new Set(ws.map((w) => w.split(':')[0]))].sort();

  test('every workload is checked', () => {
    expect(report.size).toBeGreaterThanOrEqual(8);
  });

  test('no warning outside the documented decisions', () => {
    const undocumented = [...report.values()].flat().filter((w) => !DOCUMENTED.includes(w.split(':')[0]));
    expect(undocumented).toEqual([]);
  });

  test('what remains per workload: at most one warning, the documented decision', () => {
    for (const [workload, ws] of report) expect([workload, idsOf(ws).filter((id) => !DOCUMENTED.includes(id))]).toEqual([workload, []]);
    expect(Math.max(...[...report.values()].map((ws) => idsOf(ws).length))).toBeLessThanOrEqual(1);
  });

  test("at most one warning per workload object: the library's helper containers (fetch, verify, wait) add none", () => {
    const perObject = new Map<string, string[]>();
    for (const w of [...report.values()].flat()) {
      const object = w.split(' ')[1].replace(/:$/, '');
      perObject.set(object, [...(perObject.get(object) ?? []), w]);
    }
    for (const [object, ws] of perObject) expect([object, ws.length]).toEqual([object, 1]);
  });

  test('a platform that chooses IfNotPresent gets the pull-policy warning back', () => {
    const chart = testChart();
    Platform.configure(chart, { imagePullPolicy: 'IfNotPresent', priorityClasses: { serving: 'serving-critical' } });
    new OnlineInference(chart, 'scorer', { image: 'registry.example.com/scorer:v1', resources: { cpu: '1', memory: '1Gi' }, replicas: 2 });
    expect(idsOf(lint(synthValid(chart)).get('ml/scorer')!)).toEqual(['cpu-limit', 'image-pull-policy']);
  });

  test('the checks fire on an unsafe manifest (they can fail)', () => {
    const bad: Manifest = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'bad', namespace: 'x' },
      spec: { replicas: 3, template: { metadata: { labels: { app: 'bad' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
    };
    const svc: Manifest = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'bad', namespace: 'x' },
      spec: { selector: { app: 'bad' } },
    };
    expect(idsOf(lint([bad, svc]).get('x/bad')!)).toEqual([
      'cpu-limit',
      'ephemeral-storage',
      'health-probes',
      'image-pull-policy',
      'image-tag',
      'network-policy',
      'numeric-user',
      'pdb',
      'priority-class',
      'privilege-escalation',
      'probes',
      'read-only-root',
      'requests-and-memory-limit',
      'spread',
    ]);
  });
});
