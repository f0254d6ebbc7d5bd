import {
  MlApp,
  capacityReport,
  formatCapacityReport,
  formatReleaseReport,
  poolUsage,
  prerequisites,
  releaseReport,
  renderRunbook,
  reviewOnSynth,
} from '../src';
import { exampleCharts } from './charts';

// MlApp: byte-identical to cdk8s's App, linear in the number of charts. outdir: $CDK8S_OUTDIR (set by `cdk8s synth`), else dist;
// dist/ holds only manifests (for kubectl apply -f, Argo CD, Flux), the reports go beside it to reports/.
const app = new MlApp();
exampleCharts(app);
reviewOnSynth(app);
app.synth();
app.writeReport('RUNBOOK.md', renderRunbook(app));
// CAPACITY.md: the most each workload claims, what the floors take from each node pool, and the prerequisites.
app.writeReport('CAPACITY.md', formatCapacityReport(capacityReport(app), { pools: poolUsage(app), prerequisites: prerequisites(app) }));
app.writeReport('RELEASES.md', formatReleaseReport(releaseReport(app)));
