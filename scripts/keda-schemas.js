// Regenerates test/schemas/keda-v2.20.2.json: the openAPIV3Schema of each KEDA CRD (the CRDs
// behind imports/keda-*), without descriptions. @kubernetes-models/keda 0.4.2 predates fields
// KEDA 2.20 has (initialCooldownPeriod, fallback.behavior, podIdentity.roleArn, ...) and accepts
// unknown fields, so the tests also validate against these schemas.
//
//   node scripts/keda-schemas.js [crd-dir]     (default: ../shared/crds/keda)
//
// The ScaledJob's pod template is left out (it is most of that CRD); the tests validate
// jobTargetRef as a batch/v1 Job with kubernetes-models instead.
const fs = require('fs');
const path = require('path');
const YAML = require('yaml');

const VERSION = 'v2.20.2';
const dir = process.argv[2] ?? path.join(__dirname, '..', '..', 'shared', 'crds', 'keda');
const files = [
  'keda.sh_scaledobjects.yaml',
  'keda.sh_scaledjobs.yaml',
  'keda.sh_triggerauthentications.yaml',
  'keda.sh_clustertriggerauthentications.yaml',
];

function strip(schema) {
  if (Array.isArray(schema)) return schema.map(strip);
  if (!schema || typeof schema !== 'object') return schema;
  return Object.fromEntries(
    Object.entries(schema)
      .filter(([k]) => k !== 'description')
      .map(([k, v]) => [k, k === 'enum' || k === 'default' ? v : strip(v)]),
  );
}

const out = { source: `https://github.com/kedacore/keda/tree/${VERSION}/config/crd/bases`, schemas: {} };
for (const file of files) {
  const crd = YAML.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
  const version = crd.spec.versions.find((v) => v.storage);
  const schema = strip(version.schema.openAPIV3Schema);
  if (crd.spec.names.kind === 'ScaledJob') {
    schema.properties.spec.properties.jobTargetRef.properties.template = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  }
  out.schemas[`${crd.spec.group}/${version.name}/${crd.spec.names.kind}`] = schema;
}
const target = path.join(__dirname, '..', 'test', 'schemas', `keda-${VERSION}.json`);
fs.mkdirSync(path.dirname(target), { recursive: true });
fs.writeFileSync(target, JSON.stringify(out) + '\n');
console.log(`wrote ${path.relative(process.cwd(), target)} (${Object.keys(out.schemas).join(', ')})`);
