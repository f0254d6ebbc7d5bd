import { ApiObject } from 'cdk8s';
import { workloadOf } from '../core/names';
import { resourceFileName } from './app-synthesis';
import { takeObjectJson } from './object-json';

/** The folder for objects without `metadata.namespace` (cluster-scoped objects). */
export const UNNAMESPACED_FOLDER = '_unnamespaced';

/**
 * Groups manifests into one folder per namespace and one file per workload:
 * `<namespace>/<workload><ext>` for the objects of a workload construct (in synthesis order),
 * `<namespace>/<Kind>.<name><ext>` for any other object. Workload names are DNS labels, so the two
 * kinds of file name (with and without a dot) cannot collide. With `folderPerWorkload`, a workload
 * is a folder with one file per object instead: `<namespace>/<workload>/<Kind>.<name><ext>`.
 */
export function namespaceFolderGroups(objects: readonly ApiObject[], ext: string, folderPerWorkload = false): Map<string, unknown[]> {
  const groups = new Map<string, unknown[]>();
  for (const o of objects) {
    const manifest = takeObjectJson(o);
    const workload = workloadOf(o);
    const workloadPath = workload && `${pathSegment(workload.namespace, o)}/${pathSegment(workload.name, o)}`;
    const file = workloadPath
      ? folderPerWorkload
        ? `${workloadPath}/${resourceFileName(manifest)}${ext}`
        : `${workloadPath}${ext}`
      : `${pathSegment(manifest?.metadata?.namespace ?? UNNAMESPACED_FOLDER, o)}/${resourceFileName(manifest)}${ext}`;
    const group = groups.get(file);
    if (group) group.push(manifest);
    else groups.set(file, [manifest]);
  }
  return groups;
}

function pathSegment(text: string, o: ApiObject): string {
  const segment = String(text).replace(/[^0-9a-zA-Z_.-]/g, '');
  if (segment === '' || segment === '.' || segment === '..') {
    throw new Error(`MlApp: ${o.kind} '${o.node.path}' has no usable namespace or name for a folder (${JSON.stringify(text)})`);
  }
  return segment;
}
