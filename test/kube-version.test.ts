import { Chart, Testing } from 'cdk8s';
import { BatchScoringJob, ExitCodes, OnlineInference, Platform } from '../src';
import { requireFeature, supports, targetVersion } from '../src/core/kube-version';
import {
  KUBE_FEATURES,
  NEWEST_KUBERNETES_VERSION,
  OLDEST_KUBERNETES_VERSION,
  SUPPORTED_KUBERNETES_VERSIONS,
  versionSupports,
} from '../src/core/facts/kubernetes';
import { one, synthValid, testChart } from './helpers';

const base = { image: 'registry.example.com/scorer:v1.2.0', resources: { cpu: '1', memory: '2Gi' } };

function shardedJob(version?: string) {
  const chart = testChart();
  if (version) Platform.configure(chart, { kubernetesVersion: version });
  new BatchScoringJob(chart, 'scores', { ...base, shards: 20, backoffLimitPerIndex: 2, nonRetryableExitCodes: ExitCodes.of(2) });
  return one(synthValid(chart), 'Job', 'scores');
}

describe('target Kubernetes version', () => {
  test('defaults to the newest supported version', () => {
    expect(targetVersion(testChart())).toBe(NEWEST_KUBERNETES_VERSION);
    expect(NEWEST_KUBERNETES_VERSION).toBe('1.34');
    expect(OLDEST_KUBERNETES_VERSION).toBe('1.26');
  });

  test('accepts 1.30, v1.30 and 1.30.2 alike', () => {
    for (const v of ['1.30', 'v1.30', '1.30.2']) {
      const chart = testChart();
      Platform.configure(chart, { kubernetesVersion: v });
      expect(targetVersion(chart)).toBe('1.30');
    }
  });

  test('throws on versions outside the supported range or not a version, naming the range', () => {
    expect(() => Platform.configure(testChart(), { kubernetesVersion: '1.25' })).toThrow(
      "Chart 'test': platform kubernetesVersion (1.25) is outside the supported range 1.26-1.34; use one of 1.26, 1.27, 1.28",
    );
    expect(() => Platform.configure(testChart(), { kubernetesVersion: 'latest' })).toThrow('is not a Kubernetes version');
  });

  test('a feature is supported from the version it is on by default', () => {
    expect(versionSupports('1.28', 'job.podReplacementPolicy')).toBe(false);
    expect(versionSupports('1.29', 'job.podReplacementPolicy')).toBe(true);
    expect(versionSupports('1.30', 'job.successPolicy')).toBe(false);
    expect(versionSupports('1.31', 'job.successPolicy')).toBe(true);
    expect(versionSupports('1.28', 'pdb.unhealthyPodEvictionPolicy')).toBe(true);
    expect(versionSupports('1.26', 'pdb.unhealthyPodEvictionPolicy')).toBe(false);
    expect(versionSupports('1.26', 'cronjob.timeZone')).toBe(true);
    expect(versionSupports('1.26', 'topologySpread.matchLabelKeys')).toBe(false);
    expect(versionSupports('1.27', 'topologySpread.matchLabelKeys')).toBe(true);
    for (const [feature, info] of Object.entries(KUBE_FEATURES)) {
      for (const v of SUPPORTED_KUBERNETES_VERSIONS) {
        expect(versionSupports(v, feature as keyof typeof KUBE_FEATURES)).toBe(Number(v.split('.')[1]) >= Number(info.since.split('.')[1]));
      }
    }
  });

  test('the nearest scope wins', () => {
    const app = Testing.app();
    Platform.configure(app, { kubernetesVersion: '1.28' });
    const inherits = new Chart(app, 'old');
    const overrides = new Chart(app, 'new');
    Platform.configure(overrides, { kubernetesVersion: '1.34' });
    expect(supports(inherits, 'job.podReplacementPolicy')).toBe(false);
    expect(supports(overrides, 'job.podReplacementPolicy')).toBe(true);
  });

  test('requireFeature names the prop, the target and the version needed', () => {
    const chart = testChart();
    Platform.configure(chart, { kubernetesVersion: '1.30' });
    expect(() => requireFeature(chart, 'job.successPolicy', 'successPolicy', { succeededIndexes: '0' })).toThrow(
      'Chart \'test\': successPolicy ({"succeededIndexes":"0"}) needs Job spec.successPolicy, available from Kubernetes 1.31, but the platform targets 1.30; drop successPolicy, or raise the platform\'s kubernetesVersion to 1.31 or later',
    );
    Platform.configure(chart, { kubernetesVersion: '1.31' });
    expect(() => requireFeature(chart, 'job.successPolicy', 'successPolicy', {})).not.toThrow();
  });
});

describe('Jobs per target version', () => {
  test('1.29 and newer: per-index retries, FailIndex and replacement only after failure', () => {
    for (const v of [undefined, '1.29', '1.34']) {
      const job = shardedJob(v);
      expect(job.spec.podReplacementPolicy).toBe('Failed');
      expect(job.spec.backoffLimitPerIndex).toBe(2);
      expect(job.spec.maxFailedIndexes).toBe(2);
      expect(job.spec.backoffLimit).toBeUndefined();
      expect(job.spec.podFailurePolicy.rules[1].action).toBe('FailIndex');
    }
  });

  test.each(['1.26', '1.27', '1.28'])('%s: no field newer than the target; the same retry budget Job-wide and FailJob', (version) => {
    const job = shardedJob(version);
    expect(job.spec.podFailurePolicy.rules[1].onPodConditions).toEqual([]);
    expect(job.spec.podReplacementPolicy).toBeUndefined();
    expect(job.spec.backoffLimitPerIndex).toBeUndefined();
    expect(job.spec.maxFailedIndexes).toBeUndefined();
    expect(job.spec.backoffLimit).toBe(40);
    expect(job.spec.completionMode).toBe('Indexed');
    expect(job.spec.completions).toBe(20);
    expect(job.spec.podFailurePolicy.rules[1].action).toBe('FailJob');
  });
});

describe('serving pods per target version', () => {
  const serving = (version: string) => {
    const chart = testChart();
    Platform.configure(chart, { kubernetesVersion: version });
    new OnlineInference(chart, 'scorer', { ...base, replicas: 3 });
    const objects = synthValid(chart);
    return { deployment: one(objects, 'Deployment', 'scorer'), pdb: one(objects, 'PodDisruptionBudget', 'scorer') };
  };

  test('1.26: no unhealthyPodEvictionPolicy and no matchLabelKeys (alpha there: the API server would drop them)', () => {
    const { deployment, pdb } = serving('1.26');
    expect(pdb.spec.unhealthyPodEvictionPolicy).toBeUndefined();
    const spread = deployment.spec.template.spec.topologySpreadConstraints;
    expect(spread).toHaveLength(2);
    expect(spread.every((c: any) => c.matchLabelKeys === undefined)).toBe(true);
  });

  test('1.27: both, on by default from there', () => {
    const { deployment, pdb } = serving('1.27');
    expect(pdb.spec.unhealthyPodEvictionPolicy).toBe('AlwaysAllow');
    expect(deployment.spec.template.spec.topologySpreadConstraints[0].matchLabelKeys).toEqual(['pod-template-hash']);
  });
});
