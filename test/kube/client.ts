import * as fs from 'fs';
import * as https from 'https';
import * as path from 'path';
import * as YAML from 'yaml';

/** A Kubernetes object as the API returns it. */
export type KubeObject = {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean; blockOwnerDeletion?: boolean }[];
    deletionTimestamp?: string;
    generation?: number;
    resourceVersion?: string;
    [k: string]: any;
  };
  spec?: any;
  status?: any;
  [k: string]: any;
};

/** An API answer that is not 2xx: the status code and the server's message. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

/** The API resource of a kind: its plural name and whether it lives in a namespace. */
interface Resource {
  readonly name: string;
  readonly namespaced: boolean;
}

/**
 * A small REST client for the test cluster (kubeconfig with a token or a client certificate; exec plugins are
 * not supported). Requests keep their connection alive: a test makes thousands of small calls.
 */
export class KubeClient {
  private readonly server: URL;
  private readonly agent: https.Agent;
  private readonly headers: Record<string, string> = {};
  private readonly resources = new Map<string, Map<string, Resource>>();
  /** Warning headers of the last calls (Pod Security warnings on workload templates land here). */
  public lastWarnings: string[] = [];

  constructor(kubeconfigPath: string) {
    const config = YAML.parse(fs.readFileSync(kubeconfigPath, 'utf8'));
    const contextName = config['current-context'];
    const context = (config.contexts ?? []).find((c: any) => c.name === contextName)?.context;
    if (!context) throw new Error(`${kubeconfigPath}: no current context`);
    const cluster = (config.clusters ?? []).find((c: any) => c.name === context.cluster)?.cluster;
    const user = (config.users ?? []).find((u: any) => u.name === context.user)?.user ?? {};
    if (!cluster?.server) throw new Error(`${kubeconfigPath}: context ${contextName} has no cluster server`);
    const dir = path.dirname(kubeconfigPath);
    const read = (data?: string, file?: string) =>
      data ? Buffer.from(data, 'base64') : file ? fs.readFileSync(path.resolve(dir, file)) : undefined;
    this.server = new URL(cluster.server);
    this.agent = new https.Agent({
      keepAlive: true,
      maxSockets: 8,
      ca: read(cluster['certificate-authority-data'], cluster['certificate-authority']),
      cert: read(user['client-certificate-data'], user['client-certificate']),
      key: read(user['client-key-data'], user['client-key']),
      rejectUnauthorized: !cluster['insecure-skip-tls-verify'],
    });
    const token = user.token ?? (user.tokenFile ? fs.readFileSync(path.resolve(dir, user.tokenFile), 'utf8').trim() : undefined);
    if (token) this.headers.Authorization = `Bearer ${token}`;
    if (user.exec) throw new Error(`${kubeconfigPath}: exec credential plugins are not supported; use a token or a client certificate`);
  }

  /** One request; resolves with the parsed body, rejects with an {@link ApiError}. */
  public request(method: string, urlPath: string, body?: unknown, contentType = 'application/json'): Promise<any> {
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = https.request(
        {
          method,
          host: this.server.hostname,
          port: this.server.port || 443,
          path: `${this.server.pathname.replace(/\/$/, '')}${urlPath}`,
          agent: this.agent,
          headers: {
            ...this.headers,
            Accept: 'application/json',
            ...(payload !== undefined ? { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(payload) } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const warning = res.headers.warning;
            this.lastWarnings = (Array.isArray(warning) ? warning : warning ? [warning] : []).map((w) =>
              w.replace(/^\d+ \S+ "(.*)"$/, '$1'),
            );
            let parsed: any = text;
            try {
              parsed = text ? JSON.parse(text) : undefined;
            } catch {
              // not JSON: keep the text
            }
            const code = res.statusCode ?? 0;
            if (code >= 200 && code < 300) resolve(parsed);
            else reject(new ApiError(code, parsed?.reason ?? '', parsed?.message ?? `HTTP ${code}: ${text.slice(0, 300)}`));
          });
        },
      );
      req.on('error', reject);
      req.setTimeout(60000, () => req.destroy(new Error(`${method} ${urlPath}: no answer after 60 s`)));
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  /** `/api/v1` or `/apis/<group>/<version>`. */
  private static base(apiVersion: string): string {
    return apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  }

  /** The resource of `kind` in `apiVersion`, from the API's discovery (cached). */
  public async resource(apiVersion: string, kind: string): Promise<Resource> {
    let kinds = this.resources.get(apiVersion);
    if (!kinds?.has(kind)) {
      const list = await this.request('GET', KubeClient.base(apiVersion));
      kinds = new Map();
      for (const r of list.resources ?? []) if (!r.name.includes('/')) kinds.set(r.kind, { name: r.name, namespaced: r.namespaced });
      this.resources.set(apiVersion, kinds);
    }
    const r = kinds.get(kind);
    if (!r) throw new ApiError(404, 'NotFound', `the server has no ${kind} in ${apiVersion}`);
    return r;
  }

  /** The URL path of a collection (`name` undefined) or of one object. */
  public async pathOf(apiVersion: string, kind: string, namespace: string | undefined, name?: string): Promise<string> {
    const r = await this.resource(apiVersion, kind);
    const ns = r.namespaced ? `/namespaces/${encodeURIComponent(namespace ?? 'default')}` : '';
    return `${KubeClient.base(apiVersion)}${ns}/${r.name}${name !== undefined ? `/${encodeURIComponent(name)}` : ''}`;
  }

  /** Server-side apply with strict field validation; `dryRun` runs validation and admission without storing. */
  public async apply(obj: KubeObject, options: { dryRun?: boolean; fieldManager?: string } = {}): Promise<KubeObject> {
    const p = await this.pathOf(obj.apiVersion, obj.kind, obj.metadata.namespace, obj.metadata.name);
    const query = `fieldManager=${options.fieldManager ?? 'cdk8s-ml-test'}&force=true&fieldValidation=Strict${options.dryRun ? '&dryRun=All' : ''}`;
    return this.request('PATCH', `${p}?${query}`, obj, 'application/apply-patch+yaml');
  }

  public async get(apiVersion: string, kind: string, namespace: string | undefined, name: string): Promise<KubeObject> {
    return this.request('GET', await this.pathOf(apiVersion, kind, namespace, name));
  }

  /** Objects of `kind` (in `namespace`, or in all namespaces when undefined). */
  public async list(apiVersion: string, kind: string, namespace?: string, labelSelector?: string): Promise<KubeObject[]> {
    const r = await this.resource(apiVersion, kind);
    const ns = r.namespaced && namespace !== undefined ? `/namespaces/${encodeURIComponent(namespace)}` : '';
    const q = labelSelector ? `?labelSelector=${encodeURIComponent(labelSelector)}` : '';
    const list = await this.request('GET', `${KubeClient.base(apiVersion)}${ns}/${r.name}${q}`);
    return (list.items ?? []).map((o: KubeObject) => ({ ...o, apiVersion, kind }));
  }

  public async create(obj: KubeObject): Promise<KubeObject> {
    return this.request('POST', `${await this.pathOf(obj.apiVersion, obj.kind, obj.metadata.namespace)}?fieldValidation=Strict`, obj);
  }

  /** A merge patch (`subresource` e.g. `status`, `scale`). */
  public async patch(
    obj: Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>,
    patch: unknown,
    subresource?: string,
    type = 'merge',
  ): Promise<KubeObject> {
    const p = await this.pathOf(obj.apiVersion, obj.kind, obj.metadata.namespace, obj.metadata.name);
    return this.request('PATCH', `${p}${subresource ? `/${subresource}` : ''}`, patch, `application/${type}-patch+json`);
  }

  /** Deletes an object (ignores one that is gone); `gracePeriodSeconds: 0` completes a pod's deletion at once. */
  public async delete(obj: Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>, gracePeriodSeconds?: number): Promise<void> {
    const p = await this.pathOf(obj.apiVersion, obj.kind, obj.metadata.namespace, obj.metadata.name);
    const body = {
      kind: 'DeleteOptions',
      apiVersion: 'v1',
      propagationPolicy: 'Background',
      ...(gracePeriodSeconds !== undefined ? { gracePeriodSeconds } : {}),
    };
    try {
      await this.request('DELETE', p, body);
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 404)) throw e;
    }
  }

  /** Asks the Eviction API to evict a pod: resolves true when evicted, false when a PodDisruptionBudget refuses (429). */
  public async evict(pod: KubeObject): Promise<boolean> {
    const { name, namespace } = pod.metadata;
    try {
      await this.request('POST', `/api/v1/namespaces/${namespace}/pods/${name}/eviction`, {
        apiVersion: 'policy/v1',
        kind: 'Eviction',
        metadata: { name, namespace },
      });
      return true;
    } catch (e) {
      if (e instanceof ApiError && e.code === 429) return false;
      if (e instanceof ApiError && e.code === 404) return true;
      throw e;
    }
  }

  /** The server's version, e.g. `{ major: '1', minor: '26' }`. */
  public async version(): Promise<{ major: string; minor: string; gitVersion: string }> {
    return this.request('GET', '/version');
  }
}

/** Waits until `probe` returns a value other than undefined, or throws `describe()` after `timeoutMs`. */
export async function waitFor<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  describe: () => Promise<string> | string,
  everyMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(await describe());
    await sleep(everyMs);
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
