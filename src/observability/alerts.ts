import { AlertSpec } from './alert';
import { canaryAlerts } from './canary-alerts';
import { jobAlerts } from './job-alerts';
import { ResolvedMonitoring } from './options';
import { podAlerts, rolloutAlerts } from './pod-alerts';
import { atMaxAlerts, queueAlerts } from './scaling-alerts';
import { servingAlerts } from './serving-alerts';
import { sloAlerts } from './slo';
import { MonitoredWorkload } from './workload';

/** Every alert of every family for `w`, before exclusions, in rule order. */
export function allAlerts(w: MonitoredWorkload, o: ResolvedMonitoring): AlertSpec[] {
  return [
    ...(o.slo ? sloAlerts(w, o.slo) : []),
    ...canaryAlerts(w, o.slo),
    ...servingAlerts(w, o),
    ...atMaxAlerts(w, o),
    ...rolloutAlerts(w, o),
    ...podAlerts(w, o),
    ...jobAlerts(w, o),
    ...queueAlerts(w, o),
  ];
}
