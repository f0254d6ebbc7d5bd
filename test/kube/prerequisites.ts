import { Prerequisite } from '../../src/platform/prerequisites';
import { KubeClient, KubeObject } from './client';
import { volumeFor } from './stand-ins';

/**
 * Creates what the report lists as prerequisites, as a platform team would before applying the app: secrets with
 * the keys the pods read (placeholder values), claims (read-only-many, 1Gi, with a volume bound), service accounts.
 */
export async function createPrerequisites(k: KubeClient, list: readonly Prerequisite[]): Promise<void> {
  for (const p of list) {
    const metadata = { name: p.name, namespace: p.namespace };
    switch (p.kind) {
      case 'Secret':
        await k.create({
          apiVersion: 'v1',
          kind: 'Secret',
          metadata,
          ...(p.pullSecret
            ? { type: 'kubernetes.io/dockerconfigjson', stringData: { '.dockerconfigjson': '{"auths":{}}' } }
            : { type: 'Opaque', stringData: Object.fromEntries((p.keys.length ? p.keys : ['value']).map((key) => [key, 'placeholder'])) }),
        });
        break;
      case 'ConfigMap':
        await k.create({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata,
          data: Object.fromEntries(p.keys.map((key) => [key, 'placeholder'])),
        });
        break;
      case 'ServiceAccount':
        await k.create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata });
        break;
      case 'PersistentVolumeClaim': {
        const pvc: KubeObject = await k.create({
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          metadata,
          spec: { accessModes: ['ReadOnlyMany'], resources: { requests: { storage: '1Gi' } }, storageClassName: '' },
        });
        await k.create(volumeFor(pvc));
        break;
      }
    }
  }
}
