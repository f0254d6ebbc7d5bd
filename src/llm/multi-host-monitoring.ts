import { Duration } from 'cdk8s';
import type { MultiHostInference } from './multi-host-inference';
import { MonitoredWorkload, apiObjectsOf } from '../observability/workload';

/** Describes a MultiHostInference for WorkloadMonitoring: scraped on the leaders' serving port. */
export function multiHostWorkload(w: MultiHostInference, loadBudget: Duration): MonitoredWorkload {
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
