// Removes the given folders (the build output before a fresh build): `node scripts/clean.js lib`.
const fs = require('fs');

for (const dir of process.argv.slice(2)) fs.rmSync(dir, { recursive: true, force: true });
