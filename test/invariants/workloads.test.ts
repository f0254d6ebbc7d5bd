import { Chart, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { Platform } from '../../src';
import { Manifest, synthValid } from '../helpers';
import { Common } from './arbitraries';
import { NAMESPACE, Part, SCENARIOS, Scenario } from './apps';
import { invariantViolations } from './invariants';

/** Runs per construct and mode: enough to cover the option space every CI run, small enough to keep the suite fast. */
const RUNS = 12;

/** A chart whose platform carries the generated DNS setting and Kubernetes version. */
function chartFor(c: Common): Chart {
  const app = Testing.app();
  Platform.configure(app, { dns: c.dns, kubernetesVersion: c.kubernetesVersion, monitoring: { scrapeFrom: c.scrapeFrom } });
  return new Chart(app, 'invariants', { namespace: NAMESPACE });
}

/**
 * Builds the workload from the generated description, synthesizes it (schemas checked) and fails with
 * every violated invariant; fast-check then shrinks and prints the description that broke it.
 */
function holds<T extends Common>(spec: T, build: (chart: Chart, spec: T) => Part | Part[]): void {
  const chart = chartFor(spec);
  const built = build(chart, spec);
  const objects: Manifest[] = synthValid(chart);
  const violations = [built].flat().flatMap((part) => {
    const monitored = part.monitored ?? spec.monitored;
    return invariantViolations(objects, {
      name: part.name ?? spec.name,
      namespace: NAMESPACE,
      dns: spec.dns,
      scrapeFrom: spec.scrapeFrom,
      controllers: part.controllers,
      serves: part.serves,
      networkPolicy: part.egress !== false && spec.networkPolicy,
      egressTo: (part.egress && part.egress.egressTo) || [],
      monitored,
      scraped: monitored && part.scraped,
      availability: part.availability,
    });
  });
  if (violations.length) throw new Error(`invariants violated:\n  ${violations.join('\n  ')}`);
}

const DESCRIBE: Record<string, string> = {
  OnlineInference: 'OnlineInference: every mode keeps its policies',
  BatchScoringJob: 'BatchScoringJob: Job, CronJob and Indexed Job',
  GpuTrainingJob: 'GpuTrainingJob: single worker and multi-worker (Indexed Job or JobSet)',
  QueueWorker: 'QueueWorker: ScaledObject, plain HPA and ScaledJob',
  MultiHostInference: 'MultiHostInference: leader and worker templates of a LeaderWorkerSet',
  ModelCache: 'ModelCache: the fill Job and the servers that mount it',
};

for (const [construct, scenarios] of Object.entries(SCENARIOS)) {
  describe(DESCRIBE[construct], () => {
    test.each(scenarios.map((s) => [s.name, s] as [string, Scenario]))('%s', (_name, scenario) => {
      fc.assert(
        fc.property(scenario.arbitrary, (spec) => holds(spec, scenario.build)),
        { numRuns: RUNS },
      );
    });
  });
}
