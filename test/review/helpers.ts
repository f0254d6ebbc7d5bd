/** Builders of minimal clean manifests for the review tests (each mutates a fresh copy). */
import * as fs from 'fs';
import * as path from 'path';
import { parseManifests, review, ReviewOptions, ReviewReport, Finding } from '../../src/review';

/** A plain JSON-like manifest that tests may mutate freely. */
export type Manifest = Record<string, any>;

/** A restricted-profile, fully specified serving container. */
export function goodContainer(name = 'server'): Manifest {
  return {
    name,
    image: 'registry.example.com/server:v1.0.0@sha256:0123456789abcdef',
    ports: [{ name: 'http', containerPort: 8000 }],
    resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { memory: '2Gi' } },
    readinessProbe: { httpGet: { path: '/ready', port: 8000 }, periodSeconds: 5 },
    livenessProbe: { httpGet: { path: '/live', port: 8000 }, initialDelaySeconds: 60, periodSeconds: 20 },
    securityContext: {
      allowPrivilegeEscalation: false,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    },
  };
}

/** A pod spec with one {@link goodContainer} that triggers no rule. */
export function goodPodSpec(): Manifest {
  return { automountServiceAccountToken: false, containers: [goodContainer()] };
}

/** A Deployment `ml/server` (labels `app: server`) that triggers no rule when reviewed with {@link netpol}. */
export function deployment(name = 'server', namespace = 'ml'): Manifest {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: goodPodSpec() },
    },
  };
}

/** A clean training Job `ml/train`: batch container without ports or probes, with deadline and TTL. */
export function job(name = 'train', namespace = 'ml'): Manifest {
  const container = goodContainer('trainer');
  delete container.ports;
  delete container.readinessProbe;
  delete container.livenessProbe;
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace },
    spec: {
      activeDeadlineSeconds: 7200,
      ttlSecondsAfterFinished: 86400,
      template: { spec: { ...goodPodSpec(), restartPolicy: 'Never', containers: [container] } },
    },
  };
}

/** A clean CronJob `ml/retrain` wrapping {@link job}'s spec. */
export function cronJob(name = 'retrain', namespace = 'ml'): Manifest {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name, namespace },
    spec: { schedule: '0 3 * * *', concurrencyPolicy: 'Forbid', jobTemplate: { spec: job().spec } },
  };
}

/** A Service `ml/<name>` selecting `app: <app>`. */
export function service(name = 'server', app = name, namespace = 'ml'): Manifest {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace },
    spec: { selector: { app }, ports: [{ name: 'http', port: 80, targetPort: 8000 }] },
  };
}

/** A default-deny NetworkPolicy for `namespace`. */
export function netpol(namespace = 'ml'): Manifest {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'default-deny', namespace },
    spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
  };
}

/** An HPA `ml/<target>` scaling Deployment `<target>` on CPU utilization. */
export function hpa(target = 'server', min = 3, max = 10, namespace = 'ml'): Manifest {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: target, namespace },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: target },
      minReplicas: min,
      maxReplicas: max,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 65 } } }],
    },
  };
}

/** A PodDisruptionBudget `ml/<app>` selecting `app: <app>`. */
export function pdb(spec: Manifest, app = 'server', namespace = 'ml'): Manifest {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: app, namespace },
    spec: { selector: { matchLabels: { app } }, ...spec },
  };
}

/** The pod spec of a Deployment/Job/... built by these helpers. */
export function podSpecOf(obj: Manifest): Manifest {
  return obj.kind === 'CronJob' ? obj.spec.jobTemplate.spec.template.spec : obj.kind === 'Pod' ? obj.spec : obj.spec.template.spec;
}

/** The first container of a workload built by these helpers. */
export function firstContainer(obj: Manifest): Manifest {
  return podSpecOf(obj).containers[0];
}

/** Reviews `objects` with a NetworkPolicy for `ml` added (so ML014 stays quiet unless tested). */
export function reviewWithPolicy(objects: readonly Manifest[], options?: ReviewOptions): ReviewReport {
  return review([...objects, netpol()], options);
}

/** Findings of one rule. */
export function findingsOf(report: ReviewReport, ruleId: string): readonly Finding[] {
  return report.findings.filter((f) => f.ruleId === ruleId);
}

/** `ruleId severity kind/name` digests of a report, for compact exact assertions. */
export function digest(report: ReviewReport): string[] {
  return report.findings.map((f) => `${f.ruleId} ${f.severity} ${f.kind}/${f.name}`);
}

/** Path of a fixture file. */
export function fixturePath(name: string): string {
  return path.join(__dirname, 'fixtures', name);
}

/** Parses a fixture into plain objects. */
export function loadFixture(name: string): unknown[] {
  const file = fixturePath(name);
  const result = parseManifests(fs.readFileSync(file, 'utf8'), file);
  if (result.problems.length > 0) throw new Error(`fixture ${name}: ${result.problems.map((p) => p.message).join('; ')}`);
  return result.documents.map((d) => d.object);
}
