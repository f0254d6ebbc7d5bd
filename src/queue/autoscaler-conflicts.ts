import { ApiObject, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';

/**
 * Every HorizontalPodAutoscaler and KEDA ScaledObject in the app (other than `own`) that scales the
 * Deployment `name` in `namespace`, as `Kind 'name' (construct path)`. Two autoscalers on one
 * Deployment overwrite each other's replica count; KEDA's admission webhook rejects the second.
 */
export function otherAutoscalersOf(scope: IConstruct, namespace: string, name: string, own: IConstruct[]): string[] {
  const found: string[] = [];
  for (const c of scope.node.root.node.findAll()) {
    if (!(c instanceof ApiObject) || own.includes(c)) continue;
    const keda = c.kind === 'ScaledObject' && c.apiVersion.startsWith('keda.sh/');
    if (c.kind !== 'HorizontalPodAutoscaler' && !keda) continue;
    const json = safeJson(c);
    const ref = json?.spec?.scaleTargetRef;
    if (!ref) continue;
    // ScaledObject defaults its target to apps/v1 Deployment; an HPA always names both.
    const kind = ref.kind ?? (keda ? 'Deployment' : undefined);
    const group = String(ref.apiVersion ?? (keda ? 'apps/v1' : '')).split('/')[0];
    const ns = json.metadata?.namespace ?? Chart.of(c).namespace ?? 'default';
    if (kind === 'Deployment' && group === 'apps' && ref.name === name && ns === namespace) {
      found.push(`${c.kind} '${json.metadata?.name ?? c.name}' (${c.node.path})`);
    }
  }
  return found;
}

function safeJson(o: ApiObject): any {
  try {
    return o.toJson();
  } catch {
    return undefined;
  }
}
