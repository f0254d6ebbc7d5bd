import { Construct } from 'constructs';
import { batchChart } from './batch';
import { llmChart } from './llm';
import { observabilityChart } from './observability';
import { configurePlatform, platformChart } from './platform';
import { queueChart } from './queue';
import { servingChart } from './serving';

/** Every example chart below `app`, with the platform team's conventions (what `npm run synth` writes to dist/). */
export function exampleCharts(app: Construct): void {
  configurePlatform(app);
  platformChart(app);
  servingChart(app);
  batchChart(app);
  queueChart(app);
  observabilityChart(app);
  llmChart(app);
}
