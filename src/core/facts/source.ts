/**
 * Where a table of facts about another program comes from: the upstream repository, the files read
 * and the commit they were read at. Every table in this folder carries one, beside the data.
 */
export interface FactSource {
  /** `owner/name` on GitHub. */
  readonly repository: string;
  /** The release the table describes (the tag the library pins). */
  readonly version: string;
  /** The commit the files were read at (the tag's commit unless `note` says otherwise). */
  readonly commit: string;
  /** Files read, relative to the repository root. */
  readonly paths: readonly string[];
  /** How the table was taken, when it is not the plain reading of `paths` at `commit`. @default - none */
  readonly note?: string;
}

/** How a command-line flag takes its value. */
export type FlagArity = 'none' | 'value' | 'optional';

/** One flag a program accepts. */
export interface FlagFact {
  /** `none`: a switch; `value`: one value (`--f v` or `--f=v`); `optional`: either. */
  readonly arity: FlagArity;
  /** The values it accepts, when the parser restricts them. @default - any value */
  readonly values?: readonly string[];
  /** A `--no-<flag>` form exists (argparse BooleanOptionalAction). @default false */
  readonly negatable?: boolean;
  /** Other spellings of the same flag (`-tp`). @default - none */
  readonly aliases?: readonly string[];
}

/** A program's flags by their long name (`--port`). */
export type FlagTable = Readonly<Record<string, FlagFact>>;

/** Everything the library relies on about one model server at its pinned version. */
export interface ServerFacts {
  /** `vllm`, `tgi`, `triton`. */
  readonly runtime: string;
  readonly source: FactSource;
  /** The executable the library starts (`vllm serve`, `text-generation-launcher`, `tritonserver`). */
  readonly executable: readonly string[];
  /** A first argument that is not a flag (vLLM's model). @default - none */
  readonly positional?: 'model';
  /** `--f=v` is accepted as well as `--f v`. */
  readonly equalsForm: boolean;
  /** `_` and `-` are the same in flag names (vLLM's FlexibleArgumentParser). @default false */
  readonly underscoresAsDashes?: boolean;
  /** `--json-arg.key value` sets one key of a JSON flag (vLLM). @default false */
  readonly dottedKeys?: boolean;
  readonly flags: FlagTable;
  /** Ports the server listens on by default. */
  readonly ports: Readonly<Record<string, number>>;
  /** Health endpoints on the serving (or HTTP) port. */
  readonly health: { readonly ready: string; readonly live?: string };
  /** Where Prometheus metrics are served: path and the port name in `ports` (`http` = the serving port). */
  readonly metrics: { readonly path: string; readonly port: string };
  /** Environment variables the server reads that matter to the library. */
  readonly env: Readonly<Record<string, string>>;
  /** What the process needs of its identity (user name lookups, a writable home). */
  readonly identity: string;
  /** Where it keeps caches and how it finds a model. */
  readonly cache: string;
  /**
   * The flags (names in `flags`) and environment variable that set the GPUs one server drives: the tensor-parallel
   * size, the pipeline and data-parallel sizes that multiply it, and the flags that spread one server over nodes.
   * @default - none (the server drives what it is given)
   */
  readonly parallelism?: ServerParallelism;
  /** How a command line names the model: a flag of `flags`, and the environment variable the server also reads. @default - none */
  readonly model?: { readonly flag: string; readonly env?: string };
  /** The official image whose entrypoint starts the server when a manifest sets no command. @default - none */
  readonly image?: ServerImage;
}

/** The options that set how many GPUs one server drives (see {@link ServerFacts.parallelism}). */
export interface ServerParallelism {
  /** The tensor-parallel size: GPUs of one node that split each layer. */
  readonly tensor: string;
  /** The environment variable that sets it too. @default - none */
  readonly tensorEnv?: string;
  /** The pipeline-parallel size (stages, across nodes). @default - none */
  readonly pipeline?: string;
  /** The data-parallel size (engine replicas). @default - none */
  readonly data?: string;
  /** Flags that spread one server over several nodes. @default - none */
  readonly multiNode?: readonly string[];
}

/** An official image of a server and the command its entrypoint runs, with the file that says so. */
export interface ServerImage {
  /** The command the entrypoint runs. */
  readonly entrypoint: string;
  /** The Dockerfile (or script) it is read from, at a commit. */
  readonly source: { readonly repository: string; readonly path: string; readonly commit: string };
}

/** The spellings of `flag` in `facts`: its long name, then its aliases (`--tensor-parallel-size`, `-tp`). */
export function flagSpellings(facts: ServerFacts, flag: string): string[] {
  return [flag, ...(facts.flags[flag]?.aliases ?? [])];
}
