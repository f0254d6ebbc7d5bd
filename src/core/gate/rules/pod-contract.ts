import { IConstruct } from 'constructs';
import { formatValue } from '../../errors';
import { imageProblem, pullSecretProblem } from '../../image';
import { Platform } from '../../platform';
import { ENFORCE_LABEL, PodSecurityLevel, podSecurityViolations } from '../../pod-security';
import { renderedJson } from '../../rendered-json';
import { GateContext, GateObject, GateRule } from '../gate';
import { ENV_CONTRACTS, OwnedPod, envSource, ownedEnvOf, ownedPodsOf, podContractWorkload, renderedNamespaces } from '../owned';
import { POD_TEMPLATE_KINDS, PodTemplateRef, podTemplatesOf } from '../pod-templates';

/*
 * The library's contract over every pod a workload renders, read from the rendered objects (so what a product
 * team adds or changes through an escape hatch is checked like the construct's own output):
 *
 * - values the library owns (security contexts, probes, lifecycle, the environment it wires, its mounts, its
 *   helper containers) are not contradicted by a hatch edit; the message names both values;
 * - every image of every container passes the platform's rules (immutable reference, digest, registries, the
 *   pull secret its registry needs);
 * - every container declares CPU and memory requests (hatch containers, and the construct's after hatch edits);
 * - no pod breaks the Pod Security level its namespace enforces when the same app renders that namespace
 *   (the API server would refuse the pods).
 *
 * What the API server itself refuses (a container name used twice, an empty image, a quantity a JSON patch
 * dropped, a contract variable replaced) the other gate rules report: each problem is reported once.
 * Capacity, quota and node-pool checks count the same rendered specs (`PodTemplate.renderedAmounts`).
 */

type Json = Record<string, any>;

/** The gate rule: the contract over each pod template of a workload's objects. */
export const podContractRule: GateRule = {
  kinds: POD_TEMPLATE_KINDS,
  object: (ctx, o) => {
    const workload = podContractWorkload(o.construct);
    if (!workload) return;
    for (const t of podTemplatesOf(o)) checkPod(ctx, workload, o, t);
  },
};

function checkPod(ctx: GateContext, workload: IConstruct, o: GateObject, t: PodTemplateRef): void {
  const platform = Platform.of(workload);
  const object = `${o.kind}/${o.name}`;
  const spec = t.spec as Json;
  const binding = ownedPodsOf(o.construct).find((b) => b.spec(o.json) === t.spec);
  const own = binding ? ownContainerNames(binding.template) : new Set<string>();
  if (binding) ownedValues(ctx, workload, o, spec, binding.template);
  const pullSecrets = ((spec.imagePullSecrets ?? []) as Json[]).map((x) => x.name);
  for (const [where, c] of containersOf(spec)) {
    // An empty or blank image is the API server's (the containers rule reports it).
    const blank = typeof c.image !== 'string' || c.image.trim() === '' || /\s/.test(c.image);
    const problem = blank ? undefined : imageProblem(c.image, platform);
    if (problem) {
      const setting = IMAGE_SETTINGS[c.name] && own.has(c.name) ? `; its image is set by ${IMAGE_SETTINGS[c.name]}` : '';
      ctx.reportOn(workload, `${object} ${where} image`, c.image, problem.problem, problem.fix + setting);
    }
    const secret = typeof c.image === 'string' ? pullSecretProblem(c.image, platform, pullSecrets) : undefined;
    if (secret) ctx.reportOn(workload, `${object} ${where} image`, c.image, secret.problem, secret.fix);
    // A request a JSON patch left empty is reported where it is (checkQuantity); a missing one here.
    const requests = c.resources?.requests ?? {};
    if (!(requests.cpu || 'cpu' in requests) || !(requests.memory || 'memory' in requests)) {
      ctx.reportOn(
        workload,
        `${object} ${where} resources.requests`,
        requests,
        'lack a cpu or memory request, so the quota, capacity and node-pool checks cannot count this container',
        own.has(c.name)
          ? "keep the request the construct sets from resources (a JSON patch must pass k8s.Quantity.fromString('2'): the generated L1 mapping drops a plain string)"
          : "set resources.requests.cpu and .memory on it (e.g. '50m', '64Mi'; in a JSON patch as k8s.Quantity.fromString), or add it through the construct's sidecars / initContainers props",
      );
    }
  }
  podSecurity(ctx, workload, object, o, spec);
}

/** Which setting names the image of the library's helper containers. */
const IMAGE_SETTINGS: Record<string, string> = {
  'fetch-model': "model.fetcher.image, else the platform's modelFetcher.image (Platform.configure(scope, { modelFetcher: { image } }))",
  'verify-model': "model.fetcher.image, else the platform's modelFetcher.image (Platform.configure(scope, { modelFetcher: { image } }))",
  'wait-model': "the platform's modelFetcher.image (Platform.configure(scope, { modelFetcher: { image } }))",
};

function ownContainerNames(t: OwnedPod): Set<string> {
  return new Set([t.container, ...t.initContainers].map((c) => String(c.name)));
}

/** What a hatch edit contradicts among the values the library owns in one rendered pod. */
function ownedValues(ctx: GateContext, workload: IConstruct, o: GateObject, spec: Json, t: OwnedPod): void {
  const object = `${o.kind}/${o.name}`;
  const kind = workload.constructor.name;
  const differs = (field: string, actual: unknown, expected: unknown, fix: string) => {
    if (sameJson(actual, expected)) return;
    ctx.reportOn(
      workload,
      `${object} ${field}`,
      actual,
      `was changed through an escape hatch, but ${kind} owns it and sets ${formatValue(sortedKeys(expected))}`,
      fix,
    );
  };
  for (const [key, expected] of Object.entries(t.spec.securityContext as Json)) {
    differs(`pod securityContext.${key}`, spec.securityContext?.[key], expected, FIX.podSecurity);
  }
  differs('automountServiceAccountToken', spec.automountServiceAccountToken, t.automountServiceAccountToken, FIX.token);
  const expectedContainers: [string, Json][] = [
    ['containers', t.container],
    ...t.initContainers.map((c): [string, Json] => ['initContainers', c]),
  ];
  for (const [list, e] of expectedContainers) {
    const where = `${list === 'containers' ? 'container' : 'init container'} '${e.name}'`;
    const actual = ((spec[list] ?? []) as Json[]).find((c) => c.name === e.name);
    if (!actual) {
      ctx.reportOn(
        workload,
        `${object} ${where}`,
        undefined,
        `was removed through an escape hatch, but ${kind} renders it`,
        "remove the edit that drops it from the escape hatch; change the container through the construct's props (image, command, args, env, resources)",
      );
      continue;
    }
    const helper = t.helperContainers.has(String(e.name));
    differs(`${where} securityContext`, actual.securityContext, e.securityContext, FIX.containerSecurity);
    for (const key of ['startupProbe', 'readinessProbe', 'livenessProbe', 'lifecycle', 'restartPolicy']) {
      differs(
        `${where} ${key}`,
        actual[key],
        e[key],
        key === 'lifecycle' ? FIX.lifecycle : key === 'restartPolicy' ? FIX.sidecar : FIX.probes,
      );
    }
    if (helper) for (const key of ['image', 'command', 'args']) differs(`${where} ${key}`, actual[key], e[key], FIX.helper);
    const ownedEnv = helper ? ((e.env ?? []) as Json[]).map((x) => String(x.name)) : e === t.container ? [...t.ownedEnv] : [];
    for (const name of ownedEnv) {
      const find = (list: Json[] | undefined) => (list ?? []).find((x) => x.name === name);
      const rendered = find(actual.env);
      // A contract variable given a value the construct did not wire is the containers rule's (it names the prop that owns it).
      const wired = rendered && ENV_CONTRACTS[name] ? ownedEnvOf(o.construct, String(e.name))?.get(name) : undefined;
      if (wired !== undefined && rendered && !wired.has(envSource(rendered))) continue;
      differs(`${where} env ${name}`, rendered, find(e.env), FIX.env);
    }
    for (const m of (e.volumeMounts ?? []) as Json[]) {
      const kept = ((actual.volumeMounts ?? []) as Json[]).some((a) => sameJson(a, m));
      if (!kept) differs(`${where} volumeMounts`, actual.volumeMounts, e.volumeMounts, FIX.mounts);
    }
  }
}

const FIX = {
  podSecurity:
    'remove the change from the escape hatch; set runAs (runAsUser, runAsGroup, fsGroup) on the construct to change the identity',
  token:
    'remove the change from the escape hatch; set automountServiceAccountToken: true on the construct if the pod calls the Kubernetes API',
  containerSecurity:
    'remove the change from the escape hatch (the library keeps the restricted Pod Security profile); set runAs on the construct to change the identity',
  probes: "remove the change from the escape hatch; set the construct's probe props (probes, modelLoadTimeout) instead",
  lifecycle: 'remove the change from the escape hatch; set shutdown.preStopDelay on the construct instead',
  sidecar: 'remove the change from the escape hatch; sidecars are native sidecars (restartPolicy: Always) so Jobs can finish',
  helper: "remove the change from the escape hatch; set model.fetcher (image, command) or the platform's modelFetcher instead",
  env: 'remove it from the escape hatch: the construct wires this variable itself (e.g. MODEL_DIR follows model.mountPath, JOB_NAME and RUN_ID come from the Job)',
  mounts: "keep the construct's volume mounts; add yours with containers[i].mount() or the construct's mounts",
};

/** The Pod Security level enforced on each namespace the app renders through an MlNamespace, and who renders it (once per pass). */
function enforcedLevels(ctx: GateContext, root: IConstruct): Map<string, { level: PodSecurityLevel; by: string }> {
  return ctx.shared('podSecurityNamespaces', () => {
    const levels = new Map<string, { level: PodSecurityLevel; by: string }>();
    for (const { owner, object } of renderedNamespaces(root)) {
      const json = renderedJson(object);
      const name = json.metadata?.name;
      const level = json.metadata?.labels?.[ENFORCE_LABEL];
      if (typeof name !== 'string' || levels.has(name)) continue;
      if (level === 'restricted' || level === 'baseline' || level === 'privileged') levels.set(name, { level, by: owner.node.path });
    }
    return levels;
  });
}

function podSecurity(ctx: GateContext, workload: IConstruct, object: string, o: GateObject, spec: Json): void {
  const namespace = o.namespace;
  const enforced = namespace ? enforcedLevels(ctx, workload.node.root).get(namespace) : undefined;
  if (!enforced || enforced.level === 'privileged') return;
  const violations = podSecurityViolations(spec, enforced.level);
  if (violations.length === 0) return;
  ctx.reportOn(
    workload,
    `${object} pod spec`,
    violations.map((v) => `${v.where}: ${v.problem}`).join('; '),
    `breaks the '${enforced.level}' Pod Security profile that namespace '${namespace}' enforces (rendered by '${enforced.by}'), so the API server refuses every pod`,
    `run the container restricted (add it through the construct's sidecars / initContainers props, which are), or lower the namespace's podSecurity where it must run privileged`,
  );
}

function containersOf(spec: Json): [string, Json][] {
  return [
    ...((spec.initContainers ?? []) as Json[]).map((c): [string, Json] => [`init container '${c.name}'`, c]),
    ...((spec.containers ?? []) as Json[]).map((c): [string, Json] => [`container '${c.name}'`, c]),
    ...((spec.ephemeralContainers ?? []) as Json[]).map((c): [string, Json] => [`ephemeral container '${c.name}'`, c]),
  ];
}

/**
 * Whether `a` and `b` serialize to the same JSON up to key order (what was rendered against what the library
 * meant): keys holding `undefined` count as absent, `undefined` in an array as `null`. Compares in place, without
 * building the JSON text (the gate runs it on every owned value of every pod).
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => sameJson(x ?? null, b[i] ?? null));
  }
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  const keys = Object.keys(x).filter((k) => x[k] !== undefined);
  if (keys.length !== Object.keys(y).filter((k) => y[k] !== undefined).length) return false;
  return keys.every((k) => sameJson(x[k], y[k]));
}

/** `v` with every object's keys sorted, as the rendered manifests have them. */
function sortedKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortedKeys);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(o)
        .sort()
        .map((k) => [k, sortedKeys(o[k])]),
    );
  }
  return v;
}
