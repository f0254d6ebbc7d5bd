/** Writes docs/rules/*.md from the rule metadata: `node -r ./scripts/register.js scripts/rule-docs.ts`. */
import * as fs from 'fs';
import * as path from 'path';
import { defaultRules } from '../src/review/rules';
import { renderRuleIndex, renderRulePage } from '../src/review/rule-pages';

const dir = path.join(__dirname, '..', 'docs', 'rules');
fs.mkdirSync(dir, { recursive: true });
for (const rule of defaultRules) fs.writeFileSync(path.join(dir, `${rule.id}.md`), renderRulePage(rule));
fs.writeFileSync(path.join(dir, 'README.md'), renderRuleIndex(defaultRules));
process.stdout.write(`wrote ${defaultRules.length + 1} pages to ${path.relative(process.cwd(), dir)}\n`);
