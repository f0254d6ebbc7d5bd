// The cdk8s validation plugin alone (the review engine, without the constructs or cdk8s-plus):
// in a consumer's cdk8s.yaml, `package: ./node_modules/cdk8s-ml/review-plugin`, `class: MlReviewValidation`.
// The package runs the compiled lib/; a source checkout (src/ present, never packed) runs its
// TypeScript through the transpile-only hook, so it never runs a stale build.
const fs = require('fs');
const path = require('path');

const source = path.join(__dirname, '..', 'src', 'review', 'plugin.ts');
module.exports = fs.existsSync(source) ? (require('../scripts/register.js'), require(source)) : require('../lib/src/review/plugin.js');
