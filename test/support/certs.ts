import { cpSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createCa, createClient, createClientCa, createNode } from '../../src/core/certsdir/create';
import { tmpDir } from './tmp';

export interface CertsFixture {
  root: string;
  certsDir: string;
  caKey: string;
  /** Set when built with a separate client CA. */
  clientCaKey?: string;
}

export interface CertsFixtureOptions {
  /** Where to build the certs dir, e.g. inside a workspace folder (default: <a fresh temp dir>/certs). */
  certsDir?: string;
  /** Where to put the CA key (default: safe/ca.key beside the certs dir, in a 0700 folder). */
  caKey?: string;
  hosts?: string[];
  users?: string[];
  now?: Date;
  caLifetimeMs?: number;
  lifetimeMs?: number;
  clientCa?: boolean;
  pkcs8?: boolean;
  /** Per certificate: its issue time and lifetime (aged fixtures: an old CA, a node cert about to expire); node: false leaves it out. */
  ca?: { now?: Date; lifetimeMs?: number };
  node?: { now?: Date; lifetimeMs?: number } | false;
  client?: { now?: Date; lifetimeMs?: number };
}

/**
 * A certs dir issued by our core: CA, node (localhost, 127.0.0.1) and the given client users
 * (default root). In a fresh temp dir, or at `certsDir` (a workspace folder's, for in-editor suites).
 */
export async function makeCertsDir(o: CertsFixtureOptions = {}): Promise<CertsFixture> {
  const certsDir = o.certsDir ?? join(tmpDir(), 'certs');
  const root = dirname(certsDir);
  const caKey = o.caKey ?? join(root, 'safe', 'ca.key');
  const safe = dirname(caKey);
  mkdirSync(safe, { recursive: true, mode: 0o700 });
  await createCa({ certsDir, caKey, now: o.ca?.now ?? o.now, lifetimeMs: o.ca?.lifetimeMs ?? o.caLifetimeMs });
  if (o.node !== false)
    await createNode({
      certsDir,
      caKey,
      hosts: o.hosts ?? ['localhost', '127.0.0.1'],
      now: o.node?.now ?? o.now,
      lifetimeMs: o.node?.lifetimeMs ?? o.lifetimeMs,
    });
  let clientCaKey: string | undefined;
  if (o.clientCa) {
    clientCaKey = join(safe, 'ca-client.key');
    await createClientCa({ certsDir, caKey: clientCaKey, now: o.now, lifetimeMs: o.caLifetimeMs });
  }
  for (const user of o.users ?? ['root']) {
    await createClient({
      certsDir,
      caKey: clientCaKey ?? caKey,
      user,
      now: o.client?.now ?? o.now,
      lifetimeMs: o.client?.lifetimeMs ?? o.lifetimeMs,
      alsoGeneratePkcs8Key: o.pkcs8,
    });
  }
  return { root, certsDir, caKey, clientCaKey };
}

/** A copy of a fixture in a fresh temp dir (certs dir, safe/ca.key and everything else below its root). */
export function cloneCertsDir(fx: CertsFixture): CertsFixture {
  const root = tmpDir();
  cpSync(fx.root, root, { recursive: true });
  return { root, certsDir: join(root, 'certs'), caKey: join(root, 'safe', 'ca.key') };
}

const DAY_MS = 86_400_000;

/**
 * Node certificates a TLS server can swap in, from the fixture's CA (localhost, 127.0.0.1):
 * `expired` (ended 8 days ago) and `future` (valid in 10 days), each in its own folder below the
 * fixture's root.
 */
export async function agedNodeCerts(fx: CertsFixture): Promise<Record<'expired' | 'future', { cert: string; key: string }>> {
  const out = {} as Record<'expired' | 'future', { cert: string; key: string }>;
  for (const [name, now, lifetimeMs] of [
    ['expired', Date.now() - 10 * DAY_MS, 2 * DAY_MS],
    ['future', Date.now() + 10 * DAY_MS, undefined],
  ] as const) {
    const dir = join(fx.root, name);
    mkdirSync(dir, { mode: 0o700 });
    cpSync(join(fx.certsDir, 'ca.crt'), join(dir, 'ca.crt'));
    await createNode({ certsDir: dir, caKey: fx.caKey, hosts: ['localhost', '127.0.0.1'], now: new Date(now), lifetimeMs });
    out[name] = { cert: join(dir, 'node.crt'), key: join(dir, 'node.key') };
  }
  return out;
}
