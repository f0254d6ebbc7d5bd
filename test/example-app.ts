import { App, Testing } from 'cdk8s';
import { batchChart } from '../examples/batch';
import { llmChart } from '../examples/llm';
import { observabilityChart } from '../examples/observability';
import { configurePlatform, platformChart } from '../examples/platform';
import { queueChart } from '../examples/queue';
import { servingChart } from '../examples/serving';

/** The examples as examples/main.ts builds them (without writing files). */
export function exampleApp(): App {
  const app = Testing.app();
  configurePlatform(app);
  platformChart(app);
  servingChart(app);
  batchChart(app);
  queueChart(app);
  observabilityChart(app);
  llmChart(app);
  return app;
}
