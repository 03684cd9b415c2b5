#!/usr/bin/env node
// npm version's "version" step: the CHANGELOG's "## [Unreleased]" section becomes the release
// that package.json now names ("## [1.2.0] - 2026-12-01"), under a fresh empty Unreleased.
// (`crdb-tls --version` takes package.json's version at build time: src/cli/version.ts.)
// Usage: node scripts/changelog-version.mjs [CHANGELOG.md] [version] [YYYY-MM-DD]
import { readFileSync, writeFileSync } from 'node:fs';

const file = process.argv[2] ?? 'CHANGELOG.md';
const version = process.argv[3] ?? process.env.npm_package_version ?? JSON.parse(readFileSync('package.json', 'utf8')).version;
const date = process.argv[4] ?? new Date().toISOString().slice(0, 10);
const text = readFileSync(file, 'utf8');
if (!/^## \[Unreleased\][ \t]*$/m.test(text)) {
  console.error(`${file} has no "## [Unreleased]" heading: add one above the changes of this release.`);
  process.exit(1);
}
if (new RegExp(`^## \\[${version.replace(/\./g, '\\.')}\\]`, 'm').test(text)) {
  console.error(`${file} already has a section for ${version}.`);
  process.exit(1);
}
writeFileSync(file, text.replace(/^## \[Unreleased\][ \t]*$/m, `## [Unreleased]\n\n## [${version}] - ${date}`));
console.log(`${file}: Unreleased is now ${version} (${date})`);
