import type * as CronParser from 'cron-parser';
import { IConstruct } from 'constructs';
import { check, invalidProp } from './errors';
import { isIanaZoneName } from './validation/strings';

/** The macros the Kubernetes CronJob controller accepts, as five fields. */
const MACROS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};
const NAMES = /\b(JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC|SUN|MON|TUE|WED|THU|FRI|SAT)\b/gi;
/** A fixed start for computing gaps between runs, so output never depends on the clock. */
const REFERENCE_DATE = '2024-01-01T00:00:00Z';

/** A validated CronJob schedule. */
export interface CronSchedule {
  /** The five fields (macros expanded): minute, hour, day of month, month, day of week. */
  readonly fields: [string, string, string, string, string];
  /** Shortest gap between two runs over the next runs from a fixed date, in seconds. */
  readonly shortestGapSeconds: number;
}

/**
 * Validates `schedule` as a Kubernetes CronJob schedule (five fields, or a macro such as `@daily`)
 * with cron-parser; validate the time zone first.
 */
export function requireCronSchedule(scope: IConstruct, field: string, schedule: string, timeZone?: string): CronSchedule {
  const fix = "use five fields 'minute hour day-of-month month day-of-week' (e.g. '0 2 * * *' for 02:00 daily) or a macro such as '@daily'";
  check(typeof schedule === 'string' && schedule.trim().length > 0, scope, { field, value: schedule, problem: 'is empty', fix });
  const text = schedule.trim();
  const isMacro = text.startsWith('@');
  check(!isMacro || text in MACROS, scope, {
    field,
    value: schedule,
    problem: 'is not a macro Kubernetes supports',
    fix: `use one of ${Object.keys(MACROS).join(', ')}`,
  });
  const fields = text.split(/\s+/);
  check(isMacro || fields.length === 5, scope, {
    field,
    value: schedule,
    problem: `has ${fields.length} fields, Kubernetes CronJobs take 5 (no seconds, no years)`,
    fix,
  });
  // cron-parser also reads Quartz/Jenkins extensions the CronJob controller rejects.
  check(isMacro || !/[A-Z#]/i.test(text.replace(NAMES, '').replace(/\?/g, '')), scope, {
    field,
    value: schedule,
    problem: "uses syntax the Kubernetes CronJob controller does not support ('L', 'W', '#', 'H' or 'TZ=')",
    fix,
  });
  const expression = isMacro ? MACROS[text] : fields.join(' ');
  const parsed = parseSchedule(expression, timeZone ?? 'UTC');
  if (typeof parsed === 'string')
    return invalidProp(scope, { field, value: schedule, problem: `is not a valid cron expression (${parsed})`, fix });
  return parsed;
}

// Parsing and stepping through the next runs costs milliseconds; many jobs share a schedule.
const parsedSchedules = new Map<string, CronSchedule | string>();

// cron-parser and its luxon cost about 50 ms to load: loaded on the first schedule, not with the library.
let cronParser: typeof CronParser | undefined;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const loadCronParser = (): typeof CronParser => (cronParser ??= require('cron-parser') as typeof CronParser);

/** The schedule, or cron-parser's error message. */
function parseSchedule(expression: string, tz: string): CronSchedule | string {
  const key = `${tz} ${expression}`;
  let parsed = parsedSchedules.get(key);
  if (parsed === undefined) {
    try {
      const times = loadCronParser()
        .CronExpressionParser.parse(expression, { currentDate: REFERENCE_DATE, tz })
        .take(24)
        .map((d) => d.getTime());
      parsed = {
        fields: expression.split(' ') as CronSchedule['fields'],
        shortestGapSeconds: Math.min(...times.slice(1).map((t, i) => (t - times[i]) / 1000)),
      };
    } catch (e) {
      parsed = (e as Error).message;
    }
    parsedSchedules.set(key, parsed);
  }
  return parsed;
}

/** Validates `timeZone` as an IANA time zone name the CronJob controller can load (e.g. `Europe/Berlin`). */
export function requireTimeZone(scope: IConstruct, field: string, timeZone: string): void {
  let resolved: string | undefined;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone }).resolvedOptions().timeZone;
  } catch {
    resolved = undefined;
  }
  // Intl ignores case and accepts offsets; the controller loads zone files by exact name.
  const exactName =
    typeof timeZone === 'string' &&
    timeZone.split('/').every((part) => /^[A-Z][A-Za-z0-9_+-]*$/.test(part)) &&
    (resolved?.toLowerCase() !== timeZone.toLowerCase() || resolved === timeZone);
  check(resolved !== undefined && exactName && isIanaZoneName(timeZone), scope, {
    field,
    value: timeZone,
    problem:
      resolved !== undefined && exactName
        ? 'is an abbreviation or legacy name, not an IANA Area/Location time zone'
        : 'is not an IANA time zone name',
    fix: "use a tz database name such as 'UTC', 'Europe/Berlin' or 'America/New_York' (case-sensitive, no offsets)",
  });
}

/** Why `schedule` is not a schedule the CronJob controller parses (five fields or a macro), or undefined. */
export function cronScheduleProblem(schedule: unknown): string | undefined {
  if (typeof schedule !== 'string' || schedule.trim() === '') return 'is empty';
  const text = schedule.trim();
  if (text.startsWith('@')) return text in MACROS ? undefined : 'is not a macro Kubernetes supports';
  const fields = text.split(/\s+/);
  if (fields.length !== 5) return `has ${fields.length} fields, Kubernetes CronJobs take 5`;
  if (/[A-Z#]/i.test(text.replace(NAMES, '').replace(/\?/g, '')))
    return "uses syntax the CronJob controller does not support ('L', 'W', '#', 'H' or 'TZ=')";
  const parsed = parseSchedule(fields.join(' '), 'UTC');
  return typeof parsed === 'string' ? `is not a valid cron expression (${parsed})` : undefined;
}
