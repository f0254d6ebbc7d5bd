import { engine, loader } from './entry';
import { APP_PLATFORM_FILE, PlatformAssumptions } from './platform';
import { ReviewOptions } from './types';

/** What cdk8s-cli hands a validation plugin (structural: the CLI is not a runtime dependency). */
export interface PluginContext {
  /** Paths of the YAML files `cdk8s synth` wrote (kustomization files are skipped). */
  readonly manifests: readonly string[];
  /** Where the plugin reports to cdk8s-cli. */
  readonly report: {
    /** Records one violation: a finding's rule and severity, message, fix and the object and field it is about. */
    addViolation(v: {
      ruleName: string;
      recommendation: string;
      fix: string;
      violatingResources: { resourceName: string; locations: string[]; manifestPath: string }[];
    }): void;
    /** Ends the report: `failure` fails `cdk8s synth`; `metadata` carries the counts per severity. */
    submit(status: 'success' | 'failure', metadata?: Record<string, string>): void;
  };
}

/** Properties of the plugin, from `cdk8s.yaml` (`validations[].properties`). */
export interface MlReviewValidationProperties extends ReviewOptions {
  /**
   * The app's platform assumptions (allowed registries) as `MlApp` writes them when `cdk8s synth` runs
   * validations; `platform` overrides them field by field.
   * @default - `cdk8s-ml-platform.json` in `reports/` beside the output folder named in `cdk8s.yaml` (`output`, default `dist`)
   */
  readonly platformFile?: string;
  /**
   * Lowest severity that fails the validation.
   * @default 'error'
   */
  readonly failOn?: 'error' | 'warning';
}

/**
 * The review engine as a cdk8s validation plugin: `cdk8s synth` prints the report and fails on
 * error findings. Configure it in `cdk8s.yaml` under `validations:` (see README).
 */
export class MlReviewValidation {
  /** cdk8s-cli creates the plugin with the `properties` of its `validations` entry in `cdk8s.yaml`. */
  constructor(private readonly properties: MlReviewValidationProperties = {}) {}

  /** Reviews the synthesized manifests and reports one violation per finding. */
  public async validate(context: PluginContext): Promise<void> {
    const fs = await import('fs');
    const { isKustomizeConfig, parseManifests } = loader();
    // cdk8s synth hands over every .yaml file of the output, kustomize configs included: not objects.
    const manifests = context.manifests.filter((file) => !isKustomizeConfig(file));
    const loaded = manifests.map((file) => parseManifests(fs.readFileSync(file, 'utf8'), file));
    const fromApp = appPlatform(fs, await import('path'), this.properties.platformFile);
    const report = engine().reviewDocuments(
      loaded.flatMap((l) => l.documents),
      { ...this.properties, platform: { ...fromApp, ...this.properties.platform } },
      loaded.flatMap((l) => l.problems),
    );
    const failing = this.properties.failOn === 'warning' ? ['error', 'warning'] : ['error'];
    // Info findings are counted in the summary, not listed as violations.
    for (const f of report.findings.filter((x) => x.severity !== 'info')) {
      context.report.addViolation({
        ruleName: `${f.ruleId} (${f.severity})`,
        recommendation: f.message,
        fix: f.fix,
        violatingResources: [
          {
            resourceName: `${f.kind}/${f.namespace ? `${f.namespace}/` : ''}${f.name}`,
            // The offending field, as a JSON path with its line in the manifest.
            locations: [f.path !== undefined ? `${f.path}${f.line !== undefined ? ` (line ${f.line})` : ''}` : f.ruleId],
            manifestPath: f.file ?? '',
          },
        ],
      });
    }
    const failed = report.findings.some((f) => failing.includes(f.severity));
    context.report.submit(failed ? 'failure' : 'success', {
      errors: String(report.counts.error),
      warnings: String(report.counts.warning),
      info: String(report.counts.info),
    });
  }
}

/**
 * The platform assumptions the app wrote for the plugin: `file`, else `reports/cdk8s-ml-platform.json`
 * beside the output folder `cdk8s.yaml` names (the plugin runs in the project folder). None when absent.
 */
function appPlatform(fs: typeof import('fs'), path: typeof import('path'), file?: string): PlatformAssumptions {
  let at = file;
  if (at === undefined) {
    let output = 'dist';
    try {
      const match = /^output:\s*['"]?([^'"#\s]+)/m.exec(fs.readFileSync('cdk8s.yaml', 'utf8'));
      if (match) output = match[1];
    } catch {
      // no cdk8s.yaml: the default output folder
    }
    at = path.join(output, '..', 'reports', APP_PLATFORM_FILE);
  }
  try {
    return JSON.parse(fs.readFileSync(at, 'utf8')) as PlatformAssumptions;
  } catch {
    if (file !== undefined) throw new Error(`MlReviewValidation: cannot read platformFile ${file}`);
    return {};
  }
}
