import type { GateContext, GateObject, GateRule, RenderedObject } from '../core/gate';
import { CONFIG_KEY, DNS_SUBDOMAIN, ENV_NAME, checkCount, checkGrammar, checkReference } from '../core/gate/checks';
import { checkJobSpec } from '../core/gate/rules/controllers';
import type * as Scalers from './keda-scalers';

// The scaler table (3,000 lines) is read on the first KEDA object, not when the library loads.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const scalerTable = (): typeof Scalers => require('./keda-scalers');

/*
 * The gate's rules for KEDA objects, from the scaler list of the pinned KEDA release (keda-scalers.ts):
 * trigger types no scaler has, metadata keys a scaler never reads (KEDA ignores them silently), required
 * keys missing, values outside a key's allowed set, a polling interval of 0 (a busy loop), replica
 * bounds, and TriggerAuthentication references.
 */

const release = () => `KEDA ${scalerTable().KEDA_SCALERS_SOURCE.tag}`;
const METRIC_TYPES = ['AverageValue', 'Value', 'Utilization'];

/** Edit distance, for "did you mean" (small strings only). */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length][b.length];
}

function closest(value: string, options: readonly string[]): string | undefined {
  let best: string | undefined;
  let score = Math.max(2, Math.floor(value.length / 4));
  for (const o of options) {
    const s = distance(value.toLowerCase(), o.toLowerCase());
    if (s <= score) {
      best = o;
      score = s - 1;
    }
  }
  return best;
}

/** A required key that only a TriggerAuthentication can supply, checked once every object was seen. */
interface PendingAuth {
  readonly object: RenderedObject;
  readonly path: string;
  readonly value: string;
  readonly problem: string;
  readonly fix: string;
  readonly auth: string;
  readonly names: readonly string[];
}

/** The parameters each TriggerAuthentication of the app supplies (undefined: it supplies an identity or a vault, unknown here). */
function summaries(ctx: GateContext): { auths: Map<string, Set<string> | undefined>; pending: PendingAuth[] } {
  return ctx.shared('keda', () => ({ auths: new Map(), pending: [] }));
}

function authKey(kind: string, namespace: string | undefined, name: string): string {
  return kind === 'ClusterTriggerAuthentication' ? `${kind}//${name}` : `${kind}/${namespace}/${name}`;
}

function checkTrigger(ctx: GateContext, o: GateObject, i: number, t: any): void {
  const p = `spec.triggers[${i}]`;
  const type = t?.type;
  const { KEDA_SCALERS } = scalerTable();
  if (!(type in KEDA_SCALERS)) {
    const guess = typeof type === 'string' ? closest(type, Object.keys(KEDA_SCALERS)) : undefined;
    ctx.report(
      o,
      `${p}.type`,
      type,
      `is not a scaler of ${release()} (KEDA reports "no scaler found" and the ${o.kind} never becomes ready)`,
      guess
        ? `did you mean '${guess}'?`
        : "use a scaler type from KEDA's scaler list, e.g. 'rabbitmq', 'kafka', 'aws-sqs-queue', 'prometheus'",
    );
    return;
  }
  if (t.metricType !== undefined && !METRIC_TYPES.includes(t.metricType))
    ctx.report(o, `${p}.metricType`, t.metricType, 'is not AverageValue, Value or Utilization', 'use one of them');
  if ((type === 'cpu' || type === 'memory') && t.metricType === undefined)
    ctx.report(
      o,
      `${p}.metricType`,
      t.metricType,
      `is required by the ${type} scaler (${release()} removed metadata.type)`,
      "set metricType: 'Utilization' or 'AverageValue'",
    );
  if (t.metricType === 'Utilization' && type !== 'cpu' && type !== 'memory')
    ctx.report(o, `${p}.metricType`, t.metricType, `is only for the cpu and memory scalers, not ${type}`, "use 'AverageValue' or 'Value'");
  if (t.authenticationRef !== undefined) {
    checkReference(
      ctx,
      o,
      `${p}.authenticationRef.name`,
      t.authenticationRef.name,
      t.authenticationRef.kind ?? 'TriggerAuthentication',
      DNS_SUBDOMAIN,
    );
    if (
      t.authenticationRef.kind !== undefined &&
      !['TriggerAuthentication', 'ClusterTriggerAuthentication'].includes(t.authenticationRef.kind)
    )
      ctx.report(
        o,
        `${p}.authenticationRef.kind`,
        t.authenticationRef.kind,
        'is not TriggerAuthentication or ClusterTriggerAuthentication',
        'use one of them',
      );
  }
  const keys = scalerTable().KEDA_SCALERS[type];
  if (!keys) return;
  const metadata: Record<string, unknown> = t.metadata ?? {};
  const known = Object.keys(keys);
  for (const [k, v] of Object.entries(metadata)) {
    const base = k.endsWith('FromEnv') ? k.slice(0, -'FromEnv'.length) : k;
    const spec = keys[base];
    if (!spec || (k !== base && !spec.fromEnv) || (k === base && spec.envOnly)) {
      const guess = closest(k, [
        ...known.filter((n) => !keys[n].envOnly),
        ...known.filter((n) => keys[n].fromEnv).map((n) => `${n}FromEnv`),
      ]);
      ctx.report(
        o,
        `${p}.metadata['${k}']`,
        k,
        `is not a metadata key of the ${type} scaler in ${release()}: KEDA ignores it silently`,
        guess
          ? `did you mean '${guess}'?`
          : `use the keys the scaler reads (${known.slice(0, 8).join(', ')}${known.length > 8 ? ', ...' : ''})`,
      );
      continue;
    }
    if (typeof v !== 'string')
      ctx.report(o, `${p}.metadata['${k}']`, v, 'is not a string (KEDA metadata values are strings)', `quote it: '${String(v)}'`);
    else if (spec.enum && k === base) {
      const bad = v
        .split(',')
        .map((x) => x.trim())
        .filter((x) => x !== '' && !spec.enum!.includes(x));
      if (bad.length > 0)
        ctx.report(o, `${p}.metadata['${k}']`, v, `is not an allowed value of ${k} for the ${type} scaler`, `use ${spec.enum.join(', ')}`);
    }
  }
  for (const [k, spec] of Object.entries(keys)) {
    if (!spec.required || spec.deprecated) continue;
    const names = spec.alternatives ?? [k];
    const given = names.some((n) => metadata[n] !== undefined || (spec.fromEnv && metadata[`${n}FromEnv`] !== undefined));
    if (given) continue;
    const problem = `is required by the ${type} scaler in ${release()} and given nowhere${spec.fromAuth ? ' (metadata, FromEnv or the TriggerAuthentication)' : ''}: the scaler fails to start`;
    const fix = `set metadata.${k}${spec.fromEnv ? ` or ${k}FromEnv` : ''}${spec.fromAuth ? ` or an auth parameter '${k}'` : ''}`;
    const ref = t.authenticationRef;
    if (spec.fromAuth && ref?.name) {
      const auth = authKey(ref.kind ?? 'TriggerAuthentication', o.namespace, ref.name);
      summaries(ctx).pending.push({
        object: { construct: o.construct, kind: o.kind, name: o.name },
        path: `${p}.metadata`,
        value: k,
        problem,
        fix,
        auth,
        names,
      });
      continue;
    }
    ctx.report(o, `${p}.metadata`, k, problem, fix);
  }
}

function checkScalable(ctx: GateContext, o: GateObject): void {
  const s = o.json.spec ?? {};
  const triggers: any[] = s.triggers ?? [];
  if (triggers.length === 0) ctx.report(o, 'spec.triggers', triggers, 'is empty', 'give at least one trigger');
  triggers.forEach((t, i) => checkTrigger(ctx, o, i, t));
  if (s.pollingInterval !== undefined && checkCount(ctx, o, 'spec.pollingInterval', s.pollingInterval, 0) && s.pollingInterval === 0)
    ctx.report(
      o,
      'spec.pollingInterval',
      0,
      'is 0 s, so KEDA polls the source in a busy loop (a timer of 0)',
      'poll every few seconds at least, e.g. Duration.seconds(30)',
    );
  for (const f of ['cooldownPeriod', 'initialCooldownPeriod', 'successfulJobsHistoryLimit', 'failedJobsHistoryLimit'])
    if (s[f] !== undefined) checkCount(ctx, o, `spec.${f}`, s[f], 0);
  const min = s.minReplicaCount;
  const max = s.maxReplicaCount;
  if (min !== undefined) checkCount(ctx, o, 'spec.minReplicaCount', min, 0);
  if (max !== undefined && checkCount(ctx, o, 'spec.maxReplicaCount', max, 1) && typeof min === 'number' && max < min)
    ctx.report(o, 'spec.maxReplicaCount', max, `is below minReplicaCount (${min})`, 'set maxReplicas ≥ minReplicas');
  if (
    s.idleReplicaCount !== undefined &&
    checkCount(ctx, o, 'spec.idleReplicaCount', s.idleReplicaCount, 0) &&
    typeof min === 'number' &&
    s.idleReplicaCount >= min
  )
    ctx.report(
      o,
      'spec.idleReplicaCount',
      s.idleReplicaCount,
      `is not below minReplicaCount (${min}), which KEDA's webhook requires`,
      'use an idle count below the floor (usually 0)',
    );
  if (s.fallback) {
    checkCount(ctx, o, 'spec.fallback.failureThreshold', s.fallback.failureThreshold, 1);
    checkCount(ctx, o, 'spec.fallback.replicas', s.fallback.replicas, 0);
  }
  if (o.kind === 'ScaledObject' && s.scaleTargetRef?.name !== undefined)
    checkGrammar(ctx, o, 'spec.scaleTargetRef.name', s.scaleTargetRef.name, DNS_SUBDOMAIN, 'a scale target name');
  if (o.kind === 'ScaledJob') {
    checkJobSpec(ctx, o, 'spec.jobTargetRef', s.jobTargetRef);
    const strategy = s.scalingStrategy?.strategy;
    if (strategy !== undefined && !['default', 'custom', 'accurate', 'eager'].includes(strategy))
      ctx.report(
        o,
        'spec.scalingStrategy.strategy',
        strategy,
        'is not a ScaledJob scaling strategy',
        'use default, custom, accurate or eager',
      );
  }
}

function checkAuthentication(ctx: GateContext, o: GateObject): void {
  const s = o.json.spec ?? {};
  (s.secretTargetRef ?? []).forEach((r: any, i: number) => {
    checkReference(ctx, o, `spec.secretTargetRef[${i}].name`, r?.name, 'Secret', DNS_SUBDOMAIN);
    checkGrammar(ctx, o, `spec.secretTargetRef[${i}].key`, r?.key, CONFIG_KEY, 'a Secret key');
    if (typeof r?.parameter !== 'string' || r.parameter === '')
      ctx.report(o, `spec.secretTargetRef[${i}].parameter`, r?.parameter, 'is empty', 'name the scaler parameter it supplies');
  });
  (s.env ?? []).forEach((r: any, i: number) =>
    checkGrammar(ctx, o, `spec.env[${i}].name`, r?.name, ENV_NAME, 'an environment variable name'),
  );
  const provider = s.podIdentity?.provider;
  if (provider !== undefined && !['none', 'azure-workload', 'aws', 'aws-eks', 'gcp'].includes(provider))
    ctx.report(
      o,
      'spec.podIdentity.provider',
      provider,
      `is not a pod identity provider of ${release()}`,
      'use aws, azure-workload or gcp',
    );
}

/** The gate's rule for KEDA objects (keda-gate.ts registers it for its kinds). */
export const kedaRule: GateRule = {
  object: (ctx, o) => {
    if (o.group !== 'keda.sh') return;
    if (o.kind === 'ScaledObject' || o.kind === 'ScaledJob') checkScalable(ctx, o);
    if (o.kind === 'TriggerAuthentication' || o.kind === 'ClusterTriggerAuthentication') {
      checkAuthentication(ctx, o);
      const s = o.json.spec ?? {};
      const identity =
        s.podIdentity || s.hashiCorpVault || s.azureKeyVault || s.awsSecretManager || s.gcpSecretManager || s.boundServiceAccountToken;
      const params = [...(s.secretTargetRef ?? []), ...(s.env ?? []), ...(s.configMapTargetRef ?? [])].map((p: any) => p?.parameter);
      summaries(ctx).auths.set(authKey(o.kind, o.namespace, o.name), identity ? undefined : new Set(params));
    }
  },
  finish: (ctx) => {
    const { auths, pending } = summaries(ctx);
    for (const p of pending) {
      if (!auths.has(p.auth)) continue; // not in the app: cannot be inspected
      const params = auths.get(p.auth);
      if (params === undefined || p.names.some((n) => params.has(n))) continue;
      ctx.report(p.object, p.path, p.value, p.problem, p.fix);
    }
  },
};
