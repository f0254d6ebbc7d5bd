import { MlApp } from '../src';
import { servingChart } from './serving';

// MlApp: byte-identical to cdk8s's App, linear in the number of charts. outdir: $CDK8S_OUTDIR (set by `cdk8s synth`), else dist.
const app = new MlApp();
servingChart(app);
app.synth();
