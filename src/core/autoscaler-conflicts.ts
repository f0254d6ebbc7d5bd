import { ApiObject, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { problemMessage } from './errors';

/** A Deployment whose replica count one construct's autoscaler owns. */
export interface ScaledDeployment {
  readonly namespace: string;
  readonly name: string;
  /** The construct's own autoscalers (not reported as conflicts). */
  readonly own: IConstruct[];
  /** A fixed replica count (no autoscaler of its own): a VerticalPodAutoscaler does not conflict. @default false */
  readonly fixedReplicas?: boolean;
  /** Turns each conflicting autoscaler (`Kind 'name' (path)`; `vertical` for a VPA) into an error message. */
  readonly report: (other: string, vertical: boolean) => string;
}

const claims = new WeakMap<IConstruct, ScaledDeployment[]>();

/**
 * Registers `claim` for the app-wide check that no other HorizontalPodAutoscaler or KEDA ScaledObject
 * scales the same Deployment (two autoscalers overwrite each other's replica count; KEDA's admission
 * webhook rejects the second), and that no VerticalPodAutoscaler resizes its pods (in any mode but `Off`
 * it evicts pods to change their requests, under the replica autoscaler's feet and against the utilization
 * targets it computes from those requests). The check runs once per synthesis for all claims: one walk of
 * the tree, one `toJson` per autoscaler the constructs do not own, so it stays linear in the size of the app.
 */
export function claimAutoscaling(scope: IConstruct, claim: ScaledDeployment): void {
  const root = scope.node.root;
  let list = claims.get(root);
  if (!list) {
    list = [];
    claims.set(root, list);
    const all = list;
    root.node.addValidation({ validate: () => conflicts(root, all) });
  }
  list.push(claim);
}

function conflicts(root: IConstruct, all: ScaledDeployment[]): string[] {
  // The constructs' own autoscalers target their own Deployments: only the others are rendered and compared.
  const own = new Set(all.flatMap((claim) => claim.own));
  const scalers = new Map<string, ApiObject[]>();
  for (const c of root.node.findAll()) {
    if (!(c instanceof ApiObject) || own.has(c)) continue;
    const keda = c.kind === 'ScaledObject' && c.apiVersion.startsWith('keda.sh/');
    const vpa = c.kind === 'VerticalPodAutoscaler' && c.apiVersion.startsWith('autoscaling.k8s.io/');
    if (c.kind !== 'HorizontalPodAutoscaler' && !keda && !vpa) continue;
    const json = safeJson(c);
    // A VPA in mode Off only recommends requests: it changes nothing.
    if (vpa && json?.spec?.updatePolicy?.updateMode === 'Off') continue;
    const ref = vpa ? json?.spec?.targetRef : json?.spec?.scaleTargetRef;
    if (!ref) continue;
    // ScaledObject defaults its target to apps/v1 Deployment; an HPA always names both.
    const kind = ref.kind ?? (keda ? 'Deployment' : undefined);
    const group = String(ref.apiVersion ?? (keda ? 'apps/v1' : '')).split('/')[0];
    if (kind !== 'Deployment' || group !== 'apps') continue;
    const key = `${json.metadata?.namespace ?? Chart.of(c).namespace ?? 'default'}/${ref.name}`;
    scalers.set(key, [...(scalers.get(key) ?? []), c]);
  }
  return all.flatMap((claim) =>
    (scalers.get(`${claim.namespace}/${claim.name}`) ?? [])
      .filter((c) => !claim.own.includes(c) && !(claim.fixedReplicas && c.kind === 'VerticalPodAutoscaler'))
      .map((c) => claim.report(`${c.kind} '${c.metadata.name ?? c.name}' (${c.node.path})`, c.kind === 'VerticalPodAutoscaler')),
  );
}

function safeJson(o: ApiObject): any {
  try {
    return o.toJson();
  } catch {
    return undefined;
  }
}

/**
 * The message for a Deployment `name` of `scope` that `other` also scales (or resizes, `vertical`); `owner` is
 * what owns its replica count (`ScaledObject`, `HorizontalPodAutoscaler`, or undefined for a fixed count).
 */
export function autoscalerConflict(scope: IConstruct, name: string, other: string, vertical: boolean, owner?: string): string {
  return problemMessage(scope, {
    field: 'deployment',
    value: name,
    problem: vertical
      ? `is also resized by ${other}, which evicts pods to change their requests while the ${owner} scales on those requests`
      : owner
        ? `is also scaled by ${other}; two autoscalers overwrite each other's replica count`
        : `has a fixed replica count but is also scaled by ${other}; every apply resets what the autoscaler set`,
    fix: vertical
      ? "set the VerticalPodAutoscaler's updatePolicy.updateMode to 'Off' (recommendations only) and apply its advice to resources, or remove it"
      : owner
        ? `remove the other autoscaler: this workload's ${owner} owns the replica count`
        : 'remove the other autoscaler and use the autoscaling prop instead of replicas',
  });
}
