import { ApiObject, App, Chart } from 'cdk8s';
import { Platform } from '../core/platform';
import { renderedJson } from '../core/rendered-json';
import { engine } from './entry';
import { formatTable } from './format';
import { assumptionsFromPlatform } from './platform';
import { ManifestDocument, ReviewOptions, ReviewReport } from './types';

/** Options of {@link reviewOnSynth}. */
export interface ReviewOnSynthOptions extends ReviewOptions {
  /**
   * Where warnings are printed (info findings are not; the CLI and the plugin show them).
   * @default - standard error
   */
  readonly log?: (text: string) => void;
}

/**
 * Reviews every object of every chart of `app`, as it would be written. The review assumes what the
 * app's Platform (`Platform.configure(app, ...)`) says, e.g. its allowed registries; `options.platform`
 * overrides it field by field.
 */
export function reviewApp(app: App, options: ReviewOptions = {}): ReviewReport {
  const documents: ManifestDocument[] = [];
  for (const chart of app.charts) {
    for (const object of chart.node.findAll()) {
      if (object instanceof ApiObject && Chart.of(object) === chart) documents.push({ object: renderedJson(object), file: chart.node.id });
    }
  }
  return engine().reviewDocuments(documents, {
    ...options,
    platform: { ...assumptionsFromPlatform(Platform.of(app)), ...options.platform },
  });
}

/**
 * Runs the review engine on every synthesized object when `app.synth()` runs: error findings fail
 * synthesis (nothing is written), warnings and info are printed.
 */
export function reviewOnSynth(app: App, options: ReviewOnSynthOptions = {}): void {
  const log = options.log ?? ((text: string) => process.stderr.write(text));
  app.node.addValidation({
    validate: () => {
      const report = reviewApp(app, options);
      const errors = report.findings.filter((f) => f.severity === 'error');
      const warnings = report.findings.filter((f) => f.severity === 'warning');
      if (warnings.length) log(formatTable({ ...report, findings: warnings }));
      return errors.map((f) => `${f.ruleId}: ${f.message}; fix: ${f.fix}`);
    },
  });
}
