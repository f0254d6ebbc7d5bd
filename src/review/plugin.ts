import { isKustomizeConfig, parseManifests } from './load';
import { reviewDocuments } from './engine';
import { ReviewOptions } from './types';

/** What cdk8s-cli hands a validation plugin (structural: the CLI is not a runtime dependency). */
export interface PluginContext {
  readonly manifests: readonly string[];
  readonly report: {
    addViolation(v: {
      ruleName: string;
      recommendation: string;
      fix: string;
      violatingResources: { resourceName: string; locations: string[]; manifestPath: string }[];
    }): void;
    submit(status: 'success' | 'failure', metadata?: Record<string, string>): void;
  };
}

/** Properties of the plugin, from `cdk8s.yaml` (`validations[].properties`). */
export interface MlReviewValidationProperties extends ReviewOptions {
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
  constructor(private readonly properties: MlReviewValidationProperties = {}) {}

  /** Reviews the synthesized manifests and reports one violation per finding. */
  public async validate(context: PluginContext): Promise<void> {
    const fs = await import('fs');
    // cdk8s synth hands over every .yaml file of the output, kustomize configs included: not objects.
    const manifests = context.manifests.filter((file) => !isKustomizeConfig(file));
    const loaded = manifests.map((file) => parseManifests(fs.readFileSync(file, 'utf8'), file));
    const report = reviewDocuments(
      loaded.flatMap((l) => l.documents),
      this.properties,
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
