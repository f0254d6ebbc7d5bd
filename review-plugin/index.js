// cdk8s validation plugin: loads the review engine from this repository's TypeScript sources.
require('../scripts/register.js');
module.exports = require('../src/review/plugin.ts');
