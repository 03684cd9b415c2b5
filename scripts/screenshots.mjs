#!/usr/bin/env node
// npm run screenshots: runs the e2e suite (the real UI in VS Code's web workbench, driven by
// playwright-core and Debian's Chromium) and copies its screenshots of each feature into
// media/screenshots/, which the README and the Get Started walkthrough show.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** media/screenshots/<name> ← test-artifacts/e2e/<shot>: the step of test/e2e/run.mjs that takes it. */
export const SHOTS = {
  'tree.png': '02-clusters-view.png',
  'notifications.png': '03-notifications.png',
  'tooltip.png': '04-tooltip.png',
  'viewer.png': '07-certificate-viewer.png',
  'problems.png': '09-connection-strings.png',
  'hover.png': '09a-connection-hover.png',
  'changefeed.png': '09b-changefeed-builder.png',
  'cloud.png': '09c-cloud-clusters.png',
  'fleet-plan.png': '09d-fleet-plan.png',
  'fleet.png': '09d-fleet-rotation.png',
  'welcome.png': '10-welcome.png',
};

if (!process.argv.includes('--copy-only')) {
  const r = spawnSync(process.execPath, [join(root, 'test', 'e2e', 'run.mjs')], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
const out = join(root, 'media', 'screenshots');
mkdirSync(out, { recursive: true });
const missing = [];
for (const [name, shot] of Object.entries(SHOTS)) {
  const from = join(root, 'test-artifacts', 'e2e', shot);
  if (!existsSync(from)) {
    missing.push(shot);
    continue;
  }
  copyFileSync(from, join(out, name));
  console.log(`media/screenshots/${name} ← test-artifacts/e2e/${shot}`);
}
if (missing.length) {
  console.error(`the e2e run took no ${missing.join(', ')}: see test/e2e/run.mjs`);
  process.exit(1);
}
