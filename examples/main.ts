import * as fs from 'fs';
import * as path from 'path';
import { MlApp, capacityReport, formatCapacityReport, formatReleaseReport, releaseReport, reviewOnSynth, writeRunbook } from '../src';
import { batchChart } from './batch';
import { observabilityChart } from './observability';
import { configurePlatform, platformChart } from './platform';
import { queueChart } from './queue';
import { servingChart } from './serving';

// MlApp: byte-identical to cdk8s's App, linear in the number of charts. outdir: $CDK8S_OUTDIR (set by `cdk8s synth`), else dist.
const app = new MlApp();
configurePlatform(app);
platformChart(app);
servingChart(app);
batchChart(app);
queueChart(app);
observabilityChart(app);
reviewOnSynth(app);
app.synth();
writeRunbook(app);
fs.writeFileSync(path.join(app.outdir, 'CAPACITY.md'), formatCapacityReport(capacityReport(app)));
fs.writeFileSync(path.join(app.outdir, 'RELEASES.md'), formatReleaseReport(releaseReport(app)));
