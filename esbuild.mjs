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

// node-forge (issuing), pg (connection tests) and yaml (fleet inventories) are big and needed only by some commands: the
// extension and the CLI load them from their own bundles in dist/vendor/ on first use, so neither
// activation nor a `cert create-*` parses pg. Everything else is bundled: the .vsix and the npm
// package (`npm pack`: dist/cli.js + dist/vendor/) run without node_modules.
const VENDOR = ['node-forge', 'pg', 'yaml'];
const vendorExternal = {
  name: 'vendor-external',
  setup(build) {
    build.onResolve({ filter: new RegExp(`^(${VENDOR.join('|')})$`) }, (args) => ({ path: `./vendor/${args.path}.js`, external: true }));
  },
};

// The extension's issuing path takes node-forge's ASN.1 writer from the full vendor bundle (the CLI
// bundles node-forge/lib/asn1 and util alone, for its start-up): lib/asn1.js is forge.asn1.
const forgeLibShim = {
  name: 'forge-lib-shim',
  setup(build) {
    build.onResolve({ filter: /^node-forge\/lib\/(asn1|util)$/ }, (args) => ({ path: args.path, namespace: 'forge-lib' }));
    build.onLoad({ filter: /.*/, namespace: 'forge-lib' }, (args) => ({
      contents: `module.exports = require('./vendor/node-forge.js').${args.path.split('/').pop()};`,
      loader: 'js',
    }));
    build.onResolve({ filter: /^\.\/vendor\/node-forge\.js$/ }, (args) => ({ path: args.path, external: true }));
  },
};

// settings.ts reads the setting names, types and defaults from package.json: the extension bundle
// carries only contributes.configuration, not the commands, menus and walkthrough texts.
const manifestConfig = {
  name: 'manifest-config',
  setup(build) {
    build.onLoad({ filter: /[\\/]package\.json$/ }, async (args) => {
      const { contributes } = JSON.parse(readFileSync(args.path, 'utf8'));
      return { contents: JSON.stringify({ contributes: { configuration: contributes.configuration } }), loader: 'json' };
    });
  },
};

const builds = [
  {
    ...common,
    entryPoints: ['src/extension/extension.ts'],
    outfile: 'dist/extension.js',
    external: [...common.external, 'vscode'],
    plugins: [vendorExternal, forgeLibShim, manifestConfig],
  },
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
