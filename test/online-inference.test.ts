import { OnlineInference } from '../src';
import { one, synthValid, testChart } from './helpers';

test('smoke', () => {
  const chart = testChart();
  new OnlineInference(chart, 'sentiment', { image: 'r.example.com/s:v1', resources: { cpu: '500m', memory: '1Gi' } });
  const objs = synthValid(chart);
  expect(one(objs, 'Deployment').metadata.name).toBe('sentiment');
});
