import * as fc from 'fast-check';

/**
 * Values the Kubernetes API server refuses, per kind of field (apimachinery's validation: DNS-1123/1035 names,
 * qualified names, label values, CIDRs, ports, env names, field paths, quantities, ...). Each category mixes the
 * classic mistakes with generated ones (a valid value with one bad character, a valid value one character too
 * long), so a property run covers more than a fixed table. Reusable outside the cluster suite.
 */
export type Category =
  | 'dns1123Label'
  | 'dns1123Subdomain'
  | 'dns1035Label'
  | 'labelKey'
  | 'labelValue'
  | 'cidr'
  | 'port'
  | 'envName'
  | 'fieldPath'
  | 'quantity'
  | 'configKey'
  | 'replicas'
  | 'uid'
  | 'extendedResource'
  | 'cron'
  | 'timeZone';

/** Hand-picked values the API server refuses, by category (each is a mistake seen in real manifests). */
export const INVALID: Record<Category, readonly (string | number)[]> = {
  dns1123Label: ['Bad_Name', 'UPPER', '-lead', 'trail-', 'has.dot', 'a'.repeat(64), 'sp ace'],
  dns1123Subdomain: [
    'Bad_Name',
    '-lead',
    'a..b',
    `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}`,
    'sp ace',
    'slash/name',
  ],
  dns1035Label: ['1abc', 'Bad_Name', '-lead', 'a'.repeat(64), 'has.dot'],
  labelKey: ['bad key', '-lead', 'a'.repeat(64), 'Example.com/x', 'ex/am/ple', '/x', 'a/', 'ex_ample.com/x'],
  labelValue: ['has space', '-lead', 'trail-', 'a'.repeat(64), 'a/b', 'a:b'],
  cidr: ['10.0.0.0/33', '300.0.0.0/8', '10.0.0.0', '10.0.0.0/-1', '10.0.0/8', '2001:db8::/129', '2001:db8:::/64', 'fe80::1/64x', '::/200'],
  port: [0, -1, 65536, 70000, 1.5],
  envName: ['1ABC', 'A B', 'A=B', 'A$B', ''],
  fieldPath: ['metadata.bogus', 'spec.containers[0].image', "metadata.labels['bad key']", 'status.phase', 'metadata.annotations'],
  quantity: ['1.5.5', 'abc', '-1', '1Zi', '10 Gi', '1e1000', '0.5.Gi'],
  configKey: ['bad key', 'a/b', '', '..', 'a'.repeat(254)],
  replicas: [-1, 1.5, 2 ** 31],
  uid: [-1, 2 ** 31, 1.5],
  extendedResource: ['gpu', 'nvidia.com/', 'Nvidia.com/gpu', 'kubernetes.io/gpu', 'nvidia.com/g p u'],
  cron: ['61 * * * *', '* * *', 'every day', '0 0 31 2 * *'],
  timeZone: ['Mars/Olympus', 'Europe/Nowhere', 'UTC+2', ' Europe/Berlin'],
};

/** A value of each category the API server accepts (each mutation's app with it must pass synth and the server). */
export const VALID: Record<Category, string | number> = {
  dns1123Label: 'valid-name',
  dns1123Subdomain: 'valid.name',
  dns1035Label: 'valid',
  labelKey: 'example.com/key',
  labelValue: 'value',
  cidr: '10.1.0.0/16',
  port: 8443,
  envName: 'VALID_NAME',
  fieldPath: 'metadata.name',
  quantity: '2',
  configKey: 'key',
  replicas: 3,
  uid: 1000,
  extendedResource: 'example.com/device',
  cron: '0 2 * * *',
  timeZone: 'Europe/Berlin',
};

/** Valid values that some checks get wrong (false-positive probes): the API server accepts every one. */
export const VALID_PROBES: Partial<Record<Category, readonly (string | number)[]>> = {
  cidr: ['2001:db8::/32', 'fd00::/8', '10.0.0.0/8', '0.0.0.0/0', '::/0'],
  uid: [0, 2 ** 31 - 1],
  labelValue: ['', 'A.b_c-9'],
  labelKey: ['example.com/a.b_c-9', 'A'],
  envName: ['_a', 'a.b-c'],
};

const BAD_CHARS = ['_', ' ', '/', '.', 'A', '%', ':', '-'];
const LIMITS: Partial<Record<Category, number>> = { dns1123Label: 63, dns1035Label: 63, labelValue: 63, dns1123Subdomain: 253 };

/** A valid name with one bad character inserted, or a valid name one character over the limit. */
function mutatedName(category: Category): fc.Arbitrary<string> {
  const valid = fc.stringMatching(/^[a-z][a-z0-9]{2,12}$/);
  const inserted = fc.tuple(valid, fc.constantFrom(...BAD_CHARS), fc.nat()).map(([v, c, i]) => {
    const at = i % (v.length + 1);
    return `${v.slice(0, at)}${c}${v.slice(at)}`;
  });
  const limit = LIMITS[category];
  const tooLong = limit ? fc.constant('a'.repeat(limit + 1)) : fc.constant('a'.repeat(300));
  return fc.oneof(inserted, tooLong);
}

/**
 * Values of `category` the API server refuses (the hand-picked ones and generated ones). Generated values can be
 * valid for lenient categories (`labelValue` allows `.` and `_`), so a caller checks the API server's answer, never
 * assumes a refusal.
 */
export function invalidValue(category: Category): fc.Arbitrary<string | number> {
  const picked = fc.constantFrom(...INVALID[category]);
  switch (category) {
    case 'dns1123Label':
    case 'dns1123Subdomain':
    case 'dns1035Label':
    case 'labelValue':
      return fc.oneof({ weight: 2, arbitrary: picked }, { weight: 1, arbitrary: mutatedName(category) });
    case 'port':
      return fc.oneof(picked, fc.integer({ min: 65536, max: 10 ** 6 }), fc.integer({ min: -1000, max: 0 }));
    case 'replicas':
    case 'uid':
      return fc.oneof(picked, fc.integer({ min: -1000, max: -1 }));
    default:
      return picked;
  }
}
