import { ApiObject } from 'cdk8s';
import { workloadOf } from '../core/workload-identity';
import { resourceFileName } from './app-synthesis';
import { takeObjectJson } from './object-json';

/** The folder for objects without `metadata.namespace` (cluster-scoped objects). */
export const UNNAMESPACED_FOLDER = '_unnamespaced';

/**
 * Groups objects into one folder per namespace and one file per workload:
 * `<namespace>/<workload><ext>` for the objects of a workload construct (in synthesis order),
 * `<namespace>/<Kind>.<name><ext>` for any other object. Workload names are DNS labels, so the two
 * kinds of file name (with and without a dot) cannot collide. With `folderPerWorkload`, a workload
 * is a folder with one file per object instead: `<namespace>/<workload>/<Kind>.<name><ext>`.
 * A workload's objects are grouped as they are and rendered when their file is written; an object
 * whose file name comes from its manifest is grouped as its rendered manifest.
 */
export function namespaceFolderGroups(
  objects: readonly ApiObject[],
  ext: string,
  folderPerWorkload = false,
): Map<string, (ApiObject | RenderedManifest)[]> {
  const groups = new Map<string, (ApiObject | RenderedManifest)[]>();
  for (const o of objects) {
    const workload = workloadOf(o);
    const workloadPath = workload && `${pathSegment(workload.namespace, o)}/${pathSegment(workload.name, o)}`;
    let item: ApiObject | RenderedManifest = o;
    let file: string;
    if (workloadPath && !folderPerWorkload) {
      file = `${workloadPath}${ext}`;
    } else {
      const manifest = takeObjectJson(o);
      item = { manifest };
      file = workloadPath
        ? `${workloadPath}/${resourceFileName(manifest)}${ext}`
        : `${pathSegment(manifest?.metadata?.namespace ?? UNNAMESPACED_FOLDER, o)}/${resourceFileName(manifest)}${ext}`;
    }
    const group = groups.get(file);
    if (group) group.push(item);
    else groups.set(file, [item]);
  }
  return groups;
}

/** A manifest rendered ahead of writing (its file name depends on it). */
export interface RenderedManifest {
  readonly manifest: unknown;
}

function pathSegment(text: string, o: ApiObject): string {
  const segment = String(text).replace(/[^0-9a-zA-Z_.-]/g, '');
  if (segment === '' || segment === '.' || segment === '..') {
    throw new Error(`MlApp: ${o.kind} '${o.node.path}' has no usable namespace or name for a folder (${JSON.stringify(text)})`);
  }
  return segment;
}
