// The demo's two-node fleet: the fleet tests' builder (test/support/fleet.ts, compiled to
// out/test/support/fleet.js, the same way the demo's PostgreSQL uses out/test/support/postgres.js):
// per node a TLS PostgreSQL reading node.crt/node.key/ca.crt from its own certs dir (reloaded by
// SIGHUP, as a CockroachDB node is) and its own OpenSSH sshd on a 127.0.0.1 port with its own host
// key. The demo workspace gets fleet/demo.fleet.yaml (the inventory), fleet/known_hosts (both
// nodes' host keys), fleet/id_ed25519 (the key that logs in), the fleet's CA (fleet/ca.crt,
// fleet/safe/ca.key) and fleet/README.md, so a person can run "Fleet: Rotate Node Certificates"
// from the editor. Without sshd (Debian openssh-server) the demo says so and starts without it.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { repoRoot } from './workspace.mjs';

export const FLEET_SUPPORT = join(repoRoot, 'out', 'test', 'support', 'fleet.js');
export const FLEET_DIR = 'fleet';
export const FLEET_INVENTORY = 'demo.fleet.yaml';
const SSHD = '/usr/sbin/sshd';

/** Why the fleet cannot start here (a sentence with the fix), or undefined. */
export function fleetMissing() {
  if (!existsSync(SSHD)) return `${SSHD} is not installed: apt-get install -y openssh-server openssh-client`;
  for (const bin of ['ssh', 'ssh-keygen'])
    if (spawnSync('sh', ['-c', `command -v ${bin}`]).status !== 0) return `${bin} is not installed: apt-get install -y openssh-client`;
  if (!existsSync(FLEET_SUPPORT)) return `${relative(repoRoot, FLEET_SUPPORT)} is missing: run \`npx tsc -p tsconfig.test.json\` first`;
  return undefined;
}

/** Loads the builder (it installs exit and signal hooks that stop the fleet: load it before taking over the signals). */
export function loadFleetSupport() {
  return createRequire(import.meta.url)(FLEET_SUPPORT);
}

/**
 * Starts the two nodes and writes the demo's fleet folder. Returns { fleet, dir, inventory, nodes }
 * (fleet.stop() stops both nodes and removes their files).
 */
export async function startDemoFleet(demo, { log = () => {} } = {}) {
  const { Fleet } = loadFleetSupport();
  const fleet = await Fleet.start({ nodes: 2 });
  try {
    const dir = join(demo.workspace, FLEET_DIR);
    mkdirSync(join(dir, 'safe'), { recursive: true, mode: 0o700 });
    copyFileSync(fleet.caCert, join(dir, 'ca.crt'));
    copyFileSync(fleet.caKey, join(dir, 'safe', 'ca.key'));
    chmodSync(join(dir, 'safe', 'ca.key'), 0o600);
    copyFileSync(fleet.knownHosts, join(dir, 'known_hosts'));
    copyFileSync(fleet.clientKey, join(dir, 'id_ed25519'));
    chmodSync(join(dir, 'id_ed25519'), 0o600);
    const inventory = join(dir, FLEET_INVENTORY);
    writeFileSync(
      inventory,
      [
        '# A two-node demo fleet on this machine: each node is a PostgreSQL with TLS (standing in for a',
        '# CockroachDB node on the wire) with its own certs dir and its own sshd on a loopback port.',
        '# Run "CockroachDB TLS: Fleet: Rotate Node Certificates…" (CA: ca.crt, key: safe/ca.key).',
        'sshIdentityFile: id_ed25519',
        'knownHostsFile: known_hosts',
        'nodes:',
        ...fleet.nodes.map((n) => n.inventoryEntry),
        '',
      ].join('\n'),
    );
    const nodes = fleet.nodes.map((n) => ({
      name: n.name,
      ssh: `${fleet.user}@127.0.0.1:${n.sshPort}`,
      sql: `localhost:${n.server.port}`,
      certsDir: n.certsDir,
    }));
    writeFileSync(
      join(dir, 'README.md'),
      [
        '# Demo fleet: rotate two nodes from the editor',
        '',
        `\`${FLEET_INVENTORY}\` lists two nodes running on this machine. Each is a PostgreSQL with TLS that`,
        'reads its `node.crt` from its own certs dir and reloads on SIGHUP, as a CockroachDB node does,',
        'with its own OpenSSH `sshd` on a loopback port (host keys in `known_hosts`, login key `id_ed25519`).',
        '',
        '| Node | SSH | SQL (TLS) | certs dir on the node |',
        '| --- | --- | --- | --- |',
        ...nodes.map((n) => `| ${n.name} | ${n.ssh} | ${n.sql} | ${n.certsDir} |`),
        '',
        "1. Command Palette: **CockroachDB TLS: Fleet Status…**, pick `fleet/demo.fleet.yaml`: each node's",
        '   files and what its SQL port serves.',
        '2. **CockroachDB TLS: Fleet: Rotate Node Certificates…**: the inventory, then `fleet/ca.crt` and',
        "   `fleet/safe/ca.key`. The plan shows each node's reload command; Apply rotates one node at a time",
        '   (progress per node, Cancel restores the node at work) and the report is in the',
        '   "CockroachDB TLS" output channel.',
        '3. Fleet Status again: both nodes serve their new serial.',
        '',
        `The same from a terminal: \`node ${join(repoRoot, 'dist', 'cli.js')} fleet rotate-node --inventory ${inventory} --ca-cert ${join(dir, 'ca.crt')} --ca-key ${join(dir, 'safe', 'ca.key')}\``,
        '',
      ].join('\n'),
    );
    log(`fleet: 2 nodes (${nodes.map((n) => `${n.name}: ssh ${n.ssh}, sql ${n.sql}`).join('; ')}); inventory ${relative(demo.workspace, inventory)}`);
    return { fleet, dir, inventory, nodes };
  } catch (err) {
    await fleet.stop();
    throw err;
  }
}
