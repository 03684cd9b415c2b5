#!/usr/bin/env node
// npm run test:unit / test:integration: every test file runs alone, in its own mocha process
// (without the other files' hooks, fixtures or leftovers), so that each passes when run alone.
// Usage: node scripts/test-alone.mjs unit [integration]   (after npm run build && npm run compile-tests)
// One file: npx mocha --no-config --timeout 120000 --enable-source-maps out/test/integration/x.test.js
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const kinds = process.argv.slice(2);
if (kinds.length === 0 || kinds.some((k) => !['unit', 'integration'].includes(k))) {
  console.error('usage: node scripts/test-alone.mjs unit|integration [...]');
  process.exit(2);
}
const failed = [];
let files = 0;
const t0 = Date.now();
for (const kind of kinds) {
  const rc = JSON.parse(readFileSync(`.mocharc.${kind}.json`, 'utf8'));
  const dir = join('out', 'test', kind);
  for (const f of readdirSync(dir)
    .filter((n) => n.endsWith('.test.js'))
    .sort()) {
    files++;
    const r = spawnSync(
      process.execPath,
      ['node_modules/mocha/bin/mocha.js', '--no-config', '--timeout', String(rc.timeout), '--enable-source-maps', join(dir, f)],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        maxBuffer: 256 * 1024 * 1024,
      },
    );
    const summary = /(\d+) passing[^\n]*(?:\n\s*(\d+) pending)?(?:\n\s*(\d+) failing)?/.exec(r.stdout ?? '');
    process.stdout.write(r.stdout + r.stderr);
    console.log(`[alone] ${kind}/${f}: exit ${r.status}${summary ? `, ${summary[1]} passing${summary[3] ? `, ${summary[3]} failing` : ''}` : ''}`);
    if (r.status !== 0) failed.push(`${kind}/${f}`);
  }
}
console.log(`[alone] ${files} files, ${failed.length} failed, ${((Date.now() - t0) / 1000).toFixed(0)} s${failed.length ? `: ${failed.join(', ')}` : ''}`);
process.exit(failed.length ? 1 : 0);
