import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { check } from '../core/errors';
import { requireLabels } from '../core/names';
import { Platform } from '../core/platform';
import { requireLabelName, requireMetricName, secondsOf } from './promql';
import { ServiceLevelObjectives, checkObjectives } from './slo';

/** How long conditions must hold before alerting. */
export interface AlertThresholds {
  /** Pods Pending this long alert (no node fits: GPU capacity, quota, taints). @default Duration.minutes(15) */
  readonly podsPendingFor?: Duration;
  /** Replicas unavailable this long alert. @default Duration.minutes(15) */
  readonly replicasUnavailableFor?: Duration;
  /** The autoscaler pinned at its maximum this long alerts. @default Duration.minutes(30) */
  readonly atMaxReplicasFor?: Duration;
  /** Ready-condition changes of one pod within 15 minutes that count as flapping. @default 4 */
  readonly readinessChanges?: number;
  /** Share of activeDeadlineSeconds a running Job may use before alerting. @default 0.9 */
  readonly deadlineShare?: number;
  /** How late a CronJob run may be before it counts as missed. @default - startingDeadline, else Duration.minutes(10) */
  readonly missedScheduleGrace?: Duration;
}

/** Backlog objective of a queue worker: KEDA's view of the queue. */
export interface QueueBacklogObjective {
  /** Messages waiting (the KEDA trigger's metric value) above which the backlog is too long. */
  readonly maxMessages: number;
  /** The KEDA trigger that measures the queue. @default 0 */
  readonly triggerIndex?: number;
  /** How long the backlog must stay above `maxMessages` before the alert fires. @default Duration.minutes(15) */
  readonly for?: Duration;
}

/** Oldest-message-age objective, from a metric the queue or its exporter publishes. */
export interface QueueAgeObjective {
  /** Metric holding the age of the oldest message in seconds (e.g. `aws_sqs_approximate_age_of_oldest_message_maximum`). */
  readonly metric: string;
  /** Label values that select this worker's queue (e.g. `{ queue_name: 'embeddings' }`). @default - none */
  readonly matchers?: Record<string, string>;
  /** Oldest message older than this alerts. */
  readonly maxAge: Duration;
  /** How long the oldest message must stay older than `maxAge` before the alert fires. @default Duration.minutes(10) */
  readonly for?: Duration;
}

/** Objectives of a queue worker. */
export interface QueueObjectives {
  /** Alert when more messages wait than the workers should let pile up. @default - no backlog alert */
  readonly backlog?: QueueBacklogObjective;
  /** Alert when the oldest message has waited too long. @default - no age alert */
  readonly oldestMessageAge?: QueueAgeObjective;
}

/** What a workload's monitoring does; every field has a default. */
export interface MonitoringOptions {
  /** Service level objectives, alerted on by multi-window burn rates. @default - none */
  readonly slo?: ServiceLevelObjectives;
  /** Queue objectives (queue workers). @default - none */
  readonly queue?: QueueObjectives;
  /** Thresholds of the serving, rollout, pod and job alerts. @default - each threshold's default */
  readonly thresholds?: AlertThresholds;
  /** Path the workload serves Prometheus metrics on. @default '/metrics' */
  readonly metricsPath?: string;
  /** How often Prometheus scrapes the workload. @default - the platform's (30s) */
  readonly scrapeInterval?: Duration;
  /** Labels for the monitor and rule objects, beside the platform's. @default - none */
  readonly labels?: Record<string, string>;
  /** Where RUNBOOK.md is published. @default - the platform's ('RUNBOOK.md') */
  readonly runbookUrl?: string;
  /** Alerts to leave out, by name (e.g. `['MlReadinessFlapping']`). @default - none */
  readonly exclude?: string[];
}

/** Monitoring props of a workload without a Service (jobs, queue workers). */
export interface PodMonitoringProps {
  /**
   * Alert rules (and a PodMonitor with `metricsPort`) and runbook entries; `false` for none.
   * @default - the platform's `monitoring.enabled` (off unless the platform turns it on)
   */
  readonly monitoring?: MonitoringOptions | false;
  /** Named container port Prometheus scrapes (a PodMonitor is created). @default - none */
  readonly metricsPort?: number;
}

/** Options with every default resolved. */
export interface ResolvedMonitoring {
  readonly slo?: ServiceLevelObjectives;
  readonly queue: QueueObjectives;
  readonly thresholds: Required<Omit<AlertThresholds, 'missedScheduleGrace'>> & { readonly missedScheduleGrace?: Duration };
  readonly metricsPath: string;
  readonly scrapeInterval: Duration;
  readonly labels: Record<string, string>;
  readonly runbookUrl: string;
  readonly exclude: string[];
  /** The platform's alerting fit (see `MonitoringDefaults`). */
  readonly alertsCoveredBy: 'none' | 'kube-prometheus-stack';
  readonly alertLabels: Record<string, string>;
  readonly teamLabel: string;
  readonly runbook: 'inline' | 'link';
}

/**
 * A workload's `monitoring` prop resolved against the platform default: `false` turns it off,
 * unset follows `Platform` `monitoring.enabled`.
 */
export function monitoringEnabled(scope: IConstruct, prop: MonitoringOptions | false | undefined): MonitoringOptions | undefined {
  if (prop === false) return undefined;
  if (prop !== undefined) return prop;
  return Platform.of(scope).monitoring.enabled ? {} : undefined;
}

/** Validates `options` (reported as `<field>.…` on `scope`) and fills in the defaults. */
export function resolveMonitoring(scope: IConstruct, field: string, options: MonitoringOptions = {}): ResolvedMonitoring {
  const at = (f: string) => (field ? `${field}.${f}` : f);
  const platform = Platform.of(scope).monitoring;
  const t = options.thresholds ?? {};
  const thresholds = {
    podsPendingFor: t.podsPendingFor ?? Duration.minutes(15),
    replicasUnavailableFor: t.replicasUnavailableFor ?? Duration.minutes(15),
    atMaxReplicasFor: t.atMaxReplicasFor ?? Duration.minutes(30),
    readinessChanges: t.readinessChanges ?? 4,
    deadlineShare: t.deadlineShare ?? 0.9,
    missedScheduleGrace: t.missedScheduleGrace,
  };
  for (const [k, d] of Object.entries({
    podsPendingFor: thresholds.podsPendingFor,
    replicasUnavailableFor: thresholds.replicasUnavailableFor,
    atMaxReplicasFor: thresholds.atMaxReplicasFor,
    missedScheduleGrace: thresholds.missedScheduleGrace,
  })) {
    check(d === undefined || secondsOf(d) >= 60, scope, {
      field: at(`thresholds.${k}`),
      value: d && `${secondsOf(d)}s`,
      problem: 'is shorter than a minute',
      fix: 'use at least Duration.minutes(1): shorter conditions page on every scrape hiccup',
    });
  }
  check(Number.isInteger(thresholds.readinessChanges) && thresholds.readinessChanges >= 2, scope, {
    field: at('thresholds.readinessChanges'),
    value: thresholds.readinessChanges,
    problem: 'is not a whole number of at least 2',
    fix: 'count ready/not-ready changes, e.g. 4 (two drop-outs) in 15 minutes',
  });
  check(thresholds.deadlineShare > 0 && thresholds.deadlineShare < 1, scope, {
    field: at('thresholds.deadlineShare'),
    value: thresholds.deadlineShare,
    problem: 'is not between 0 and 1',
    fix: 'use a share of the deadline such as 0.9, so the alert comes before the Job is killed',
  });
  const metricsPath = options.metricsPath ?? '/metrics';
  check(/^\/[^\s]*$/.test(metricsPath), scope, {
    field: at('metricsPath'),
    value: metricsPath,
    problem: 'is not an absolute URL path',
    fix: "use a path such as '/metrics'",
  });
  const scrapeInterval = options.scrapeInterval ?? platform.scrapeInterval;
  check(secondsOf(scrapeInterval) >= 1 && Number.isInteger(secondsOf(scrapeInterval)), scope, {
    field: at('scrapeInterval'),
    value: `${secondsOf(scrapeInterval)}s`,
    problem: 'is not a whole number of seconds of at least 1',
    fix: 'use e.g. Duration.seconds(30)',
  });
  const labels = { ...platform.labels, ...options.labels };
  requireLabels(scope, at('labels'), labels);
  requireLabels(scope, 'platform monitoring.alertLabels', platform.alertLabels);
  requireLabels(scope, 'platform monitoring.teamLabel', { [platform.teamLabel]: 'x' });
  check(platform.alertsCoveredBy === 'none' || platform.alertsCoveredBy === 'kube-prometheus-stack', scope, {
    field: 'platform monitoring.alertsCoveredBy',
    value: platform.alertsCoveredBy,
    problem: 'is not a known alerting stack',
    fix: "use 'none' or 'kube-prometheus-stack'",
  });
  check(platform.runbook === 'inline' || platform.runbook === 'link', scope, {
    field: 'platform monitoring.runbook',
    value: platform.runbook,
    problem: 'is not inline or link',
    fix: "use 'inline' (steps in the alert) or 'link' (steps only in RUNBOOK.md)",
  });
  for (const reserved of ['severity', 'namespace', 'workload']) {
    check(!(reserved in platform.alertLabels) && platform.teamLabel !== reserved, scope, {
      field: 'platform monitoring.alertLabels',
      value: reserved,
      problem: 'would replace a label every alert already carries',
      fix: `route on another label name than '${reserved}'`,
    });
  }
  if (options.slo) checkObjectives(scope, at('slo'), options.slo);
  checkQueue(scope, at('queue'), options.queue ?? {});
  return {
    slo: options.slo,
    queue: options.queue ?? {},
    thresholds,
    metricsPath,
    scrapeInterval,
    labels,
    runbookUrl: options.runbookUrl ?? platform.runbookUrl,
    exclude: options.exclude ?? [],
    alertsCoveredBy: platform.alertsCoveredBy,
    alertLabels: platform.alertLabels,
    teamLabel: platform.teamLabel,
    runbook: platform.runbook,
  };
}

function checkQueue(scope: IConstruct, field: string, q: QueueObjectives): void {
  if (q.backlog) {
    check(Number.isFinite(q.backlog.maxMessages) && q.backlog.maxMessages > 0, scope, {
      field: `${field}.backlog.maxMessages`,
      value: q.backlog.maxMessages,
      problem: 'is not a positive number',
      fix: 'set the queue length that means the workers are falling behind, e.g. 1000',
    });
    const i = q.backlog.triggerIndex ?? 0;
    check(Number.isInteger(i) && i >= 0, scope, {
      field: `${field}.backlog.triggerIndex`,
      value: i,
      problem: 'is not a trigger index',
      fix: 'use the position of the queue trigger in the triggers list (0 for the first)',
    });
  }
  if (q.oldestMessageAge) {
    requireMetricName(scope, `${field}.oldestMessageAge.metric`, q.oldestMessageAge.metric);
    for (const k of Object.keys(q.oldestMessageAge.matchers ?? {})) requireLabelName(scope, `${field}.oldestMessageAge.matchers`, k);
    check(secondsOf(q.oldestMessageAge.maxAge) >= 1, scope, {
      field: `${field}.oldestMessageAge.maxAge`,
      value: `${secondsOf(q.oldestMessageAge.maxAge)}s`,
      problem: 'is under a second',
      fix: 'set the age at which work is late, e.g. Duration.minutes(10)',
    });
  }
}
