import { App } from 'cdk8s';
import { reviewOnSynth } from '../src';
import { servingChart } from './serving';

const app = new App({ outdir: 'dist' });
servingChart(app);
reviewOnSynth(app);
app.synth();
