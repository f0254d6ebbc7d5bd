import { Testing } from 'cdk8s';
import { queueChart } from '../examples/queue';
import { one, validateManifest } from './helpers';
import { validateKedaCrd } from './keda-crd';

// @kubernetes-models/keda 0.4.2 was generated from a KEDA older than 2.20: it lacks
// initialCooldownPeriod, fallback.behavior, advanced.scalingModifiers, HPA-behaviour tolerance,
// podIdentity.roleArn/identityOwner, ScaledJob triggers[].metricType and more, and accepts unknown
// fields. These tests pin that gap and show the CRD-schema check closes it.
const { ScaledObject } = require('@kubernetes-models/keda/keda.sh/v1alpha1');
const objects = Testing.synth(queueChart(Testing.app()));
const so = one(objects, 'ScaledObject', 'embedding-backfill');

function kedaModelAccepts(obj: object): boolean {
  try {
    new ScaledObject(obj).validate();
    return true;
  } catch {
    return false;
  }
}

test('every example KEDA object passes both schemas', () => {
  for (const o of objects.filter((x: any) => x.apiVersion.startsWith('keda.sh/'))) expect(() => validateManifest(o)).not.toThrow();
});

test.each([
  ['a mistyped 2.20 field', { initialCooldownPeriod: 'soon' }, /\/spec\/initialCooldownPeriod is not an integer/],
  [
    'an unknown fallback behaviour',
    { fallback: { failureThreshold: 3, replicas: 1, behavior: 'sometimes' } },
    /\/spec\/fallback\/behavior \("sometimes"\) is not one of/,
  ],
  ['a misspelt field the API server would drop', { coolDownPeriod: 60 }, /\/spec\/coolDownPeriod is not in the schema/],
  ['a null', { pollingInterval: null }, /\/spec\/pollingInterval is null/],
])('the 0.4.2 model accepts %s; the 2.20.2 CRD schema does not', (_, change, message) => {
  const bad = { ...so, spec: { ...so.spec, ...change } };
  expect(kedaModelAccepts(bad)).toBe(true);
  expect(() => validateKedaCrd(bad)).toThrow(message);
});

test('the ScaledJob job template is validated as a batch/v1 Job', () => {
  const sj = one(objects, 'ScaledJob');
  const bad = JSON.parse(JSON.stringify(sj));
  bad.spec.jobTargetRef.template.spec.containers[0].resources.requests.cpu = null;
  expect(() => validateKedaCrd(bad)).toThrow(/requests\/cpu/);
});

test('a TriggerAuthentication pod identity provider outside the 2.20 enum is caught', () => {
  const ta = one(objects, 'TriggerAuthentication');
  expect(() => validateKedaCrd({ ...ta, spec: { podIdentity: { provider: 'aws-kiam' } } })).toThrow(
    /\/spec\/podIdentity\/provider \("aws-kiam"\) is not one of/,
  );
});
