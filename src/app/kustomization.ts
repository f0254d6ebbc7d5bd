import * as path from 'path';
import { stringifyManifest } from './manifest-yaml';

/** The file name kustomize (`kubectl apply -k`, Argo CD, Flux) looks for in a folder. */
export const KUSTOMIZATION_FILE = 'kustomization.yaml';

/**
 * One `kustomization.yaml` per folder of the output (the root included) listing that folder's
 * manifest files and sub-folders, sorted, so `kubectl apply -k <outdir>` (or an Argo CD / Flux
 * source pointed at any folder) applies exactly the objects below it, each once.
 * `files` are paths relative to the output folder with `/` separators; `folders` are folders to
 * include even when empty.
 */
export function kustomizations(files: readonly string[], folders: readonly string[] = []): Map<string, string> {
  const children = new Map<string, Set<string>>([['.', new Set()]]);
  const addFolder = (folder: string): void => {
    if (children.has(folder)) return;
    children.set(folder, new Set());
    const parent = path.posix.dirname(folder);
    addFolder(parent);
    children.get(parent)!.add(path.posix.basename(folder));
  };
  for (const folder of folders) addFolder(path.posix.normalize(folder));
  for (const file of files) {
    const folder = path.posix.dirname(file);
    addFolder(folder);
    children.get(folder)!.add(path.posix.basename(file));
  }
  const out = new Map<string, string>();
  for (const [folder, entries] of [...children].sort(([a], [b]) => compare(a, b))) {
    const resources = [...entries].sort(compare);
    const text = stringifyManifest({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources });
    out.set(folder === '.' ? KUSTOMIZATION_FILE : `${folder}/${KUSTOMIZATION_FILE}`, text);
  }
  return out;
}

/** Code-point order: the same in every locale. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
