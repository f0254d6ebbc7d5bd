/**
 * `npm run corpus-report`: precision and recall of the review engine on the public ML corpus
 * (test/review/corpus, hand-reviewed expectations in expected.yaml). `--details` lists every finding
 * judged false and every expected problem the engine misses.
 */
import { CorpusReport, evaluateCorpus, ratio } from '../test/review/corpus-evaluation';

function print(report: CorpusReport, details: boolean): void {
  const findings = report.files.flatMap((f) => f.findings);
  const notes = findings.filter((f) => f.verdict.kind === 'note').length;
  const lines = [
    `Corpus: ${report.files.length} files, ${findings.length - notes} findings (+${notes} "kind not known" notes, not counted)`,
    `Precision (true findings / all findings): ${ratio(report.precision.overall)}`,
    `  true = ${findings.filter((f) => f.verdict.kind === 'expected').length} matching a problem listed by hand + ${findings.filter((f) => f.verdict.kind === 'accepted').length} generic findings (NetworkPolicy, token, restricted profile, tag-only image) checked per file`,
    `  error:   ${ratio(report.precision.bySeverity.error)}`,
    `  warning: ${ratio(report.precision.bySeverity.warning)}`,
    `  info:    ${ratio(report.precision.bySeverity.info)}`,
    `Recall, must-flag problems (server without readiness, unplaced GPU pod, missing resources in a CRD pod template, unsafe autoscaling, missing /dev/shm, processes vs GPUs): ${ratio(report.recall.mustFlag)}`,
    `Recall, every expected problem a rule covers: ${ratio(report.recall.allCovered)}`,
    `True findings graded more severely than the hand review: ${report.overGraded}`,
  ];
  if (details) {
    lines.push('', 'False positives:');
    for (const file of report.files) {
      for (const f of file.findings) {
        if (f.verdict.kind === 'false-positive')
          lines.push(`  ${file.file}  ${f.object}  ${f.ruleId} ${f.severity}: ${f.message.slice(0, 120)}  [${f.verdict.reason}]`);
      }
    }
    lines.push('', 'Missed expected problems:');
    for (const file of report.files) {
      for (const e of file.expected) {
        if (!e.flagged)
          lines.push(
            `  ${file.file}  ${e.problem.object}  ${e.problem.rule}${e.problem.mustFlag ? ' (must-flag)' : ''}${e.problem.knownGap ? ` known gap: ${e.problem.knownGap}` : ''}`,
          );
      }
    }
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

print(evaluateCorpus(), process.argv.includes('--details'));
