// esbuild.mjs replaces CRDB_TLS_VERSION with package.json's version when it bundles dist/cli.js, so
// the CLI never reads package.json at run time (an installed dist/cli.js may have none beside it).
declare const CRDB_TLS_VERSION: string | undefined;

/** The version `crdb-tls --version` prints; "0.0.0-dev" when run unbundled (tsc's out/). */
export const VERSION: string = typeof CRDB_TLS_VERSION === 'string' ? CRDB_TLS_VERSION : '0.0.0-dev';
