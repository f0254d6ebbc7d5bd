import { App, Testing } from 'cdk8s';
import { exampleCharts } from '../examples/charts';

/** The examples as examples/main.ts builds them (without writing files). */
export function exampleApp(): App {
  const app = Testing.app();
  exampleCharts(app);
  return app;
}
