import * as fc from 'fast-check';
import { INTERNAL_RULE_ID, DISABLE_ANNOTATION, SEVERITY_ANNOTATION, ReviewReport, formatJson, formatTable, review } from '../../src/review';

/** Arbitrary values, including null-prototype objects and boxed strings. */
const junk = fc.anything({ maxDepth: 3, withNullPrototype: true, withObjectString: true, withBoxedValues: true, withSparseArray: true });

/** Either a plausible value or junk. */
const or = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<unknown> => fc.oneof({ weight: 6, arbitrary: arb }, { weight: 1, arbitrary: junk });

const quantity = or(fc.constantFrom('1', '500m', '2Gi', '0', '1e3', 'x', 1, 0.5, -1));
const resources = or(
  fc.record(
    {
      requests: or(fc.dictionary(fc.constantFrom('cpu', 'memory', 'nvidia.com/gpu', 'amd.com/gpu'), quantity)),
      limits: or(fc.dictionary(fc.constantFrom('cpu', 'memory', 'nvidia.com/gpu', 'nvidia.com/mig-1g.5gb'), quantity)),
    },
    { requiredKeys: [] },
  ),
);
const probe = or(
  fc.record(
    {
      httpGet: or(
        fc.record({ path: or(fc.constantFrom('/ready', '/live')), port: or(fc.constantFrom(8000, 'http')) }, { requiredKeys: [] }),
      ),
      exec: or(fc.record({ command: or(fc.array(or(fc.string()))) })),
      tcpSocket: or(fc.record({ port: or(fc.constantFrom(8000, 'http')) })),
      initialDelaySeconds: or(fc.integer({ min: -5, max: 100 })),
      periodSeconds: or(fc.integer({ min: 0, max: 30 })),
      failureThreshold: or(fc.integer({ min: 0, max: 10 })),
    },
    { requiredKeys: [] },
  ),
);
const container = or(
  fc.record(
    {
      name: or(fc.string()),
      image: or(fc.constantFrom('m', 'm:latest', 'm:v1', 'm@sha256:ab', 'r:5000/m', '')),
      restartPolicy: or(fc.constant('Always')),
      ports: or(
        fc.array(
          or(
            fc.record(
              { name: or(fc.constantFrom('http', 'metrics')), containerPort: or(fc.constantFrom(8000, 9090)) },
              { requiredKeys: [] },
            ),
          ),
        ),
      ),
      resources,
      readinessProbe: probe,
      livenessProbe: probe,
      startupProbe: probe,
      securityContext: or(
        fc.record(
          { privileged: junk, runAsNonRoot: or(fc.boolean()), runAsUser: or(fc.constantFrom(0, 1000)), capabilities: junk },
          { requiredKeys: [] },
        ),
      ),
    },
    { requiredKeys: [] },
  ),
);
const labels = or(fc.dictionary(fc.constantFrom('app', 'tier'), or(fc.constantFrom('a', 'b'))));
const podSpec = or(
  fc.record(
    {
      containers: or(fc.array(container, { maxLength: 3 })),
      initContainers: or(fc.array(container, { maxLength: 2 })),
      tolerations: or(
        fc.array(
          or(
            fc.record(
              { key: or(fc.constantFrom('nvidia.com/gpu', '', 'spot')), operator: or(fc.constantFrom('Exists', 'Equal')), value: junk },
              { requiredKeys: [] },
            ),
          ),
        ),
      ),
      nodeSelector: junk,
      affinity: junk,
      automountServiceAccountToken: or(fc.boolean()),
      serviceAccountName: or(fc.constantFrom('default', 'sa')),
      securityContext: junk,
      volumes: junk,
      resources,
    },
    { requiredKeys: [] },
  ),
);
const template = or(fc.record({ metadata: or(fc.record({ labels })), spec: podSpec }, { requiredKeys: [] }));
const spec = or(
  fc.record(
    {
      template,
      jobTemplate: or(fc.record({ spec: or(fc.record({ template, activeDeadlineSeconds: junk }, { requiredKeys: [] })) })),
      selector: or(fc.oneof(labels, fc.record({ matchLabels: labels, matchExpressions: junk }, { requiredKeys: [] }))),
      replicas: or(fc.integer({ min: -1, max: 5 })),
      minAvailable: or(fc.constantFrom(0, 2, 5, '0%', '50%', '100%')),
      maxUnavailable: or(fc.constantFrom(0, 1, '0%', '25%')),
      scaleTargetRef: or(fc.record({ kind: or(fc.constantFrom('Deployment', 'StatefulSet')), name: or(fc.constantFrom('a', 'b')) })),
      minReplicas: or(fc.integer({ min: 0, max: 5 })),
      maxReplicas: or(fc.integer({ min: 0, max: 5 })),
      metrics: junk,
      ports: or(fc.array(or(fc.record({ port: junk, targetPort: or(fc.constantFrom(8000, 'http', 'metrics')) }, { requiredKeys: [] })))),
      type: or(fc.constantFrom('ClusterIP', 'ExternalName')),
      concurrencyPolicy: junk,
      limits: junk,
      containers: or(fc.array(container, { maxLength: 2 })),
    },
    { requiredKeys: [] },
  ),
);
const kinds = [
  'Pod',
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'ReplicaSet',
  'Job',
  'CronJob',
  'Service',
  'PodDisruptionBudget',
  'HorizontalPodAutoscaler',
  'NetworkPolicy',
  'Namespace',
  'ServiceAccount',
  'LimitRange',
  'List',
  'ModelServer',
];
const kubeObject: fc.Arbitrary<unknown> = fc.record(
  {
    apiVersion: fc.constantFrom(
      'v1',
      'apps/v1',
      'batch/v1',
      'batch/v1beta1',
      'policy/v1',
      'autoscaling/v2',
      'autoscaling/v1',
      'networking.k8s.io/v1',
      'extensions/v1beta1',
      'x.io/v1',
    ),
    kind: fc.constantFrom(...kinds),
    metadata: or(
      fc.record(
        {
          name: or(fc.constantFrom('a', 'b')),
          namespace: or(fc.constantFrom('ml', 'default')),
          annotations: or(
            fc.record(
              {
                [DISABLE_ANNOTATION]: or(fc.constantFrom('ML001=ok', 'ML006', 'ML003=x,ML999=y', ',=,')),
                [SEVERITY_ANNOTATION]: or(fc.constantFrom('ML001=info', 'ML006=fatal', 'x')),
              },
              { requiredKeys: [] },
            ),
          ),
        },
        { requiredKeys: [] },
      ),
    ),
    spec,
    items: or(fc.array(junk, { maxLength: 2 })),
    automountServiceAccountToken: junk,
  },
  { requiredKeys: ['apiVersion', 'kind'] },
);

/** The report is internally consistent and renders. */
function checkReport(report: ReviewReport): void {
  const { error, warning, info, total } = report.counts;
  expect(error + warning + info).toBe(total);
  expect(report.findings).toHaveLength(total);
  expect(report.findings.filter((f) => f.ruleId === INTERNAL_RULE_ID)).toEqual([]);
  expect(() => formatTable(report)).not.toThrow();
  expect(() => JSON.parse(formatJson(report))).not.toThrow();
}

describe('review() never throws', () => {
  test('for arrays of arbitrary values', () => {
    fc.assert(
      fc.property(fc.array(junk, { maxLength: 5 }), (values) => checkReport(review(values))),
      { numRuns: 300 },
    );
  });

  test('for arbitrary objects and for a non-array argument', () => {
    fc.assert(
      fc.property(fc.array(fc.object({ maxDepth: 4 })), (objects) => checkReport(review(objects))),
      { numRuns: 200 },
    );
    fc.assert(
      fc.property(junk, (value) => checkReport(review(value as unknown[]))),
      { numRuns: 200 },
    );
  });

  test('for Kubernetes-shaped objects with arbitrary values in every field', () => {
    fc.assert(
      fc.property(fc.array(kubeObject, { maxLength: 6 }), (objects) => checkReport(review(objects))),
      { numRuns: 400 },
    );
  });
});
