import * as fs from 'fs';

const { renderApiReport, REPORT } = require('../scripts/api-report') as { renderApiReport: () => string; REPORT: string };

test('the public API is the one recorded in api/cdk8s-ml.api.md (after an intended change: `npm run api`, commit the report)', () => {
  const recorded = fs.readFileSync(REPORT, 'utf8');
  const current = renderApiReport();
  if (current === recorded) return;
  const before = new Set(recorded.split('\n'));
  const after = new Set(current.split('\n'));
  const removed = [...before].filter((l) => !after.has(l)).map((l) => `- ${l}`);
  const added = [...after].filter((l) => !before.has(l)).map((l) => `+ ${l}`);
  throw new Error(
    `The public API (src/index.ts) differs from ${REPORT}:\n${[...removed, ...added].slice(0, 60).join('\n')}\n\nIf the change is intended, run \`npm run api\` and commit the report.`,
  );
}, 120_000);
