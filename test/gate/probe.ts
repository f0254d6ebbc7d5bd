import { MISTAKES } from './mistakes';
import { judge } from './corpus';
const counts: Record<string, number> = {};
for (const m of MISTAKES) {
  const r = judge(m);
  counts[r.outcome] = (counts[r.outcome] ?? 0) + 1;
  if (r.outcome !== 'rejected-clearly') console.log(`${r.outcome.padEnd(18)} ${m.id} [${m.prop}]${r.why ? ` -- ${r.why}` : ''}${r.message ? `\n      ${r.message.split('\n')[0].slice(0, 300)}` : ''}`);
}
console.log(MISTAKES.length, counts);
import { builders, synthError } from './corpus';
for (const [k, b] of Object.entries(builders)) {
  const e = synthError((c) => b.build(c, 'w'));
  if (e) console.log('BASE INVALID', k, e.message.slice(0, 300));
}
