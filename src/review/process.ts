/** What a container runs, judged from its command line, or from its image's entrypoint when the manifest sets none. */
import { Rec, arrAt, recsAt, strAt } from './access';
import { CLIENT_COMMANDS, SERVER_RUNTIMES, SIDECAR_HINT, ServerRuntime } from './runtimes';

/** A container's process as the reviewer understands it. */
export interface ContainerProcess {
  /** The command line (command and args, shell scripts included); the image's entrypoint stands in for a missing command when known. */
  readonly text: string;
  /** Whether `command` is set in the manifest (otherwise the image's entrypoint runs). */
  readonly commandSet: boolean;
  /** The model server it starts, when it is a known one. */
  readonly server?: ServerRuntime;
  /** How the server was recognised, for messages (`vllm serve`, `the entrypoint of vllm/vllm-openai`). */
  readonly serverEvidence?: string;
  /** Why it answers no requests: a benchmark client, a load generator, a placeholder that sleeps. */
  readonly client?: string;
}

/** Per container object, with the values it was computed from (a changed command or image recomputes it). */
const CACHE = new WeakMap<Rec, { readonly from: readonly unknown[]; readonly process: ContainerProcess }>();

function words(values: readonly unknown[]): string[] {
  return values.filter((v): v is string | number => typeof v === 'string' || typeof v === 'number').map(String);
}

/** A shell script that only waits: `sleep infinity`, `tail -f /dev/null`, `while true; do sleep 30; done`. */
const SLEEP_SCRIPT =
  /^(?:exec\s+)?(?:sleep\s+\S+|tail\s+-f\s+\/dev\/null)\s*;?\s*$|^while\s+(?:true|:)\s*;?\s*do\s+sleep\s+\S+\s*;?\s*done\s*;?\s*$/;

/** Whether a command line does nothing but wait. */
function onlySleeps(argv: readonly string[]): boolean {
  if (argv.length === 0) return false;
  const program = argv[0].replace(/^.*\//, '');
  if (program === 'sleep' || program === 'pause') return true;
  if (program === 'tail') return argv.includes('/dev/null');
  const dashC = argv.findIndex((a) => /^-\w*c\w*$/.test(a));
  // `bash -c -- "script"`: `--` ends the options, the script follows.
  const script = argv.slice(dashC + 1).find((a) => a !== '--');
  if (!/^(?:ba|z|da)?sh$/.test(program) || dashC < 0 || script === undefined) return false;
  return SLEEP_SCRIPT.test(script.trim());
}

/** The process of a container (cached per container object). */
export function processOf(container: Rec): ContainerProcess {
  const from = [container['image'], container['command'], container['args'], container['env']];
  const cached = CACHE.get(container);
  if (cached && cached.from.every((v, i) => v === from[i])) return cached.process;
  const command = words(arrAt(container, 'command'));
  const args = words(arrAt(container, 'args'));
  const image = strAt(container, 'image') ?? '';
  let text = [...command, ...args].join(' ');
  let server: ServerRuntime | undefined;
  let serverEvidence: string | undefined;
  if (command.length === 0) {
    const byImage = SERVER_RUNTIMES.find((r) => r.images?.pattern.test(image));
    if (byImage?.images) {
      text = [byImage.images.entrypoint, ...args].join(' ');
      server = byImage;
      serverEvidence = `the entrypoint of ${image.replace(/[:@].*$/, '')}`;
    }
  }
  if (!server) {
    server = SERVER_RUNTIMES.find((r) => r.command.test(text));
    const match = server ? server.command.exec(text) : null;
    if (server && match) serverEvidence = match[0].trim();
  }
  let client: string | undefined;
  if (!server) {
    const argv = [...command, ...args];
    if (command.length > 0 && onlySleeps(argv)) client = 'a placeholder that only sleeps';
    else client = CLIENT_COMMANDS.find(([pattern]) => pattern.test(text))?.[1];
  }
  const result: ContainerProcess = { text, commandSet: command.length > 0, server, serverEvidence, client };
  CACHE.set(container, { from, process: result });
  return result;
}

/**
 * Whether a container is a helper beside the pod's main process rather than the workload itself:
 * a native sidecar (an init container with restartPolicy Always), or a proxy, agent, exporter, log
 * shipper or syncer by its name or image, in a pod with another main container.
 */
export function isHelper(container: Rec, role: 'container' | 'init' | 'sidecar', mainCount: number): boolean {
  if (role === 'sidecar') return true;
  if (role === 'init' || mainCount < 2 || processOf(container).server) return false;
  const image = (strAt(container, 'image') ?? '').replace(/[:@].*$/, '');
  return SIDECAR_HINT.test(strAt(container, 'name') ?? '') || SIDECAR_HINT.test(image.replace(/^.*\//, ''));
}

/** The value of a command-line option in `text` (`--flag N`, `--flag=N`), the last one when repeated. */
export function optionValue(text: string, flags: readonly string[]): string | undefined {
  let found: string | undefined;
  for (const flag of flags) {
    const escaped = flag.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const pattern = new RegExp(`(?:^|\\s)${escaped}(?:=|\\s+)["']?([^\\s"']+)`, 'g');
    for (let m = pattern.exec(text); m; m = pattern.exec(text)) found = m[1];
  }
  return found;
}

/** The value of environment variable `name` set literally on a container (`env[].value`). */
export function envValue(container: Rec, name: string): string | undefined {
  const entry = recsAt(container, 'env').find((e) => strAt(e, 'name') === name);
  const value = entry ? entry['value'] : undefined;
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
}
