import { Duration } from 'cdk8s';
import type { DescribedWorkload } from '../observability/workload-descriptors';
import { MonitoredWorkload, apiObjectsOf } from '../observability/workload';

/** What {@link multiHostWorkload} reads of a MultiHostInference. */
export interface DescribedMultiHost extends DescribedWorkload {
  /** Groups (replicas of the model). */
  readonly replicas: number;
  /** Pods per group: a leader and its workers. */
  readonly groupSize: number;
}

/** Describes a MultiHostInference for WorkloadMonitoring: scraped on the leaders' serving port. */
export function multiHostWorkload(w: DescribedMultiHost, loadBudget: Duration): MonitoredWorkload {
  return {
    type: 'MultiHostInference',
    description: `vLLM across nodes on the LeaderWorkerSet ${w.name}: ${w.replicas} group(s) of ${w.groupSize} pods (a leader serving HTTP and ${w.groupSize - 1} worker(s)); a lost pod restarts its whole group.`,
    kind: 'serving',
    name: w.name,
    namespace: w.namespace,
    selector: w.labels.selector,
    labels: w.labels.common,
    controller: 'LeaderWorkerSet',
    container: 'server',
    metricsPort: 'http',
    servicePort: 80,
    modelLoad: { budget: loadBudget },
    objects: apiObjectsOf(w),
  };
}
