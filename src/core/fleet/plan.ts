/**
 * Plans of the fleet commands, made on this machine only (no node is contacted): the CA checked,
 * each node's files and backup folder, its reload command, and whether an interrupted run is
 * resumed. --dry-run prints it; the editor shows it for confirmation; runFleetPlan carries it out.
 */
import { X509Certificate } from 'node:crypto';
import { resolve } from 'node:path';
import { UserError, quoteInput } from '../errors';
import { readInputBytes } from '../input';
import { certInfo } from '../pki/certinfo';
import { validateLifetime } from '../pki/duration';
import { DEFAULT_KEY_SIZE, validateKeySize } from '../pki/keys';
import { hostsToSans } from '../pki/names';
import { DEFAULT_CERT_LIFETIME_MS } from '../cockroach/lifetimes';
import { CA_CERT, NODE_CERT, NODE_KEY } from '../cockroach/layout';
import { checkLifetimeAgainstCa, loadCa } from '../certsdir/create';
import { CERT_MODE, KEY_MODE } from '../certsdir/write';
import { readCerts } from '../certsdir/rotate/chain';
import { sha256, stamp } from '../certsdir/rotate/files';
import { defaultJournalPath, ownerAlive, readJournal, unfinished } from './journal';
import { nodeBackupDir } from './remote';
import { FleetCommand, FleetPlan, Inventory, PlannedNode, PlannedNodeFile } from './types';

export interface FleetPlanOptions {
  inventory: Inventory;
  /** The local CA file (--ca-cert). */
  caCert: string;
  /** Nodes at a time; default 1. */
  parallel?: number;
  /** Default: beside the inventory (defaultJournalPath). */
  journalPath?: string;
  now?: Date;
}

export interface FleetRotateOptions extends FleetPlanOptions {
  caKey: string;
  lifetimeMs?: number;
  keySize?: number;
}

const FILES: Record<FleetCommand, PlannedNodeFile[]> = {
  'rotate-node': [
    { name: NODE_CERT, mode: CERT_MODE, what: 'node certificate' },
    { name: NODE_KEY, mode: KEY_MODE, what: 'node key' },
  ],
  'distribute-ca': [{ name: CA_CERT, mode: CERT_MODE, what: 'CA certificate' }],
};

function describe(c: X509Certificate): { serial: string; notAfter: string; subject: string } {
  const i = certInfo(c);
  return { serial: i.serial, notAfter: i.notAfter.toISOString(), subject: i.subjectLine };
}

function checkParallel(n: number | undefined, count: number): number {
  const p = n ?? 1;
  if (!Number.isInteger(p) || p < 1 || p > 64)
    throw new UserError(`--parallel ${p} is not a number of nodes at a time: use 1 (the default, one node at a time) to 64.`);
  return Math.min(p, count);
}

/** The run this plan starts, or the interrupted one it resumes (same command, inventory and CA file). */
function runOf(o: FleetPlanOptions, command: FleetCommand, caSha: string, now: Date): { runId: string; journal: string; resumes?: string } {
  const journal = resolve(o.journalPath ?? defaultJournalPath(o.inventory.file));
  const j = readJournal(journal, new Set(o.inventory.nodes.map((n) => n.name)));
  if (!j || !unfinished(j)) return { runId: stamp(now), journal };
  if (ownerAlive(j))
    throw new UserError(
      `another fleet run (${j.command} ${j.runId}, pid ${j.pid} on ${j.hostname}) is working on ${o.inventory.file}: wait for it to finish (journal ${journal}).`,
      journal,
    );
  if (j.command !== command || j.inventorySha256 !== o.inventory.sha256 || j.caCertSha256 !== caSha) {
    const what =
      j.command !== command
        ? `a ${j.command} run`
        : j.inventorySha256 !== o.inventory.sha256
          ? 'a run with another version of the inventory'
          : 'a run with another CA file';
    throw new UserError(
      `${o.inventory.file} has an unfinished fleet run ${j.runId} (${what}, ${j.state}): finish it with the same command and files ("crdb-tls fleet ${j.command} ..."), or undo it with "crdb-tls fleet rollback --inventory ${o.inventory.file}"; nothing was changed.`,
      journal,
    );
  }
  return { runId: j.runId, journal, resumes: j.runId };
}

function nodes(o: FleetPlanOptions, command: FleetCommand, runId: string): PlannedNode[] {
  return o.inventory.nodes.map((n) => ({ ...n, files: FILES[command], backupDir: nodeBackupDir(n.certsDir, runId) }));
}

function base(o: FleetPlanOptions, command: FleetCommand, caSha: string, now: Date) {
  const run = runOf(o, command, caSha, now);
  return {
    command,
    inventory: o.inventory.file,
    inventorySha256: o.inventory.sha256,
    knownHostsFile: o.inventory.knownHostsFile,
    ...(o.inventory.sshIdentityFile ? { sshIdentityFile: o.inventory.sshIdentityFile } : {}),
    caCert: resolve(o.caCert),
    caCertSha256: caSha,
    parallel: checkParallel(o.parallel, o.inventory.nodes.length),
    journal: run.journal,
    ...(run.resumes ? { resumes: run.resumes } : {}),
    runId: run.runId,
    now: now.toISOString(),
    nodes: nodes(o, command, run.runId),
  };
}

/** `fleet rotate-node`: a new node certificate for each node, issued here (the CA key stays here), one node at a time. */
export function planFleetRotateNode(o: FleetRotateOptions): FleetPlan {
  const now = o.now ?? new Date();
  if (!o.caCert) throw new UserError('fleet rotate-node needs the CA certificate: pass --ca-cert CA (the first certificate signs).');
  if (!o.caKey) throw new UserError('fleet rotate-node needs the CA key: pass --ca-key K (it never leaves this machine).');
  const ca = loadCa(resolve(o.caCert), resolve(o.caKey));
  const lifetimeMs = validateLifetime(o.lifetimeMs ?? DEFAULT_CERT_LIFETIME_MS);
  checkLifetimeAgainstCa(ca, now, lifetimeMs);
  const keySize = validateKeySize(o.keySize ?? DEFAULT_KEY_SIZE);
  for (const n of o.inventory.nodes) {
    try {
      hostsToSans(n.hosts);
    } catch (err) {
      throw new UserError(`inventory ${o.inventory.file}, node ${n.name}: ${(err as Error).message}`, o.inventory.file);
    }
  }
  const caSha = sha256(readInputBytes(resolve(o.caCert)));
  const b = base(o, 'rotate-node', caSha, now);
  const notes = [
    `Each node in turn: issue its node.crt and node.key here, upload them to temporary names in its certs dir, back up its node.crt and node.key to ${b.nodes[0].backupDir.replace(b.nodes[0].certsDir, '<certsDir>')}, rename the new files into place, run its reload command, and probe its verify address until it serves the new serial chaining to ${b.caCert}.`,
    'If a step fails on a node, its previous files are restored, it is reloaded and checked to serve its previous certificate, and the rollout stops; the nodes already done stay done.',
    `Every node's SSH host key is checked against ${o.inventory.knownHostsFile} before anything is changed. A killed run is resumed by running the same command again, or undone with "crdb-tls fleet rollback --inventory ${o.inventory.file}".`,
  ];
  return { ...b, caKey: resolve(o.caKey), signedBy: describe(ca.cert), lifetimeMs, keySize, notes };
}

/** `fleet distribute-ca`: the local (combined) CA file pushed to every node as its ca.crt, then each node reloaded and checked. */
export function planFleetDistributeCa(o: FleetPlanOptions): FleetPlan {
  const now = o.now ?? new Date();
  if (!o.caCert) throw new UserError('fleet distribute-ca needs the CA file to push: pass --ca-cert CA (the combined ca.crt of rotate-ca).');
  const file = resolve(o.caCert);
  const bundle = readCerts(file);
  if (bundle.length === 0)
    throw new UserError(`--ca-cert ${quoteInput(o.caCert)} holds no PEM certificate: pass the combined ca.crt that rotate-ca wrote.`, file);
  const notCa = bundle.findIndex((c) => !certInfo(c).isCA);
  if (notCa >= 0) throw new UserError(`certificate ${notCa + 1} of ${file} is not a CA certificate: ca.crt holds CA certificates only.`, file);
  const caSha = sha256(readInputBytes(file));
  const b = base(o, 'distribute-ca', caSha, now);
  const notes = [
    `Each node in turn: upload ${file} as its ca.crt (${bundle.length} certificate${bundle.length === 1 ? '' : 's'}), back up the current ca.crt, rename it into place, reload, and check that it still serves its node.crt and that the new ca.crt verifies it.`,
    'Before anything is changed, every node is checked: a node whose node.crt the new ca.crt does not verify is refused (distributing it would break that node).',
  ];
  return { ...b, bundle: bundle.map(describe), notes };
}

/** The plan as lines for --dry-run and the editor's log. */
export function fleetPlanLines(p: FleetPlan): string[] {
  const lines = [
    `fleet ${p.command} of ${p.inventory}${p.resumes ? ` (resumes the interrupted run ${p.resumes})` : ''}: ${p.nodes.length} node${p.nodes.length === 1 ? '' : 's'}, ${p.parallel} at a time`,
  ];
  if (p.signedBy) lines.push(`signed by ${p.signedBy.subject}, serial ${p.signedBy.serial} (expires ${p.signedBy.notAfter}), key ${p.caKey}`);
  if (p.bundle) lines.push(`ca.crt to push: ${p.bundle.map((c) => `${c.subject} serial ${c.serial}`).join('; ')}`);
  for (const n of p.nodes) {
    lines.push(
      `  ${n.name}: ssh ${n.ssh}, ${n.certsDir}: ${n.files.map((f) => f.name).join(', ')}${p.command === 'rotate-node' ? ` for ${n.hosts.join(', ')}` : ''}`,
    );
    lines.push(`    reload: ${n.reload}`);
    lines.push(`    verify: ${n.verify}; backup: ${n.backupDir}`);
  }
  for (const note of p.notes) lines.push(`note: ${note}`);
  return lines;
}
