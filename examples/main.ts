import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { capacityReport, formatCapacityReport, formatReleaseReport, releaseReport, reviewOnSynth } from '../src';
import { configurePlatform, platformChart } from './platform';
import { batchChart } from './batch';
import { queueChart } from './queue';
import { servingChart } from './serving';

const app = new App({ outdir: 'dist' });
configurePlatform(app);
platformChart(app);
servingChart(app);
batchChart(app);
queueChart(app);
reviewOnSynth(app);
app.synth();
fs.writeFileSync(path.join(app.outdir, 'CAPACITY.md'), formatCapacityReport(capacityReport(app)));
fs.writeFileSync(path.join(app.outdir, 'RELEASES.md'), formatReleaseReport(releaseReport(app)));
