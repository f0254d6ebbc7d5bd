import { Duration } from 'cdk8s';
import { AlertSeverity } from './burn-rate';

/** One step of a triage sequence: why, then the commands. */
export interface TriageStep {
  /** What the step finds out (`Read the previous container's logs: the crash is there`). */
  readonly say: string;
  /** Commands with the real names filled in; `<pod>` and `<job>` stand for the alert's labels. */
  readonly run: string[];
}

/** The families alerts come in; each becomes one rule group. */
export type AlertFamily = 'slo' | 'canary' | 'serving' | 'rollout' | 'pods' | 'jobs' | 'queue';

/** One alert with everything the rule and the runbook need. */
export interface AlertSpec {
  /** Alert name (CamelCase, `Ml` prefix). */
  readonly alert: string;
  /** The family it belongs to; each family is one rule group of the PrometheusRule. */
  readonly family: AlertFamily;
  /** PromQL; parsed by the tests. */
  readonly expr: string;
  /** How long the condition must hold. @default - fires at once */
  readonly for?: Duration;
  /** `critical` pages the on-call, `warning` opens a ticket. */
  readonly severity: AlertSeverity;
  /** One line naming the workload and namespace. */
  readonly summary: string;
  /** When it fires, in words (for the description annotation and the runbook table). */
  readonly when: string;
  /** Template text about the current value (`{{ $value }}`), appended in the annotation only. @default - none */
  readonly value?: string;
  /** The triage sequence; the first step is "the first thing to do". */
  readonly triage: TriageStep[];
  /** Labels each firing alert carries that the commands refer to (`pod` → `<pod>`, `job_name` → `<job>`). @default - none */
  readonly carries?: ('pod' | 'job_name')[];
  /** More annotations (SLO, error budget, burn rate). @default - none */
  readonly annotations?: Record<string, string>;
}

const PLACEHOLDERS = { pod: '<pod>', job_name: '<job>' } as const;

/** A command with the placeholders an alert's labels fill in written as alert templates. */
function templated(command: string, carries: AlertSpec['carries'] = []): string {
  let out = command;
  for (const label of carries) out = out.split(PLACEHOLDERS[label]).join(`{{ $labels.${label} }}`);
  return out;
}

/** The triage sequence as numbered text for the `runbook` annotation. */
export function runbookText(a: AlertSpec): string {
  return a.triage
    .map((step, i) => [`${i + 1}. ${step.say}`, ...step.run.map((c) => `   ${templated(c, a.carries)}`)].join('\n'))
    .join('\n');
}

/** The anchor of an alert's section in RUNBOOK.md. */
export function runbookAnchor(namespace: string, name: string, alert: string): string {
  return `${namespace}-${name}-${alert}`.toLowerCase();
}
