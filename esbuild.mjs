// Bundles the extension (vscode external) and the CLI into dist/.
import * as esbuild from 'esbuild';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('.', import.meta.url));

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

// Parts of the core that only some editor commands need, each loaded by the extension from its own
// bundle (dist/core-<name>.js) at the command's `await import(...)`: activation parses none of them.
// Each carries its own copy of what it shares with the extension (UserError's instanceof holds
// across copies: src/core/errors.ts). A static import of the same module keeps a copy in extension.js.
const LAZY_CORE = {
  'src/core/fleet/index.ts': 'core-fleet',
  'src/core/cloud/index.ts': 'core-cloud',
  'src/core/certsdir/rotate/index.ts': 'core-rotate',
  'src/core/changefeed/build.ts': 'core-changefeed-build',
  'src/core/changefeed/live.ts': 'core-changefeed-live',
  'src/core/connstr/clients/kit.ts': 'core-client-kit',
  'src/core/tls/testConnection.ts': 'core-test-connection',
  'src/core/tls/explain.ts': 'core-explain',
  'src/core/tls/probe.ts': 'core-probe',
  'src/core/tls/verify.ts': 'core-verify',
  'src/core/tls/report.ts': 'core-tls-report',
};
const lazyCore = {
  name: 'lazy-core',
  setup(build) {
    build.onResolve({ filter: /core\// }, async (args) => {
      if (args.kind !== 'dynamic-import' || args.pluginData?.lazyCore) return undefined;
      const r = await build.resolve(args.path, { resolveDir: args.resolveDir, kind: args.kind, importer: args.importer, pluginData: { lazyCore: true } });
      if (r.errors.length) return { errors: r.errors };
      const name = LAZY_CORE[relative(ROOT, r.path).split('\\').join('/')];
      return name ? { path: `./${name}.js`, external: true } : { path: r.path };
    });
  },
};

const builds = [
  {
    ...common,
    entryPoints: ['src/extension/extension.ts'],
    outfile: 'dist/extension.js',
    external: [...common.external, 'vscode'],
    plugins: [lazyCore, vendorExternal, forgeLibShim, manifestConfig],
  },
  {
    ...common,
    entryPoints: Object.fromEntries(Object.entries(LAZY_CORE).map(([src, name]) => [name, src])),
    outdir: 'dist',
    plugins: [vendorExternal, forgeLibShim],
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
