import { ApiObject } from 'cdk8s';
import { parseQuantity } from '../../quantity';
import { isExtendedResourceName } from '../../validation/strings';
import { CONFIG_KEY, DNS_SUBDOMAIN, checkCount, checkGrammar, checkQuantity, checkReference, checkSelector } from '../checks';
import { GateContext, GateObject, GateRule } from '../gate';
import { POD_TEMPLATE_KINDS, podTemplatesOf } from '../pod-templates';
import { RenderedObject, provenanceOf } from '../provenance';
import { containersOf } from './containers';

const ACCESS_MODES = ['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod'];
const QUOTA_RESOURCES =
  /^(pods|services|secrets|configmaps|persistentvolumeclaims|replicationcontrollers|resourcequotas|services\.(loadbalancers|nodeports)|count\/.+|(requests|limits)\.(cpu|memory|ephemeral-storage)|cpu|memory|ephemeral-storage|requests\.storage|.+\.storageclass\.storage\.k8s\.io\/(requests\.storage|persistentvolumeclaims)|requests\.hugepages-.+)$/;

/** Claims, quotas, limit ranges, priority classes, ConfigMaps and Secrets, ServiceAccounts. */
export function namespacedObjectRule(ctx: GateContext, o: GateObject): void {
  if (o.group !== '' && o.group !== 'scheduling.k8s.io') return;
  if (o.kind === 'PersistentVolumeClaim') checkClaimSpec(ctx, o, 'spec', o.json.spec);
  if (o.kind === 'ResourceQuota') {
    for (const [name, value] of Object.entries(o.json.spec?.hard ?? {})) {
      const p = `spec.hard['${name}']`;
      const extended = /^requests\./.test(name) && isExtendedResourceName(name.slice('requests.'.length));
      if (!QUOTA_RESOURCES.test(name) && !extended)
        ctx.report(
          o,
          p,
          name,
          'is not a resource a ResourceQuota can limit',
          'use e.g. requests.cpu, limits.memory, requests.nvidia.com/gpu, pods, persistentvolumeclaims',
        );
      checkQuantity(ctx, o, p, value, /memory|storage/.test(name));
    }
  }
  if (o.kind === 'LimitRange') {
    (o.json.spec?.limits ?? []).forEach((l: any, i: number) => {
      const p = `spec.limits[${i}]`;
      if (!['Pod', 'Container', 'PersistentVolumeClaim'].includes(l?.type))
        ctx.report(o, `${p}.type`, l?.type, 'is not Pod, Container or PersistentVolumeClaim', 'use one of them');
      const amounts: Record<string, Record<string, number | undefined>> = {};
      for (const f of ['default', 'defaultRequest', 'max', 'min', 'maxLimitRequestRatio']) {
        amounts[f] = {};
        for (const [r, v] of Object.entries(l?.[f] ?? {}))
          amounts[f][r] = checkQuantity(ctx, o, `${p}.${f}['${r}']`, v, /memory|storage/.test(r));
      }
      for (const r of Object.keys(amounts.defaultRequest)) {
        const d = amounts.default[r];
        const dr = amounts.defaultRequest[r];
        if (d !== undefined && dr !== undefined && dr > d)
          ctx.report(
            o,
            `${p}.defaultRequest['${r}']`,
            l.defaultRequest[r],
            `is above the default limit (${l.default[r]})`,
            'set defaultRequest ≤ default',
          );
      }
      for (const f of ['default', 'defaultRequest']) {
        for (const [r, v] of Object.entries(amounts[f])) {
          if (v === undefined) continue;
          if (amounts.max[r] !== undefined && v > amounts.max[r]!)
            ctx.report(o, `${p}.${f}['${r}']`, l[f][r], `is above max (${l.max[r]})`, 'keep defaults within min and max');
          if (amounts.min[r] !== undefined && v < amounts.min[r]!)
            ctx.report(o, `${p}.${f}['${r}']`, l[f][r], `is below min (${l.min[r]})`, 'keep defaults within min and max');
        }
      }
    });
  }
  if (o.kind === 'PriorityClass' && o.group === 'scheduling.k8s.io') {
    const v = o.json.value;
    checkCount(
      ctx,
      o,
      'value',
      v,
      -2147483648,
      1000000000,
      'use a whole number up to 1000000000 (higher values are reserved for system classes)',
    );
    if (o.name.startsWith('system-'))
      ctx.report(o, 'metadata.name', o.name, "starts with 'system-', which is reserved", 'choose another name');
    if (o.json.preemptionPolicy !== undefined && !['PreemptLowerPriority', 'Never'].includes(o.json.preemptionPolicy))
      ctx.report(o, 'preemptionPolicy', o.json.preemptionPolicy, 'is not PreemptLowerPriority or Never', 'use one of them');
  }
  if (o.kind === 'ConfigMap' || o.kind === 'Secret') {
    const kind = o.kind;
    {
      let size = 0;
      for (const field of ['data', 'binaryData', 'stringData']) {
        for (const [k, v] of Object.entries(o.json[field] ?? {})) {
          checkGrammar(ctx, o, `${field}['${k}']`, k, CONFIG_KEY, `a ${kind} key`);
          size += k.length + String(v).length;
        }
      }
      if (size > 1024 * 1024)
        ctx.report(o, 'data', `${size} bytes`, `exceeds the 1 MiB a ${kind} may hold`, 'split it, or mount the data from a volume');
    }
  }
  if (o.kind === 'ServiceAccount') {
    (o.json.imagePullSecrets ?? []).forEach((s: any, i: number) =>
      checkReference(ctx, o, `imagePullSecrets[${i}].name`, s?.name, 'Secret', DNS_SUBDOMAIN),
    );
  }
}

/** A PersistentVolumeClaim spec (also a claim template's). */
export function checkClaimSpec(ctx: GateContext, o: GateObject, p: string, s: any): void {
  if (!s) return;
  const modes: unknown[] = s.accessModes ?? [];
  if (modes.length === 0) ctx.report(o, `${p}.accessModes`, modes, 'is empty', "give at least one access mode, e.g. ['ReadWriteOnce']");
  modes.forEach((m, i) => {
    if (!ACCESS_MODES.includes(m as string))
      ctx.report(o, `${p}.accessModes[${i}]`, m, 'is not an access mode', `use one of ${ACCESS_MODES.join(', ')}`);
  });
  if (modes.includes('ReadWriteOncePod') && modes.length > 1)
    ctx.report(o, `${p}.accessModes`, modes, 'combines ReadWriteOncePod with other modes', 'use ReadWriteOncePod alone');
  const storage = s.resources?.requests?.storage;
  if (storage === undefined) ctx.report(o, `${p}.resources.requests.storage`, storage, 'is missing', "request a size, e.g. '100Gi'");
  else {
    const n = checkQuantity(ctx, o, `${p}.resources.requests.storage`, storage, true);
    if (n !== undefined && n <= 0) ctx.report(o, `${p}.resources.requests.storage`, storage, 'is not above 0', 'request a positive size');
  }
  if (s.storageClassName !== undefined && s.storageClassName !== '')
    checkReference(ctx, o, `${p}.storageClassName`, s.storageClassName, 'StorageClass', DNS_SUBDOMAIN);
  if (s.volumeMode !== undefined && !['Filesystem', 'Block'].includes(s.volumeMode))
    ctx.report(o, `${p}.volumeMode`, s.volumeMode, 'is not Filesystem or Block', 'use one of them');
  checkSelector(ctx, o, `${p}.selector`, s.selector);
}

/** Two objects of one kind with one name in one namespace: the second overwrites the first on apply. */
export function duplicateObjectRule(ctx: GateContext, o: GateObject): void {
  // By name first (short keys), then the few objects of that name.
  const seen = ctx.shared('objectNames', newNames);
  const same = seen.get(o.name);
  const firstObject = same?.find((x) => x.kind === o.kind && x.group === o.group && x.namespace === o.namespace)?.construct;
  if (firstObject === undefined) {
    const entry = { group: o.group, kind: o.kind, namespace: o.namespace, construct: o.construct };
    if (same) same.push(entry);
    else seen.set(o.name, [entry]);
    return;
  }
  const first = { kind: o.kind, name: o.name, path: firstObject.node.path };
  ctx.report(
    o,
    'metadata.name',
    o.name,
    `is also the name of ${first.kind} '${first.name}'${o.namespace ? ` in namespace '${o.namespace}'` : ''} from '${first.path}': applying both, the second overwrites the first`,
    o.kind === 'Namespace'
      ? 'declare each namespace once (one MlNamespace per namespace)'
      : 'give each object its own name, or declare it once',
  );
}

const newRanges = () => new Map<string, { o: RenderedObject; l: any; i: number }[]>();
const newAmounts = () => new Map<string, ContainerAmounts[]>();
const newNames = () => new Map<string, { group: string; kind: string; namespace?: string; construct: ApiObject }[]>();

/** A container's resources as LimitRange admission reads them, kept between objects. */
interface ContainerAmounts {
  readonly object: RenderedObject;
  readonly path: string;
  readonly requests: Record<string, unknown>;
  readonly limits: Record<string, unknown>;
}

/**
 * LimitRange admission against every pod the app renders into the namespace: defaults filled in for
 * missing requests and limits, then request ≤ limit, min ≤ request, limit ≤ max and the ratio cap.
 * A default limit below a container's request makes every such pod invalid at admission.
 */
export const limitRangeRule: GateRule = {
  kinds: ['LimitRange', ...POD_TEMPLATE_KINDS],
  object: (ctx, o) => {
    if (o.kind === 'LimitRange' && o.group === '' && o.namespace !== undefined) {
      const ranges = ctx.shared('limitRanges', newRanges);
      (o.json.spec?.limits ?? []).forEach((l: any, i: number) => {
        if (l?.type === 'Container')
          ranges.set(o.namespace!, [
            ...(ranges.get(o.namespace!) ?? []),
            { o: { construct: o.construct, kind: o.kind, name: o.name }, l, i },
          ]);
      });
    }
    const templates = podTemplatesOf(o);
    if (templates.length === 0 || o.namespace === undefined) return;
    const containers = ctx.shared('containerAmounts', newAmounts);
    const list = containers.get(o.namespace) ?? [];
    containers.set(o.namespace, list);
    const object = { construct: o.construct, kind: o.kind, name: o.name };
    for (const t of templates)
      for (const c of containersOf(t))
        list.push({ object, path: c.path, requests: c.container?.resources?.requests ?? {}, limits: c.container?.resources?.limits ?? {} });
  },
  finish: (ctx) => {
    const ranges = ctx.shared('limitRanges', newRanges);
    const containers = ctx.shared('containerAmounts', newAmounts);
    for (const [namespace, list] of ranges) {
      for (const c of containers.get(namespace) ?? []) {
        for (const { o: lr, l, i } of list) checkAgainstRange(ctx, c, lr, l, i);
      }
    }
  },
};

function checkAgainstRange(ctx: GateContext, c: ContainerAmounts, lr: RenderedObject, l: any, i: number): void {
  const { requests, limits } = c;
  const resources = new Set([
    ...Object.keys(l.default ?? {}),
    ...Object.keys(l.defaultRequest ?? {}),
    ...Object.keys(l.max ?? {}),
    ...Object.keys(l.min ?? {}),
  ]);
  for (const r of resources) {
    const limitText = limits[r] ?? l.default?.[r];
    const requestText = requests[r] ?? (limits[r] !== undefined ? limits[r] : l.defaultRequest?.[r]);
    const limit = parseQuantity(limitText);
    const request = parseQuantity(requestText);
    const where = `LimitRange '${lr.name}' (${lr.construct.node.path})`;
    if (limits[r] === undefined && limit !== undefined && request !== undefined && request > limit) {
      const setting = provenanceOf(lr, `spec.limits[${i}].default.${r}`, limitText);
      ctx.report(
        c.object,
        `${c.path}.resources.requests['${r}']`,
        requestText,
        `is above the default ${r} limit (${limitText}) that ${where} gives a container without one: admission gives the container that limit, below its request, and the API server rejects every pod`,
        `set a ${r} limit of at least ${requestText} on the container (resources.${r}Limit of a cdk8s-ml workload), or raise ${setting.field} of ${setting.owner.constructor.name} '${setting.owner.node.path}' to at least ${requestText}`,
      );
    }
    const max = parseQuantity(l.max?.[r]);
    if (max !== undefined && limit !== undefined && limit > max)
      ctx.report(
        c.object,
        `${c.path}.resources.limits['${r}']`,
        limitText,
        `is above the maximum ${r} (${l.max[r]}) of ${where}`,
        `lower the ${r} limit to at most ${l.max[r]}`,
      );
    const min = parseQuantity(l.min?.[r]);
    if (min !== undefined && request !== undefined && request < min)
      ctx.report(
        c.object,
        `${c.path}.resources.requests['${r}']`,
        requestText,
        `is below the minimum ${r} (${l.min[r]}) of ${where}`,
        `request at least ${l.min[r]}`,
      );
    const ratio = parseQuantity(l.maxLimitRequestRatio?.[r]);
    if (ratio !== undefined && limit !== undefined && request !== undefined && request > 0 && limit / request > ratio)
      ctx.report(
        c.object,
        `${c.path}.resources.limits['${r}']`,
        limitText,
        `is more than ${l.maxLimitRequestRatio[r]}× the request (${requestText}), the ratio ${where} allows`,
        'raise the request or lower the limit',
      );
  }
}
