import { hasVendoredCrd, validateVendoredCrd } from './crd-schema';

const jobSet = (spec: object) => ({ apiVersion: 'jobset.x-k8s.io/v1alpha2', kind: 'JobSet', metadata: { name: 'train' }, spec });
const worker = {
  name: 'workers',
  replicas: 1,
  template: { spec: { template: { spec: { containers: [{ name: 'trainer', image: 'trainer:v1' }] } } } },
};

describe('vendored CRD schemas', () => {
  test('JobSet, LeaderWorkerSet and InferencePool are known', () => {
    expect(hasVendoredCrd('jobset.x-k8s.io/v1alpha2', 'JobSet')).toBe(true);
    expect(hasVendoredCrd('leaderworkerset.x-k8s.io/v1', 'LeaderWorkerSet')).toBe(true);
    expect(hasVendoredCrd('inference.networking.k8s.io/v1', 'InferencePool')).toBe(true);
    expect(hasVendoredCrd('apps/v1', 'Deployment')).toBe(false);
  });

  test('a valid JobSet passes', () => {
    expect(() =>
      validateVendoredCrd(jobSet({ replicatedJobs: [worker], failurePolicy: { maxRestarts: 3, restartStrategy: 'BlockingRecreate' } })),
    ).not.toThrow();
  });

  test.each([
    ['an unknown field', { replicatedJobs: [worker], restartPolicy: 'Always' }, /spec\/restartPolicy is not in the schema/],
    ['a bad enum', { replicatedJobs: [worker], failurePolicy: { restartStrategy: 'Sometimes' } }, /restartStrategy .* is not one of/],
    [
      'a string where an integer belongs',
      { replicatedJobs: [worker], failurePolicy: { maxRestarts: '3' } },
      /maxRestarts is not an integer/,
    ],
    [
      'a container without a name in the pod template',
      { replicatedJobs: [{ ...worker, template: { spec: { template: { spec: { containers: [{ image: 'x:v1' }] } } } } }] },
      /containers\/0 misses required field name/,
    ],
  ])('a JobSet with %s is rejected', (_what, spec, error) => {
    expect(() => validateVendoredCrd(jobSet(spec))).toThrow(error);
  });
});
