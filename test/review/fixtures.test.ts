import { review } from '../../src/review';
import { deployment, digest, findingsOf, loadFixture, pdb } from './helpers';

/** The reference documents' own manifests, reviewed as written. */
describe('reference manifests', () => {
  test('sentiment-inference (Deployment + Service + HPA): sound serving contract, only hardening findings', () => {
    const report = review(loadFixture('sentiment-inference.yaml'));
    expect(digest(report)).toEqual([
      'ML014 warning Deployment/sentiment-inference',
      'ML015 warning Deployment/sentiment-inference',
      'ML016 warning Deployment/sentiment-inference',
      'ML027 warning Deployment/sentiment-inference',
      'ML028 warning Deployment/sentiment-inference',
      'ML006 info Deployment/sentiment-inference',
    ]);
    // Requests, readiness != liveness, a 120 s liveness budget, a matching Service and an HPA
    // whose CPU utilization has CPU requests to work with: none of those rules fire.
    for (const id of ['ML001', 'ML002', 'ML003', 'ML007', 'ML009', 'ML018']) expect(findingsOf(report, id)).toEqual([]);
    expect(report.counts.error).toBe(0);
    expect(findingsOf(report, 'ML006')[0].message).toContain("'registry.example.com/sentiment-inference:v2.1.0' pinned by tag only");
  });

  test('mock-inference lab (ConfigMap + Deployment + Service): no startup probe under a 30 s liveness', () => {
    const report = review(loadFixture('mock-inference.yaml'));
    expect(digest(report)).toEqual([
      'ML003 warning Deployment/mock-inference',
      'ML014 warning Deployment/mock-inference',
      'ML015 warning Deployment/mock-inference',
      'ML016 warning Deployment/mock-inference',
      'ML028 warning Deployment/mock-inference',
      'ML006 info Deployment/mock-inference',
    ]);
    expect(findingsOf(report, 'ML003')[0].message).toContain(
      'kills the container after 30 s (initialDelaySeconds 0 + periodSeconds 10 × failureThreshold 3)',
    );
    expect(findingsOf(report, 'ML002')).toEqual([]); // /ready and /live differ
    expect(findingsOf(report, 'ML007')).toEqual([]); // the Service selects the Deployment
    expect(findingsOf(report, 'ML006')[0].message).toContain("'nginx:1.27-alpine'");
    expect(findingsOf(report, 'ML014')[0].message).toContain("namespace 'ml-k8s-lab'");
  });

  test('embedding-trainer Job: GPU placement is right, deadline and TTL are missing', () => {
    const report = review(loadFixture('embedding-trainer.yaml'));
    expect(digest(report)).toEqual([
      'ML010 warning Job/embedding-trainer',
      'ML010 warning Job/embedding-trainer',
      'ML014 warning Job/embedding-trainer',
      'ML015 warning Job/embedding-trainer',
      'ML016 warning Job/embedding-trainer',
      'ML006 info Job/embedding-trainer',
    ]);
    expect(findingsOf(report, 'ML010').map((f) => /no (\w+)/.exec(f.message)?.[1])).toEqual([
      'activeDeadlineSeconds',
      'ttlSecondsAfterFinished',
    ]);
    // Toleration + nodeSelector present, GPU under limits, requests defaulted from limits.
    for (const id of ['ML001', 'ML004', 'ML005', 'ML012', 'ML019']) expect(findingsOf(report, id)).toEqual([]);
  });

  test('fraud-scorer PDB alone protects nothing of the set; with its Deployment it depends on the replicas', () => {
    const budget = loadFixture('fraud-scorer-pdb.yaml');
    expect(digest(review(budget))).toEqual(['ML008 warning PodDisruptionBudget/fraud-scorer-pdb']);

    const scorer = (replicas: number): Record<string, any> => {
      const d = deployment('fraud-scorer', 'ml-serving-prod');
      d.spec.replicas = replicas;
      return d;
    };
    // kubectl get deployment shows fraud-scorer 3/3: minAvailable 2 leaves one disruption.
    expect(findingsOf(review([...budget, scorer(3)]), 'ML008')).toEqual([]);
    const [blocked] = findingsOf(review([...budget, scorer(2)]), 'ML008');
    expect(blocked).toMatchObject({ severity: 'error', name: 'fraud-scorer-pdb', namespace: 'ml-serving-prod' });
    expect(blocked.message).toContain(
      "minAvailable 2 but the selected pods number only 2 at their lowest (Deployment 'fraud-scorer' (replicas 2))",
    );
    expect(findingsOf(review([pdb({ minAvailable: 2 }, 'fraud-scorer', 'ml-serving-prod'), scorer(2)]), 'ML008')).toHaveLength(1);
  });

  test('platform objects (ResourceQuota, PVC, Ingress, ServiceMonitor) are quiet', () => {
    const report = review(loadFixture('platform-objects.yaml'));
    expect(report.findings).toEqual([]);
    expect(report.counts.objects).toBe(4);
  });
});
