import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { selfSignedCertificate } from '../fixtures/loopback';

/** True when `bin` is on this machine's PATH (tests that need it are skipped, by name, when it is not). */
export function hasBinary(bin: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0;
}

/** One request the fixture server saw. */
export interface SeenRequest {
  readonly url: string;
  readonly range?: string;
  readonly authorization?: string;
}

/** How the fixture answers one path. */
export type Route =
  | { readonly body: Buffer }
  /** Sends the first `cut` bytes of the first answer, then drops the connection; later requests are served (with Range). */
  | { readonly body: Buffer; readonly cutFirstAt: number }
  /** Sends the headers and `sent` bytes, then never finishes. */
  | { readonly stallAfter: number; readonly length: number };

/**
 * A loopback HTTPS server (the fetch scripts refuse plain http) serving `routes` with byte ranges,
 * recording every request; its self-signed certificate is in `caBundle` (curl reads CURL_CA_BUNDLE).
 */
export async function fixtureServer(
  routes: Record<string, Route>,
): Promise<{ url: string; caBundle: string; seen: SeenRequest[]; close: () => Promise<void> }> {
  const certDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-ml-tls-'));
  const tls = selfSignedCertificate(certDir);
  const seen: SeenRequest[] = [];
  const served = new Map<string, number>();
  const sockets = new Set<import('stream').Duplex>();
  const handler: http.RequestListener = (req, res) => {
    const url = req.url ?? '/';
    seen.push({ url, range: req.headers.range, authorization: req.headers.authorization });
    const route = routes[url];
    if (!route) {
      res.writeHead(404).end();
      return;
    }
    if ('stallAfter' in route) {
      res.writeHead(200, { 'Content-Length': route.length });
      res.write(Buffer.alloc(route.stallAfter, 'x'));
      return;
    }
    const count = (served.get(url) ?? 0) + 1;
    served.set(url, count);
    const start = Number(/bytes=(\d+)-/.exec(req.headers.range ?? '')?.[1] ?? 0);
    if (start >= route.body.length && req.headers.range) {
      res.writeHead(416, { 'Content-Range': `bytes */${route.body.length}` }).end();
      return;
    }
    const rest = route.body.subarray(start);
    const headers = { 'Content-Length': rest.length, 'Accept-Ranges': 'bytes' };
    if (start > 0) res.writeHead(206, { ...headers, 'Content-Range': `bytes ${start}-${route.body.length - 1}/${route.body.length}` });
    else res.writeHead(200, headers);
    if ('cutFirstAt' in route && count === 1) {
      res.write(rest.subarray(0, route.cutFirstAt), () => res.destroy());
      return;
    }
    res.end(rest);
  };
  const server = https.createServer({ key: fs.readFileSync(tls.key), cert: fs.readFileSync(tls.cert) }, handler);
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    caBundle: tls.cert,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => {
          fs.rmSync(certDir, { recursive: true, force: true });
          resolve();
        });
      }),
  };
}

/** A scratch directory with a `bin/` of stub executables first on PATH, each recording its arguments. */
export class Sandbox {
  public readonly root = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-ml-sandbox-'));
  public readonly bin = path.join(this.root, 'bin');
  public readonly tmp = path.join(this.root, 'tmp');
  public readonly log = path.join(this.root, 'calls.log');

  constructor() {
    fs.mkdirSync(this.bin);
    fs.mkdirSync(this.tmp);
    fs.writeFileSync(this.log, '');
  }

  /** A directory inside the sandbox (created). */
  public dir(name: string): string {
    const d = path.join(this.root, name);
    fs.mkdirSync(d, { recursive: true });
    return d;
  }

  /** Puts an executable `name` first on PATH that logs `name args...` and then runs `body` (sh). */
  public stub(name: string, body = 'exit 0'): void {
    const file = path.join(this.bin, name);
    fs.writeFileSync(file, `#!/bin/sh\necho "${name} $*" >> "${this.log}"\n${body}\n`);
    fs.chmodSync(file, 0o755);
  }

  /** A `sleep` that returns at once and a `date +%s` that advances `step` seconds per call (from a file). */
  public fastClock(step: number): void {
    const clock = path.join(this.root, 'clock');
    fs.writeFileSync(clock, '1000000');
    this.stub('sleep');
    this.stub('date', `t=$(cat "${clock}"); echo $((t + ${step})) > "${clock}"; echo "$t"`);
  }

  /** The calls the stubs recorded, one `name args` per line. */
  public calls(): string[] {
    return fs.readFileSync(this.log, 'utf8').split('\n').filter(Boolean);
  }

  /** Runs `argv` (a container's command) with `env`, stubs first on PATH, TMPDIR in the sandbox. */
  /** CA bundle curl trusts in `run` (the fixture server's certificate). */
  public caBundle?: string;

  public run(argv: string[], env: Record<string, string>, timeoutMs = 20_000): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(argv[0], argv.slice(1), {
        env: {
          PATH: `${this.bin}:${process.env.PATH}`,
          TMPDIR: this.tmp,
          ...(this.caBundle ? { CURL_CA_BUNDLE: this.caBundle } : {}),
          ...env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`${argv.join(' ').slice(0, 80)} did not finish in ${timeoutMs} ms: ${stderr}`));
      }, timeoutMs);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code: code ?? -1, stdout, stderr });
      });
    });
  }

  public dispose(): void {
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}

/** The literal environment of a rendered container (`valueFrom` entries left out), with `overrides` on top. */
export function containerEnv(
  container: { env?: { name: string; value?: string }[] },
  overrides: Record<string, string> = {},
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const e of container.env ?? []) if (e.value !== undefined) env[e.name] = e.value;
  return { ...env, ...overrides };
}
