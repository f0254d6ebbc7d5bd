import { ApiObject, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';

/** A Deployment whose replica count one construct's autoscaler owns. */
export interface ScaledDeployment {
  readonly namespace: string;
  readonly name: string;
  /** The construct's own autoscalers (not reported as conflicts). */
  readonly own: IConstruct[];
  /** Turns each conflicting autoscaler (`Kind 'name' (path)`) into an error message. */
  readonly report: (other: string) => string;
}

const claims = new WeakMap<IConstruct, ScaledDeployment[]>();

/**
 * Registers `claim` for the app-wide check that no other HorizontalPodAutoscaler or KEDA ScaledObject
 * scales the same Deployment (two autoscalers overwrite each other's replica count; KEDA's admission
 * webhook rejects the second). The check runs once per synthesis for all claims: one walk of the tree,
 * one `toJson` per autoscaler, so it stays linear in the size of the app.
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
  const scalers = new Map<string, ApiObject[]>();
  for (const c of root.node.findAll()) {
    if (!(c instanceof ApiObject)) continue;
    const keda = c.kind === 'ScaledObject' && c.apiVersion.startsWith('keda.sh/');
    if (c.kind !== 'HorizontalPodAutoscaler' && !keda) continue;
    const json = safeJson(c);
    const ref = json?.spec?.scaleTargetRef;
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
      .filter((c) => !claim.own.includes(c))
      .map((c) => claim.report(`${c.kind} '${c.metadata.name ?? c.name}' (${c.node.path})`)),
  );
}

function safeJson(o: ApiObject): any {
  try {
    return o.toJson();
  } catch {
    return undefined;
  }
}
