import { Mistake, Outcome, judge, synthError } from './corpus';
import { MISTAKES } from './mistakes';
import { API_FIELDS, SEMANTICS } from './mistakes-semantics';
import { VALID } from './valid';

/*
 * The gate's corpus: one-mistake apps across every construct and platform setting, each with what the
 * cluster would do. Every mistake must be rejected at synth with a message naming the construct path,
 * the prop and a fix; every valid-but-unusual app must synthesize.
 */

const ALL: Mistake[] = [...MISTAKES, ...SEMANTICS, ...API_FIELDS];
const results = ALL.map((m) => ({ m, ...judge(m) }));

test('the corpus is large and says what the cluster would do for every mistake', () => {
  expect(ALL.length).toBeGreaterThanOrEqual(300);
  for (const m of ALL) expect(m.cluster.length).toBeGreaterThan(10);
  expect(new Set(ALL.map((m) => m.id)).size).toBe(ALL.length);
});

test('0 accepted mistakes and 0 unclear rejections', () => {
  const counts: Record<Outcome, number> = { 'rejected-clearly': 0, 'rejected-unclearly': 0, accepted: 0 };
  for (const r of results) counts[r.outcome]++;
  const bad = results
    .filter((r) => r.outcome !== 'rejected-clearly')
    .map((r) => `${r.outcome}: ${r.m.id} [${r.m.prop}] ${r.why ?? ''}\n  ${r.message?.split('\n')[0] ?? ''}`);
  // The figures reported in the README and the closing note.
  console.log(
    `gate corpus: ${ALL.length} mistakes: ${counts['rejected-clearly']} rejected clearly, ${counts['rejected-unclearly']} unclearly, ${counts.accepted} accepted`,
  );
  expect(bad).toEqual([]);
});

describe('each family goes through every construct that accepts it', () => {
  const families = [...new Set(ALL.map((m) => m.family))];
  test.each(families)('%s', (family) => {
    const cases = results.filter((r) => r.m.family === family);
    const constructs = [...new Set(cases.map((r) => r.m.construct))].sort();
    expect(cases.every((r) => r.outcome === 'rejected-clearly')).toBe(true);
    // Every family reaches more than one construct: the gate, not one entry point, closes it.
    expect(constructs.length).toBeGreaterThan(1);
  });

  test('a mistake fed through one construct is fed through every workload construct that has the prop', () => {
    const byName = new Map<string, Set<string>>();
    for (const m of ALL) {
      const name = m.id.replace(/ \([a-zA-Z]+\)$/, '');
      byName.set(name, new Set([...(byName.get(name) ?? []), m.construct]));
    }
    // The pod-level families reach all five workload constructs.
    for (const name of [
      'env secret name with an underscore',
      'imagePullSecrets entry with an underscore',
      'priorityClassName in upper case',
      'toleration key with a space',
      'egress CIDR with a /33 prefix',
      'egress port 70000',
      'label value with a space',
    ])
      expect([...byName.get(name)!].sort()).toEqual(
        expect.arrayContaining(['BatchScoringJob', 'GpuTrainingJob', 'MultiHostInference', 'OnlineInference', 'QueueWorker']),
      );
  });
});

test('0 false positives: every valid-but-unusual app synthesizes', () => {
  expect(VALID.length).toBeGreaterThanOrEqual(50);
  const refused = VALID.map((v) => ({ v, e: synthError(v.build) }))
    .filter((x) => x.e)
    .map((x) => `${x.v.id}: ${x.e!.message.split('\n')[0]}`);
  expect(refused).toEqual([]);
});
