import { Lazy } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import type { PodMonitor } from '../../imports/monitoring-podmonitor-monitoring.coreos.com';
import type {
  PrometheusRule,
  PrometheusRuleSpecGroups,
  PrometheusRuleSpecGroupsRules,
} from '../../imports/monitoring-prometheusrule-monitoring.coreos.com';
import type { ServiceMonitor } from '../../imports/monitoring-servicemonitor-monitoring.coreos.com';
import { ensureGate, recordProps, recordRenderedPath } from '../core/gate';
import './promql-gate';
import { check } from '../core/errors';
import { requireDnsLabel, requireLabels } from '../core/names';
import { AlertFamily, AlertSpec, runbookAnchor, runbookText } from './alert';
import { MonitoringOptions, ResolvedMonitoring, monitoringEnabled, resolveMonitoring } from './options';
import { promDuration, secondsOf } from './promql';
import { SloSummary, sloSummaries } from './slo';
import { MonitoredWorkload } from './workload';

// The generated Prometheus Operator modules are loaded by the first monitored workload, not with the library.
/* eslint-disable @typescript-eslint/no-require-imports */
const monitors = (): typeof import('../../imports/monitoring-servicemonitor-monitoring.coreos.com') =>
  require('../../imports/monitoring-servicemonitor-monitoring.coreos.com');
const podMonitors = (): typeof import('../../imports/monitoring-podmonitor-monitoring.coreos.com') =>
  require('../../imports/monitoring-podmonitor-monitoring.coreos.com');
const rules = (): typeof import('../../imports/monitoring-prometheusrule-monitoring.coreos.com') =>
  require('../../imports/monitoring-prometheusrule-monitoring.coreos.com');
/* eslint-enable @typescript-eslint/no-require-imports */

/** Props of {@link WorkloadMonitoring}. */
export interface WorkloadMonitoringProps extends MonitoringOptions {
  /** The workload to watch; workload constructs describe themselves (e.g. `onlineInferenceWorkload`). */
  readonly workload: MonitoredWorkload;
  /**
   * Where bad options are reported: a workload construct passes itself and `monitoring`, so errors
   * read `OnlineInference 'prod/svc': monitoring.slo...`.
   * @default - this construct, with the option names as given
   * @internal
   */
  readonly reportAs?: { readonly scope: IConstruct; readonly field: string };
}

/**
 * Our alerts that kube-prometheus-stack's default `kubernetes-apps` rules (from kubernetes-mixin)
 * already raise for every workload, with the rule that does.
 */
export const KUBE_PROMETHEUS_STACK_COVERS: Readonly<Record<string, string>> = {
  MlCrashLooping: 'KubePodCrashLooping',
  MlPodsPending: 'KubePodNotReady',
  MlReplicasUnavailable: 'KubeDeploymentReplicasMismatch',
  MlRolloutStuck: 'KubeDeploymentRolloutStuck',
  MlAtMaxReplicas: 'KubeHpaMaxedOut',
  MlJobFailed: 'KubeJobFailed',
};

/** Rule groups, in the order they appear in the PrometheusRule and the runbook. */
export const ALERT_FAMILIES: readonly AlertFamily[] = ['slo', 'canary', 'serving', 'rollout', 'pods', 'jobs', 'queue'];

/**
 * Scrape target and alert rules of one workload: a ServiceMonitor (workloads behind a Service) or a
 * PodMonitor (jobs, workers) on the named metrics port, and a PrometheusRule whose every alert carries
 * its severity, a summary naming the workload and namespace, and the triage sequence with real names.
 * All named after the workload. Workload constructs create one from their `monitoring` prop.
 */
export class WorkloadMonitoring extends Construct {
  /** Every WorkloadMonitoring in the app of `scope`, ordered by namespace and name. */
  public static all(scope: IConstruct): WorkloadMonitoring[] {
    return scope.node.root.node
      .findAll()
      .filter((c): c is WorkloadMonitoring => c instanceof WorkloadMonitoring)
      .sort((a, b) => `${a.workload.namespace}/${a.workload.name}`.localeCompare(`${b.workload.namespace}/${b.workload.name}`));
  }

  /** The workload watched, as described to the constructor. */
  public readonly workload: MonitoredWorkload;
  /** The options with defaults filled in. @internal */
  public readonly options: ResolvedMonitoring;
  /**
   * The alerts, as written into the PrometheusRule (and the runbook). Built on each read, not kept:
   * with their triage text they were half of a realistic service's construct-tree memory.
   */
  public get alerts(): AlertSpec[] {
    return this.selected().filter((a) => this.covers[a.alert] === undefined);
  }

  /** Alerts left out because the platform's alerting stack raises them, with the rule that does. */
  public get coveredElsewhere(): {
    /** Our alert left out. */
    readonly alert: string;
    /** The kube-prometheus-stack rule that raises it. */
    readonly rule: string;
  }[] {
    return this.selected()
      .filter((a) => this.covers[a.alert] !== undefined)
      .map((a) => ({ alert: a.alert, rule: this.covers[a.alert] }));
  }
  /** The burn-rate plan of each objective. */
  public readonly slos: SloSummary[];
  /**
   * The ServiceMonitor scraping the workload's Service; undefined unless the workload has a Service and a metrics port.
   * Escape hatch (README "Extending a construct"): `metadata` and `addJsonPatch` changes reach the YAML.
   */
  public readonly serviceMonitor?: ServiceMonitor;
  /**
   * The PodMonitor scraping the pods; undefined unless the workload has a metrics port and no Service. Escape hatch
   * (README "Extending a construct"): `metadata` and `addJsonPatch` changes reach the YAML.
   */
  public readonly podMonitor?: PodMonitor;
  /**
   * The PrometheusRule holding the alerts, one rule group per family. Escape hatch (README "Extending a construct"):
   * `metadata` and `addJsonPatch` changes reach the YAML.
   */
  public readonly prometheusRule: PrometheusRule;

  /**
   * Creates the monitor and the PrometheusRule; throws `MlValidationError` for thresholds or objectives that cannot
   * work.
   */
  constructor(scope: Construct, id: string, props: WorkloadMonitoringProps) {
    super(scope, id);
    ensureGate(this);
    const { workload: w, reportAs, ...options } = props;
    if (!reportAs) recordProps(this, props);
    const errors = reportAs ?? { scope: this, field: '' };
    this.workload = w;
    checkWorkload(this, w);
    this.options = resolveMonitoring(errors.scope, errors.field, options);
    const at = (f: string) => (errors.field ? `${errors.field}.${f}` : f);
    checkFits(errors.scope, at, w, this.options);
    this.slos = this.options.slo ? sloSummaries(this.options.slo) : [];
    this.covers = this.options.alertsCoveredBy === 'kube-prometheus-stack' ? KUBE_PROMETHEUS_STACK_COVERS : {};
    // The alert builders only read validated options; what they cannot know in advance is whether
    // each excluded alert exists, so that is checked here, once.
    if (this.options.exclude.length > 0) checkExcluded(errors.scope, at('exclude'), allAlerts(w, this.options), this.options.exclude);
    const podLabels = { ...w.selector, ...w.labels };
    const team = podLabels[this.options.teamLabel];
    // Every alert: severity and workload for routing, the owning team, then the platform's routing labels.
    this.alertLabels = { ...(team !== undefined ? { [this.options.teamLabel]: team } : {}), ...this.options.alertLabels };

    const metadata = { name: w.name, namespace: w.namespace, labels: { ...(w.labels ?? w.selector), ...this.options.labels } };
    const endpoint = { port: w.metricsPort, path: this.options.metricsPath, interval: promDuration(this.options.scrapeInterval) };
    if (w.metricsPort && w.servicePort !== undefined) {
      this.serviceMonitor = new (monitors().ServiceMonitor)(this, 'ServiceMonitor', {
        metadata,
        spec: {
          // Per-track Services (HTTPRoute backends) carry the track label: scrape each pod once, via the main Service.
          selector: { matchLabels: w.selector, matchExpressions: [{ key: 'cdk8s-ml.io/track', operator: 'DoesNotExist' }] },
          endpoints: [endpoint],
          podTargetLabels: ['cdk8s-ml.io/track'],
        },
      });
    } else if (w.metricsPort) {
      this.podMonitor = new (podMonitors().PodMonitor)(this, 'PodMonitor', {
        metadata,
        spec: { selector: { matchLabels: w.selector }, podMetricsEndpoints: [endpoint] },
      });
    }
    this.prometheusRule = new (rules().PrometheusRule)(this, 'Rule', {
      metadata,
      spec: {
        // Built when the rule is synthesized and released after it is written: the alerts and their
        // annotations (runbook text, descriptions) are about half of a realistic service's YAML.
        groups: Lazy.any({ produce: () => this.ruleGroups() }),
      },
    });
    // What the gate finds in the rules (a PromQL mistake, a trigger index) is reported against the workload's monitoring prop.
    if (reportAs) {
      recordRenderedPath(this.prometheusRule, 'spec', reportAs.scope, reportAs.field, true);
      for (const monitor of [this.serviceMonitor, this.podMonitor])
        if (monitor) recordRenderedPath(monitor, 'spec', reportAs.scope, reportAs.field, true);
    }
  }

  /** The runbook link of an alert: `<runbookUrl>#<anchor>`. */
  public runbookUrl(alert: string): string {
    return `${this.options.runbookUrl}#${runbookAnchor(this.workload.namespace, this.workload.name, alert)}`;
  }

  private readonly alertLabels: Record<string, string>;
  private readonly covers: Readonly<Record<string, string>>;

  private selected(): AlertSpec[] {
    return allAlerts(this.workload, this.options).filter((a) => !this.options.exclude.includes(a.alert));
  }

  private ruleGroups(): PrometheusRuleSpecGroups[] {
    const w = this.workload;
    const alerts = this.alerts;
    return ALERT_FAMILIES.map((family) => ({
      name: `${w.namespace}.${w.name}.${family}`,
      rules: alerts.filter((a) => a.family === family).map((a) => this.rule(a)),
    })).filter((g) => g.rules.length > 0);
  }

  private rule(a: AlertSpec): PrometheusRuleSpecGroupsRules {
    const w = this.workload;
    return {
      alert: a.alert,
      expr: rules().PrometheusRuleSpecGroupsRulesExpr.fromString(a.expr),
      for: a.for && promDuration(a.for),
      labels: { severity: a.severity, namespace: w.namespace, workload: w.name, ...this.alertLabels },
      annotations: {
        summary: a.summary,
        description: `${a.when.charAt(0).toUpperCase()}${a.when.slice(1)}.${a.value ? ` ${a.value}` : ''}`,
        ...(this.options.runbook === 'inline' ? { runbook: runbookText(a) } : {}),
        runbook_url: this.runbookUrl(a.alert),
        ...a.annotations,
      },
    };
  }
}

/** Every alert of every family for `w`, before exclusions (the alert builders load with the first monitored workload). */
function allAlerts(w: MonitoredWorkload, o: ResolvedMonitoring): AlertSpec[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('./alerts') as typeof import('./alerts')).allAlerts(w, o);
}

/** Each excluded alert must be one of the workload's alerts. */
function checkExcluded(scope: IConstruct, field: string, all: AlertSpec[], exclude: readonly string[]): void {
  const names = all.map((a) => a.alert);
  for (const name of exclude) {
    check(names.includes(name), scope, {
      field,
      value: name,
      problem: `is not one of this workload's alerts`,
      fix: `use one of ${names.join(', ')}`,
    });
  }
}

function checkWorkload(scope: IConstruct, w: MonitoredWorkload): void {
  requireDnsLabel(scope, 'workload.name', w.name);
  requireDnsLabel(scope, 'workload.namespace', w.namespace);
  check(Object.keys(w.selector ?? {}).length > 0, scope, {
    field: 'workload.selector',
    value: w.selector,
    problem: 'is empty',
    fix: "give the labels that select exactly the workload's pods",
  });
  requireLabels(scope, 'workload.selector', w.selector);
  if (w.metricsPort !== undefined) {
    check(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(w.metricsPort) && w.metricsPort.length <= 15 && /[a-z]/.test(w.metricsPort), scope, {
      field: 'workload.metricsPort',
      value: w.metricsPort,
      problem: 'is not a port name',
      fix: "name the container port (IANA_SVC_NAME, e.g. 'metrics') and scrape it by name",
    });
  }
  const a = w.autoscaler;
  if (a) {
    check(
      Number.isInteger(a.minReplicas) &&
        a.minReplicas >= 0 &&
        Number.isInteger(a.maxReplicas) &&
        a.maxReplicas >= Math.max(1, a.minReplicas),
      scope,
      {
        field: 'workload.autoscaler',
        value: `${a.minReplicas}-${a.maxReplicas}`,
        problem: 'is not a replica range',
        fix: 'use whole numbers with 0 <= minReplicas <= maxReplicas and maxReplicas >= 1',
      },
    );
  }
  for (const [field, d] of [
    ['modelLoad.budget', w.modelLoad?.budget],
    ['job.activeDeadline', w.job?.activeDeadline],
    ['job.expectedDuration', w.job?.expectedDuration],
  ] as const) {
    check(d === undefined || secondsOf(d) > 0, scope, {
      field: `workload.${field}`,
      value: d && `${secondsOf(d)}s`,
      problem: 'is not positive',
      fix: 'give a duration above zero',
    });
  }
}

/** Options that need something the workload does not have. */
function checkFits(scope: IConstruct, at: (field: string) => string, w: MonitoredWorkload, o: ResolvedMonitoring): void {
  check(!(o.slo && !w.metricsPort), scope, {
    field: at('slo'),
    value: Object.keys(o.slo ?? {}).join(', '),
    problem: `needs the workload's metrics, but ${w.name} has no metrics port`,
    fix: 'expose a named metrics port on the workload (e.g. metricsPort: 9090) so Prometheus scrapes the request metrics',
  });
  const keda = w.autoscaler?.kind === 'ScaledObject' || w.autoscaler?.kind === 'ScaledJob';
  check(!(o.queue.backlog && !keda), scope, {
    field: at('queue.backlog'),
    value: o.queue.backlog?.maxMessages,
    problem: `reads KEDA's queue metric, but ${w.name} is not scaled by a KEDA ScaledObject or ScaledJob`,
    fix: 'use queue.oldestMessageAge with a metric your queue exports, or scale the worker with KEDA',
  });
}

/**
 * Monitoring for one workload construct when its `monitoring` prop (or the platform default) turns it
 * on: `describe` is called only then.
 */
export function monitorWorkload(
  owner: Construct,
  prop: MonitoringOptions | false | undefined,
  describe: () => MonitoredWorkload,
): WorkloadMonitoring | undefined {
  const options = monitoringEnabled(owner, prop);
  if (!options) return undefined;
  return new WorkloadMonitoring(owner, 'Monitoring', { ...options, workload: describe(), reportAs: { scope: owner, field: 'monitoring' } });
}
