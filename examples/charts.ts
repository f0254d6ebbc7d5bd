import { Construct } from 'constructs';
import { PlatformConventions } from '../src';
import { batchChart } from './batch';
import { llmChart } from './llm';
import { observabilityChart } from './observability';
import { configurePlatform, platformChart } from './platform';
import { queueChart } from './queue';
import { servingChart } from './serving';

/** Every example chart below `app`, with the platform team's conventions (what `npm run synth` writes to dist/; `overrides`: for tests). */
export function exampleCharts(app: Construct, overrides: PlatformConventions = {}): void {
  configurePlatform(app, overrides);
  platformChart(app);
  servingChart(app);
  batchChart(app);
  queueChart(app);
  observabilityChart(app);
  llmChart(app);
}
