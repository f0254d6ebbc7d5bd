import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App, AppProps, Chart, YamlOutputType } from 'cdk8s';
import { check } from '../core/errors';
import { ensureGate, runGateInline } from '../core/gate';
import { Platform } from '../core/platform';
import { APP_PLATFORM_FILE, assumptionsFromPlatform } from '../review/platform';
import type { SubtreeCache } from './app-synthesis';
import { takeObjectJson, withSharedObjectJson, withWrittenObjects } from './object-json';

// What synth() needs (the output layouts, the YAML writer, the file writer) loads with the first synth(), not with the library.
/* eslint-disable @typescript-eslint/no-require-imports */
const synthesis = (): typeof import('./app-synthesis') => require('./app-synthesis');
const shapes = (): typeof import('./construct-shapes') => require('./construct-shapes');
const manifestYaml = (): typeof import('./manifest-yaml') => require('./manifest-yaml');
const files = (): typeof import('./file-writer') => require('./file-writer');
const kustomize = (): typeof import('./kustomization') => require('./kustomization');
const layout = (): typeof import('./namespace-layout') => require('./namespace-layout');
/* eslint-enable @typescript-eslint/no-require-imports */

/** Props of {@link MlApp}. */
export interface MlAppProps extends AppProps {
  /**
   * Write one folder per namespace with one file per workload (`<namespace>/<workload>.k8s.yaml`)
   * instead of the `yamlOutputType` layout. Objects outside any workload go to
   * `<namespace>/<Kind>.<name>.k8s.yaml`, objects without a namespace to `_unnamespaced/`.
   * Like cdk8s's folder-per-chart layout, it renders objects one by one (a chart's own `toJson()`
   * override is not consulted). Cannot be combined with `yamlOutputType`.
   * @default false
   */
  readonly folderPerNamespace?: boolean;

  /**
   * Like `folderPerNamespace`, with one folder per workload holding one file per object:
   * `<namespace>/<workload>/<Kind>.<name>.k8s.yaml` (other objects as with `folderPerNamespace`).
   * Cannot be combined with `yamlOutputType`.
   * @default false
   */
  readonly folderPerWorkload?: boolean;

  /**
   * Write a `kustomization.yaml` into every folder of the output (the root included) listing that
   * folder's files and sub-folders, for `kubectl apply -k`, Argo CD and Flux. Without it the output
   * folder holds nothing but Kubernetes objects, for `kubectl apply -R -f`; with it, `kubectl apply -f`
   * would also send the kustomization files to the cluster, so apply with `-k`.
   * @default false
   */
  readonly kustomization?: boolean;

  /**
   * Folder for the human-readable reports written with `writeReport()` (RUNBOOK.md, CAPACITY.md,
   * ...). It must lie outside `outdir`, so the manifests folder holds only manifests.
   * @default - `reports`, beside `outdir` (`dist` -> `reports`)
   */
  readonly reportsDir?: string;
}

/** One output file: its path below `outdir` and its YAML. */
export interface ManifestFile {
  /** Path below `outdir`, e.g. `serving.k8s.yaml` or `ml-search/ranker.k8s.yaml`. */
  readonly path: string;
  /** The file's content: its objects as YAML documents. */
  readonly yaml: string;
}

/**
 * A cdk8s `App` whose synthesis is linear in the size of the app, whatever the number of charts.
 *
 * cdk8s's `App` validates the whole app and resolves its dependencies again for every chart, so
 * one chart per service is quadratic (1,000 charts: seconds; 2,000: tens of seconds). `MlApp`
 * does each step once, renders each object's JSON in one pass and its YAML with a faster writer
 * (both byte-identical), streams them to disk one object at a time, and writes nothing unless
 * every chart synthesized. The files are byte-identical to `App`'s for the same
 * construct tree and `yamlOutputType`; `cdk8s synth` and `Testing.synth(chart)` work unchanged.
 *
 * The output folder holds only manifests (and, if asked, kustomization files): unlike `App`,
 * `MlApp` does not write `construct-metadata.json` when `cdk8s synth` sets
 * `CDK8S_RECORD_CONSTRUCT_METADATA` (it does whenever validations are configured); pass
 * `recordConstructMetadata: true` to write it anyway. Reports go to `reportsDir`.
 */
export class MlApp extends App {
  /** Whether the output is one folder per namespace (with a file or a folder per workload). */
  public readonly folderPerNamespace: boolean;
  /** Whether each workload is a folder with one file per object. */
  public readonly folderPerWorkload: boolean;
  /** Whether every output folder gets a `kustomization.yaml`. */
  public readonly kustomization: boolean;
  /** Where `writeReport()` writes; never inside `outdir`. */
  public readonly reportsDir: string;
  private readonly writesConstructMetadata: boolean;
  /** The API objects of the synthesis under way (every chart's, in order). */
  private synthesized?: ApiObject[];

  /** Throws `MlValidationError` when `reportsDir` lies inside `outdir` or two output layouts are chosen. */
  constructor(props: MlAppProps = {}) {
    super(props);
    ensureGate(this);
    this.folderPerWorkload = props.folderPerWorkload ?? false;
    this.folderPerNamespace = (props.folderPerNamespace ?? false) || this.folderPerWorkload;
    this.kustomization = props.kustomization ?? false;
    check(!(this.folderPerNamespace && props.yamlOutputType !== undefined), this, {
      field: 'yamlOutputType',
      value: props.yamlOutputType,
      problem: `is set together with ${this.folderPerWorkload ? 'folderPerWorkload' : 'folderPerNamespace'}`,
      fix: 'choose one output layout: folderPerNamespace, folderPerWorkload or yamlOutputType',
    });
    this.writesConstructMetadata = props.recordConstructMetadata ?? false;
    this.reportsDir = props.reportsDir ?? path.join(this.outdir, '..', 'reports');
    const relative = path.relative(path.resolve(this.outdir), path.resolve(this.reportsDir));
    check(relative.startsWith('..') || path.isAbsolute(relative), this, {
      field: 'reportsDir',
      value: this.reportsDir,
      problem: `is inside outdir (${this.outdir}), so reports would be mixed with the manifests`,
      fix: 'choose a folder outside outdir, e.g. a sibling of it',
    });
  }

  /**
   * Writes a human-readable report (Markdown, text) to `<reportsDir>/<fileName>`, outside the
   * manifests folder; returns its path.
   */
  public writeReport(fileName: string, text: string): string {
    const file = path.join(this.reportsDir, fileName);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    return file;
  }

  /**
   * Synthesizes every chart and writes the manifests to `outdir`; writes nothing if anything fails.
   * Each object is rendered and handed to its file in a staging folder beside `outdir` before the
   * next one, so memory holds little more than one object's YAML; past the first files, a worker
   * thread creates and fills the files while the next ones render. The files move into `outdir`
   * once all succeeded.
   */
  public synth(): void {
    const staging = path.join(path.dirname(this.outdir), `.${path.basename(this.outdir)}.synth-${process.pid}`);
    fs.rmSync(staging, { recursive: true, force: true });
    fs.mkdirSync(staging, { recursive: true });
    const written = new Set<string>();
    const folders = new Set<string>();
    const writer = new (files().FileWriter)();
    let objects: ApiObject[];
    try {
      const made = new Set<string>(['.']);
      const makeFolder = (folder: string, into: string) => {
        if (made.has(folder)) return;
        fs.mkdirSync(path.join(into, folder), { recursive: true });
        made.add(folder);
      };
      objects = this.gated(() =>
        this.render(
          (file, produce) => {
            const folder = path.dirname(file);
            makeFolder(folder, staging);
            folders.add(folder);
            const sink = writer.open(path.join(staging, file));
            try {
              produce((text) => sink.write(text));
            } finally {
              sink.end();
            }
            written.add(file);
          },
          (folder) => {
            makeFolder(folder, staging);
            folders.add(folder);
          },
        ),
      );
      writer.finish();
    } catch (error) {
      try {
        writer.finish(); // the files already handed over are written (or skipped) before staging goes
      } catch {
        // the first error is the one to report
      }
      fs.rmSync(staging, { recursive: true, force: true });
      throw error;
    } finally {
      manifestYaml().clearManifestYamlCaches();
    }
    if (!fs.existsSync(this.outdir)) {
      fs.mkdirSync(path.dirname(this.outdir), { recursive: true });
      fs.renameSync(staging, this.outdir);
    } else {
      for (const folder of folders) if (folder !== '.') fs.mkdirSync(path.join(this.outdir, folder), { recursive: true });
      for (const file of written) fs.renameSync(path.join(staging, file), path.join(this.outdir, file));
      fs.rmSync(staging, { recursive: true, force: true });
    }
    this.writePlatformForPlugin();
    if (this.writesConstructMetadata) {
      const resources: Record<string, { path: string }> = {};
      for (const o of objects) resources[o.name] = { path: o.node.path };
      fs.writeFileSync(path.join(this.outdir, 'construct-metadata.json'), JSON.stringify({ version: '1.0.0', resources }));
    }
  }

  /**
   * When `cdk8s synth` runs validations (it sets `CDK8S_RECORD_CONSTRUCT_METADATA`), writes the app's
   * platform assumptions (allowed registries) for the review plugin to `<reportsDir>/cdk8s-ml-platform.json`,
   * or removes a stale one.
   */
  private writePlatformForPlugin(): void {
    if (process.env.CDK8S_RECORD_CONSTRUCT_METADATA !== 'true') return;
    const file = path.join(this.reportsDir, APP_PLATFORM_FILE);
    const assumptions = assumptionsFromPlatform(Platform.of(this));
    if (Object.keys(assumptions).length === 0) {
      fs.rmSync(file, { force: true });
      return;
    }
    fs.mkdirSync(this.reportsDir, { recursive: true });
    fs.writeFileSync(file, `${JSON.stringify(assumptions, undefined, 2)}\n`);
  }

  /** All manifests as one YAML stream, like `App.synthYaml()`. */
  public synthYaml(): string {
    try {
      return this.gated(() =>
        withSharedObjectJson(() => {
          const { charts, cache } = this.prepare();
          const perChart = charts.map((chart) => synthesis().chartApiObjects(chart, cache));
          this.synthesized = perChart.flat();
          return collect((write) => writeChartsYaml(charts, perChart, write));
        }),
      );
    } finally {
      manifestYaml().clearManifestYamlCaches();
    }
  }

  /** The files `synth()` writes, in order, without writing them. */
  public synthFiles(): ManifestFile[] {
    const files = new Map<string, string>(); // a later file of the same name replaces an earlier one, as in cdk8s
    try {
      this.gated(() =>
        this.render(
          (file, produce) => files.set(file, collect(produce)),
          () => undefined,
        ),
      );
    } finally {
      manifestYaml().clearManifestYamlCaches();
    }
    return [...files].map(([p, yaml]) => ({ path: p, yaml }));
  }

  /**
   * Runs `synthesize` with the gate inline: each object is checked as its JSON is taken for writing (no
   * second rendering, nothing held), and the gate's errors are thrown before anything reaches `outdir`.
   */
  private gated<T>(synthesize: () => T): T {
    this.synthesized = undefined;
    return runGateInline(
      this,
      (pass) => withWrittenObjects((o, json) => pass.add(o, json), synthesize),
      () => this.synthesized ?? this.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject),
    );
  }

  /**
   * Validates and resolves dependencies once for the whole app. cdk8s validates again inside every
   * `chart.toJson()`; validations do not depend on the resolved dependencies, so once is the same,
   * and validations with side effects (`reviewOnSynth` printing its table) run once.
   */
  private prepare(): { charts: Chart[]; hasDependantCharts: boolean; cache: SubtreeCache } {
    const cache = new (synthesis().SubtreeCache)();
    shapes().releaseChildShapes(cache.findAll(this.node));
    synthesis().validateApp(this, cache);
    const hasDependantCharts = synthesis().resolveAppDependencies(this, cache);
    const charts = synthesis().appCharts(this, cache);
    return { charts, hasDependantCharts, cache };
  }

  /**
   * Renders the files one at a time, in cdk8s's order, handing each to `emit` (and each folder
   * cdk8s creates even when empty to `folder`); returns the API objects.
   */
  private render(emitFile: EmitFile, emitFolder: (path: string) => void): ApiObject[] {
    // JSON a validation rendered (reviewOnSynth) is written as it is rather than rendered again.
    return withSharedObjectJson(() => this.renderShared(emitFile, emitFolder));
  }

  private renderShared(emitFile: EmitFile, emitFolder: (path: string) => void): ApiObject[] {
    const { charts, hasDependantCharts, cache } = this.prepare();
    const names = new Set<string>(); // file paths in order; a later file of the same name replaces an earlier one
    const folders: string[] = []; // created even when empty, as cdk8s does
    const emit = (file: string, produce: Produce): void => {
      names.add(file);
      emitFile(file, produce);
    };
    const folder = (name: string): void => {
      folders.push(name);
      emitFolder(name);
    };
    const ext = this.outputFileExtension;
    const perChart = charts.map((chart) => synthesis().chartApiObjects(chart, cache));
    this.synthesized = perChart.flat();
    if (this.folderPerNamespace) {
      for (const [file, items] of layout().namespaceFolderGroups(perChart.flat(), ext, this.folderPerWorkload)) {
        emit(file, (write) => {
          const doc = documentWriter(write);
          for (const item of items) doc(item instanceof ApiObject ? takeObjectJson(item) : item.manifest);
        });
      }
    } else {
      switch (this.yamlOutputType) {
        case YamlOutputType.FILE_PER_APP:
          if (charts.length > 0) emit(`app${ext}`, (write) => writeChartsYaml(charts, perChart, write));
          break;
        case YamlOutputType.FILE_PER_CHART: {
          const chartNames = synthesis().chartFileNames(charts, hasDependantCharts);
          charts.forEach((chart, i) => emit(`${chartNames[i]}${ext}`, (write) => writeChartsYaml([chart], [perChart[i]], write)));
          break;
        }
        case YamlOutputType.FILE_PER_RESOURCE:
          charts.forEach((chart, i) => {
            for (const m of chartManifests(chart, perChart[i])) {
              if (m !== undefined) emit(`${synthesis().resourceFileName(m)}${ext}`, (write) => write(manifestYaml().stringifyManifest(m)));
            }
          });
          break;
        case YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE: {
          const chartNames = synthesis().chartFileNames(charts, hasDependantCharts);
          charts.forEach((_, i) => {
            folder(chartNames[i]);
            for (const o of perChart[i]) {
              const name = synthesis().resourceFileName({ kind: o.kind, metadata: { name: o.metadata.name } });
              emit(`${chartNames[i]}/${name}${ext}`, (write) => write(manifestYaml().stringifyDocument(takeObjectJson(o))));
            }
          });
          break;
        }
        default:
          break;
      }
    }
    if (this.kustomization) {
      check(!names.has(kustomize().KUSTOMIZATION_FILE), this, {
        field: 'kustomization',
        value: true,
        problem: `clashes with a manifest file named ${kustomize().KUSTOMIZATION_FILE}`,
        fix: `rename the chart (its construct id) so no manifest file is named ${kustomize().KUSTOMIZATION_FILE}, or set kustomization: false`,
      });
      for (const [file, yaml] of kustomize().kustomizations([...names], folders)) emit(file, (write) => write(yaml));
    }
    return perChart.flat();
  }
}

/** Renders one output file, handing its text to `write` in pieces. */
type Produce = (write: (text: string) => void) => void;
type EmitFile = (file: string, produce: Produce) => void;

/**
 * Writes the YAML stream of the charts' manifests, as cdk8s writes it. Each object's JSON is
 * rendered, turned into YAML and handed on before the next, so both die young instead of being
 * promoted to the old generation as garbage: holding a whole chart's JSON and YAML until its file
 * was written made up most of the peak memory and of the garbage collector's time.
 */
function writeChartsYaml(charts: Chart[], perChart: ApiObject[][], write: (text: string) => void): void {
  const doc = documentWriter(write);
  charts.forEach((chart, i) => {
    if (chart.toJson !== Chart.prototype.toJson) for (const m of chart.toJson()) doc(m);
    else for (const o of perChart[i]) doc(takeObjectJson(o));
  });
}

/** Writes each manifest it is given as the next document of a YAML stream (`Yaml.stringify(...docs)`). */
function documentWriter(write: (text: string) => void): (manifest: unknown) => void {
  let first = true;
  return (manifest) => {
    write(first ? manifestYaml().stringifyDocument(manifest) : `---\n${manifestYaml().stringifyDocument(manifest)}`);
    first = false;
  };
}

/** The text `produce` writes, as one string. */
function collect(produce: Produce): string {
  const parts: string[] = [];
  produce((text) => parts.push(text));
  return parts.join('');
}

/**
 * The manifests of one chart, as `chart.toJson()` returns them. A chart class that overrides
 * `toJson()` is asked itself (cdk8s's slower whole-app path for that chart).
 */
function chartManifests(chart: Chart, objects: ApiObject[]): any[] {
  if (chart.toJson !== Chart.prototype.toJson) return chart.toJson();
  return objects.map((o) => takeObjectJson(o));
}
