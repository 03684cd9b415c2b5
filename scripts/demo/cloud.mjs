// The demo's CockroachDB Cloud account (`npm start`): the stateful stand-in of the Cloud API
// (test/support/cloudStandIn.ts, compiled to out/ by tsc -p tsconfig.test.json) on 127.0.0.1,
// serving two clusters: "demo-advanced" (Advanced, a client CA set) and "demo-basic" (Basic).
// Every request is checked against the official spec (../shared/cloud-api/openapi.json).
//
//   import { startDemoCloud } from './demo/cloud.mjs';
//   const cloud = await startDemoCloud(demo, { log });   // { url, key, clusters, stop() }
//   // the VS Code server gets COCKROACH_SERVER=cloud.url; the key is pasted into Set Cloud API Key
import { randomBytes, randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { repoRoot } from './workspace.mjs';

const STAND_IN = join(repoRoot, 'out', 'test', 'support', 'cloudStandIn.js');
const SPEC = join(repoRoot, 'out', 'test', 'support', 'cloudSpec.js');
const CREATE = join(repoRoot, 'out', 'src', 'core', 'certsdir', 'create.js');
/** Why the demo Cloud cannot start, or undefined. */
export function cloudMissing() {
  if (!existsSync(STAND_IN) || !existsSync(SPEC)) return `${STAND_IN} is missing (run tsc -p tsconfig.test.json)`;
  // The same lookup the tests use (beside the repository, or $CRDB_TLS_CLOUD_API_SPEC).
  const specFile = createRequire(import.meta.url)(SPEC).SPEC_PATH;
  if (!existsSync(specFile)) return `the Cloud API spec ${specFile} is missing`;
  return undefined;
}

/**
 * Starts the stand-in. The Advanced cluster's client CA is <workspace>/cloud/certs/ca-client.crt
 * (key in cloud/safe/), with a client certificate for maxroach, so that the rotation wizard has an
 * old CA to replace. Appends a "CockroachDB Cloud" section with the key to the workspace README.
 */
export async function startDemoCloud(demo, { log = () => {} } = {}) {
  const req = createRequire(import.meta.url);
  const { CloudStandIn } = req(STAND_IN);
  const { CloudSpec } = req(SPEC);
  const core = req(CREATE);
  const dir = join(demo.workspace, 'cloud');
  mkdirSync(join(dir, 'safe'), { recursive: true, mode: 0o700 });
  await core.createCa({ certsDir: join(dir, 'cluster-ca'), caKey: join(dir, 'safe', 'cluster-ca.key') });
  const certs = join(dir, 'certs');
  await core.createCa({ certsDir: certs, caKey: join(dir, 'safe', 'ca.key') });
  await core.createClientCa({ certsDir: certs, caKey: join(dir, 'safe', 'ca-client.key') });
  await core.createClient({ certsDir: certs, caKey: join(dir, 'safe', 'ca-client.key'), user: 'maxroach' });
  const caPem = readFileSync(join(dir, 'cluster-ca', 'ca.crt'), 'utf8');
  const key = `CCDB1_demo_${randomBytes(12).toString('hex')}`;
  const clusters = [
    {
      id: randomUUID(),
      name: 'demo-advanced',
      plan: 'ADVANCED',
      caPem,
      clientCa: { status: 'IS_SET', pem: readFileSync(join(certs, 'ca-client.crt'), 'utf8') },
    },
    { id: randomUUID(), name: 'demo-basic', plan: 'BASIC', caPem },
  ];
  const standIn = await CloudStandIn.start(await CloudSpec.load(), { apiKey: key, clusters, pageSize: 10 });
  log(`Cloud API stand-in at ${standIn.url}: demo-advanced (Advanced, client CA set), demo-basic (Basic)`);
  appendFileSync(
    join(demo.workspace, 'README.md'),
    `
## CockroachDB Cloud (a stand-in of the API)

\`npm start\` runs a stand-in of the Cloud API at ${standIn.url} (the extension finds it through
\`COCKROACH_SERVER\`) with two clusters, **demo-advanced** (Advanced, client CA set) and
**demo-basic** (Basic). Run **CockroachDB TLS: Set Cloud API Key** and paste this demo key:

    ${key}

The clusters then appear in the tree. On demo-advanced try Download CA Certificate, Show Client
CA, Copy Connection String and **Rotate Client CA…** (the old client CA is \`cloud/certs/ca-client.crt\`,
its key \`cloud/safe/ca-client.key\`, a client certificate for maxroach in \`cloud/certs\`).
From a terminal: \`COCKROACH_SERVER=${standIn.url} COCKROACH_API_KEY=${key} node ${join(repoRoot, 'dist', 'cli.js')} cloud clusters\`.
`,
  );
  return {
    url: standIn.url,
    key,
    clusters,
    standIn,
    stop: () => standIn.stop(),
  };
}
