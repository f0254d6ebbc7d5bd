import { MlApp, capacityReport, formatCapacityReport, formatReleaseReport, releaseReport, renderRunbook, reviewOnSynth } from '../src';
import { batchChart } from './batch';
import { llmChart } from './llm';
import { observabilityChart } from './observability';
import { configurePlatform, platformChart } from './platform';
import { queueChart } from './queue';
import { servingChart } from './serving';

// MlApp: byte-identical to cdk8s's App, linear in the number of charts. outdir: $CDK8S_OUTDIR (set by `cdk8s synth`), else dist;
// dist/ holds only manifests (for kubectl apply -f, Argo CD, Flux), the reports go beside it to reports/.
const app = new MlApp();
configurePlatform(app);
platformChart(app);
servingChart(app);
batchChart(app);
queueChart(app);
observabilityChart(app);
llmChart(app);
reviewOnSynth(app);
app.synth();
app.writeReport('RUNBOOK.md', renderRunbook(app));
app.writeReport('CAPACITY.md', formatCapacityReport(capacityReport(app)));
app.writeReport('RELEASES.md', formatReleaseReport(releaseReport(app)));
