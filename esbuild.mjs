// Bundles the extension (vscode external) and the CLI into dist/.
import * as esbuild from 'esbuild';
import { readFileSync } from 'node:fs';

// `crdb-tls --version` (src/cli/version.ts): package.json's version, written into the bundle.
const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));

const watch = process.argv.includes('--watch');
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  minify: !watch,
  logLevel: 'warning',
  // pg optionally requires pg-native; we never use it.
  external: ['pg-native'],
  // import() of an external module becomes a lazy require(), which every extension host runs.
  supported: { 'dynamic-import': false },
};

// node-forge (issuing) and pg (connection tests) are big and needed only by some commands: the
// extension and the CLI load them from their own bundles in dist/vendor/ on first use, so neither
// activation nor a `cert create-*` parses pg. Everything else is bundled: the .vsix and the npm
// package (`npm pack`: dist/cli.js + dist/vendor/) run without node_modules.
const VENDOR = ['node-forge', 'pg'];
const vendorExternal = {
  name: 'vendor-external',
  setup(build) {
    build.onResolve({ filter: new RegExp(`^(${VENDOR.join('|')})$`) }, (args) => ({ path: `./vendor/${args.path}.js`, external: true }));
  },
};

const builds = [
  { ...common, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', external: [...common.external, 'vscode'], plugins: [vendorExternal] },
  ...VENDOR.map((name) => ({ ...common, entryPoints: [name], outfile: `dist/vendor/${name}.js`, sourcemap: false })),
  {
    ...common,
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/cli.js',
    banner: { js: '#!/usr/bin/env node' },
    plugins: [vendorExternal],
    define: { CRDB_TLS_VERSION: JSON.stringify(version) },
  },
];

if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
