// Regenerates test/schemas/<project>-<tag>.json for the CRDs behind imports/ that have no
// kubernetes-models package: the openAPIV3Schema of the storage version, without descriptions.
// The tests validate our output against them offline (test/crd-schema.ts).
//
//   node scripts/crd-schemas.js [crd-dir]     (default: ../shared/crds, laid out as in its README)
const fs = require('fs');
const path = require('path');
const YAML = require('yaml');

const CRDS = [
  {
    project: 'jobset',
    tag: 'v0.12.0',
    repo: 'kubernetes-sigs/jobset',
    dir: 'jobset',
    upstream: 'config/components/crd/bases',
    files: ['jobset.x-k8s.io_jobsets.yaml'],
  },
  {
    project: 'lws',
    tag: 'v0.10.0',
    repo: 'kubernetes-sigs/lws',
    dir: 'lws',
    upstream: 'config/crd/bases',
    files: ['leaderworkerset.x-k8s.io_leaderworkersets.yaml'],
  },
  {
    project: 'inference-extension',
    tag: 'v1.6.0',
    repo: 'kubernetes-sigs/gateway-api-inference-extension',
    dir: 'inference-extension',
    upstream: 'config/crd/bases',
    files: ['inference.networking.k8s.io_inferencepools.yaml'],
  },
];

const root = process.argv[2] ?? path.join(__dirname, '..', '..', 'shared', 'crds');

function strip(schema) {
  if (Array.isArray(schema)) return schema.map(strip);
  if (!schema || typeof schema !== 'object') return schema;
  return Object.fromEntries(
    Object.entries(schema)
      .filter(([k]) => k !== 'description')
      .map(([k, v]) => [k, k === 'enum' || k === 'default' ? v : strip(v)]),
  );
}

for (const c of CRDS) {
  const out = { source: `https://github.com/${c.repo}/tree/${c.tag}/${c.upstream}`, schemas: {} };
  for (const file of c.files) {
    const crd = YAML.parse(fs.readFileSync(path.join(root, c.dir, file), 'utf8'));
    for (const version of crd.spec.versions.filter((v) => v.served)) {
      out.schemas[`${crd.spec.group}/${version.name}/${crd.spec.names.kind}`] = strip(version.schema.openAPIV3Schema);
    }
  }
  const target = path.join(__dirname, '..', 'test', 'schemas', `${c.project}-${c.tag}.json`);
  fs.writeFileSync(target, JSON.stringify(out) + '\n');
  console.log(`wrote ${path.relative(process.cwd(), target)} (${Object.keys(out.schemas).join(', ')})`);
}
