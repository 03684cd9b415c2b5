#!/usr/bin/env node
// npm run nls: moves package.json's display strings (names, titles, descriptions, walkthrough
// texts, welcome contents) into package.nls.json as %keys%, VS Code's convention for translating
// a manifest (package.nls.<locale>.json) without code changes. Idempotent: strings already a
// %key% stay; new ones get a key. `--check` fails when a string is not yet a key.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const pkgFile = join(root, 'package.json');
const nlsFile = join(root, 'package.nls.json');
const pkg = JSON.parse(readFileSync(pkgFile, 'utf8'));
let nls = {};
try {
  nls = JSON.parse(readFileSync(nlsFile, 'utf8'));
} catch {
  // first run
}
const check = process.argv.includes('--check');
const plain = [];

/** obj[prop] becomes %key% (its text into package.nls.json). */
function localise(obj, prop, key) {
  const v = obj?.[prop];
  if (typeof v !== 'string' || v === '') return;
  if (/^%[\w.-]+%$/.test(v)) return;
  plain.push(key);
  nls[key] = v;
  obj[prop] = `%${key}%`;
}
const short = (id) => id.replace(/^cockroachTls\./, '');

localise(pkg, 'displayName', 'displayName');
localise(pkg, 'description', 'description');
localise(pkg.capabilities?.untrustedWorkspaces, 'description', 'untrustedWorkspaces.description');
const c = pkg.contributes ?? {};
for (const cmd of c.commands ?? []) localise(cmd, 'title', `command.${short(cmd.command)}.title`);
for (const [where, list] of Object.entries(c.viewsContainers ?? {}))
  for (const v of list) localise(v, 'title', `viewsContainers.${where}.${short(v.id)}.title`);
for (const [where, list] of Object.entries(c.views ?? {})) for (const v of list) localise(v, 'name', `views.${where}.${short(v.id)}.name`);
(c.viewsWelcome ?? []).forEach((w, i) => localise(w, 'contents', `viewsWelcome.${short(w.view)}.${i}.contents`));
const configs = Array.isArray(c.configuration) ? c.configuration : c.configuration ? [c.configuration] : [];
configs.forEach((cfg, i) => {
  localise(cfg, 'title', `configuration.${i}.title`);
  for (const [name, p] of Object.entries(cfg.properties ?? {})) {
    localise(p, 'description', `config.${short(name)}.description`);
    localise(p, 'markdownDescription', `config.${short(name)}.markdownDescription`);
    (p.enumDescriptions ?? []).forEach((_, j) => localise(p.enumDescriptions, j, `config.${short(name)}.enumDescriptions.${j}`));
  }
});
for (const e of c.customEditors ?? []) localise(e, 'displayName', `customEditor.${short(e.viewType)}.displayName`);
for (const w of c.walkthroughs ?? []) {
  localise(w, 'title', `walkthrough.${short(w.id)}.title`);
  localise(w, 'description', `walkthrough.${short(w.id)}.description`);
  for (const s of w.steps ?? []) {
    localise(s, 'title', `walkthrough.${short(w.id)}.${s.id}.title`);
    localise(s, 'description', `walkthrough.${short(w.id)}.${s.id}.description`);
    localise(s.media, 'altText', `walkthrough.${short(w.id)}.${s.id}.altText`);
  }
}
if (check) {
  if (plain.length) {
    console.error(`package.json has ${plain.length} display strings outside package.nls.json (${plain.slice(0, 5).join(', ')}…): run npm run nls.`);
    process.exit(1);
  }
  console.log('package.json: every display string is a %key% of package.nls.json');
} else {
  writeFileSync(pkgFile, JSON.stringify(pkg, null, 2) + '\n');
  const sorted = Object.fromEntries(Object.entries(nls).sort(([a], [b]) => a.localeCompare(b)));
  writeFileSync(nlsFile, JSON.stringify(sorted, null, 2) + '\n');
  console.log(`package.nls.json: ${Object.keys(sorted).length} strings (${plain.length} new)`);
}
