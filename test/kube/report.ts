import * as fs from 'fs';
import * as path from 'path';
import { STAND_INS } from './stand-ins';

/** Where each cluster suite writes its figures; global-teardown.js turns them into reports/cluster-test.md. */
export const REPORT_DIR = path.resolve(__dirname, '..', '..', 'reports', 'cluster-test');

/** Records one suite's figures and the stand-ins it used, for the run's report. */
export function recordSection(suite: string, figures: Record<string, unknown>, notes: string[] = []): void {
  fs.mkdirSync(REPORT_DIR, { recursive: true });
  fs.writeFileSync(path.join(REPORT_DIR, `${suite}.json`), `${JSON.stringify({ suite, figures, notes, standIns: STAND_INS }, null, 2)}\n`);
}
