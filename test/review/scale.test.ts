// The review engine stays linear: the time per object barely changes when the set grows 4x, even
// with every Service, PDB and workload in one namespace (where label matching used to scan all workloads).
import { parseManifests, review } from '../../src/review';
import { deployment } from './helpers';

/** A serving stack per service: Deployment, Service, PodDisruptionBudget, HPA; `perNamespace` services share a namespace. */
function services(n: number, perNamespace: number): unknown[] {
  const out: unknown[] = [];
  for (let i = 0; i < n; i++) {
    const name = `svc-${i}`;
    const namespace = `team-${Math.floor(i / perNamespace)}`;
    out.push(
      deployment(name, namespace),
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name, namespace },
        spec: { selector: { app: name }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
      },
      {
        apiVersion: 'policy/v1',
        kind: 'PodDisruptionBudget',
        metadata: { name, namespace },
        spec: { maxUnavailable: 1, selector: { matchLabels: { app: name } } },
      },
      {
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        metadata: { name, namespace },
        spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name }, minReplicas: 2, maxReplicas: 10 },
      },
    );
  }
  return out;
}

/** Fastest of three runs, in seconds per object. */
function secondsPerObject(objects: unknown[]): number {
  let best = Infinity;
  for (let r = 0; r < 3; r++) {
    const started = process.hrtime.bigint();
    review(objects);
    best = Math.min(best, Number(process.hrtime.bigint() - started) / 1e9);
  }
  return best / objects.length;
}

test.each([
  ['one namespace', Infinity],
  ['50 services per namespace', 50],
])('review time per object stays flat from 400 to 1,600 services (%s)', (_, perNamespace) => {
  const small = secondsPerObject(services(400, perNamespace));
  const large = secondsPerObject(services(1600, perNamespace));
  // Quadratic matching makes this ratio about 4; linear work keeps it near 1 (bound generous for shared CI machines).
  expect(large / small).toBeLessThan(2.2);
});

test("large files are parsed document by document with the library's error positions", () => {
  const { parseAllDocuments } = jest.requireActual<typeof import('yaml')>('yaml');
  const text = 'a: 1\n---\nb: [1\n---\nc: {x: 1, x: 2}\n---\n- z\n';
  const expected = parseAllDocuments(text, { prettyErrors: true }).map((d) => d.errors[0]?.message.split('\n')[0].trim().replace(/:$/, ''));
  const { documents, problems } = parseManifests(text, 'in.yaml');
  expect(documents.map((d) => d.index)).toEqual([1, 4]);
  expect(problems.map((p) => p.message)).toEqual(
    [2, 3].map((i) => `YAML parse error in document ${i}: ${expected[i - 1]}; the document is not reviewed`),
  );
});
