import { App } from 'cdk8s';
import { servingChart } from './serving';

const app = new App({ outdir: 'dist' });
servingChart(app);
app.synth();
