/**
 * The local journal of a fleet run: which node is at which step, what its files' SHA-256 were
 * before and what we put there, so that a killed run can be resumed or rolled back. It is read
 * back as untrusted input (it sits beside the inventory, which a repository can carry): a typed
 * schema with size caps, node names that must be the inventory's, file names from a fixed set,
 * and no path at all: every path on a node is derived from the inventory and the run id.
 */
import { renameSync, unlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { UserError, errnoCode } from '../errors';
import { InputFileError, readInputBytes } from '../input';
import { writeTempFile } from '../certsdir/write';
import { SchemaError, arr, backupId, bool, int, isoTime, obj, oneOf, sha256Hex, str } from '../certsdir/rotate/schema';
import { CA_CERT, NODE_CERT, NODE_KEY } from '../cockroach/layout';
import { FleetCommand, FleetStep } from './types';

export const JOURNAL_STEPS: readonly (FleetStep | 'pending')[] = ['pending', 'connect', 'issue', 'upload', 'backup', 'rename', 'reload', 'verify', 'restore'];
export const FLEET_FILES: Record<FleetCommand, readonly string[]> = { 'rotate-node': [NODE_CERT, NODE_KEY], 'distribute-ca': [CA_CERT] };
const MAX_JOURNAL_BYTES = 4 * 1024 * 1024;
const MAX_PEM_CHARS = 64 * 1024;
const PEM_CERT_RE = /^-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]+-----END CERTIFICATE-----\r?\n?$/;

export interface JournalNode {
  name: string;
  /** The last step started. */
  step: FleetStep | 'pending';
  /** The renames may have started: the node's files may differ from its backup. */
  changed: boolean;
  done: boolean;
  /** The node's files before the run (null: the file did not exist). */
  oldSha: Record<string, string | null>;
  /** What the run put (or puts) in place. */
  newSha: Record<string, string>;
  /** rotate-node: the new node certificate (public), whose serial the node must serve. */
  newCert?: string;
}

export interface FleetJournal {
  version: 1;
  runId: string;
  command: FleetCommand;
  inventorySha256: string;
  caCertSha256: string;
  pid: number;
  hostname: string;
  startedAt: string;
  updatedAt: string;
  /** running: a process is at it (or was killed); stopped: a node failed and the rollout stopped. */
  state: 'running' | 'stopped' | 'complete' | 'rolled-back';
  nodes: JournalNode[];
}

/** Where the journal of `inventoryFile` lives: beside it, hidden. */
export function defaultJournalPath(inventoryFile: string): string {
  return join(dirname(inventoryFile), `.${basename(inventoryFile)}.crdb-tls-fleet.json`);
}

function shaMap(v: unknown, at: string, files: readonly string[], nullable: boolean): Record<string, string | null> {
  const o = obj(v, at, [], files);
  const out: Record<string, string | null> = {};
  for (const [k, x] of Object.entries(o)) out[k] = x === null && nullable ? null : sha256Hex(x, `${at}.${k}`);
  return out;
}

function journalNode(v: unknown, i: number, files: readonly string[], names: ReadonlySet<string>): JournalNode {
  const at = `nodes[${i}]`;
  const o = obj(v, at, ['name', 'step', 'changed', 'done', 'oldSha', 'newSha'], ['newCert']);
  const name = str(o.name, `${at}.name`, 63);
  if (!names.has(name)) throw new SchemaError(`${at}.name ${JSON.stringify(name)} is not a node of the inventory`);
  const n: JournalNode = {
    name,
    step: oneOf(o.step, `${at}.step`, JOURNAL_STEPS),
    changed: bool(o.changed, `${at}.changed`),
    done: bool(o.done, `${at}.done`),
    oldSha: shaMap(o.oldSha, `${at}.oldSha`, files, true),
    newSha: shaMap(o.newSha, `${at}.newSha`, files, false) as Record<string, string>,
  };
  if (o.newCert !== undefined) {
    const pem = o.newCert;
    if (typeof pem !== 'string' || pem.length > MAX_PEM_CHARS || !PEM_CERT_RE.test(pem)) throw new SchemaError(`${at}.newCert is not one PEM certificate`);
    n.newCert = pem;
  }
  return n;
}

/** The journal in `raw` (parsed JSON), checked against the inventory's node names; or a SchemaError. */
export function parseJournal(raw: unknown, nodeNames: ReadonlySet<string>): FleetJournal {
  const o = obj(raw, 'the journal', [
    'version',
    'runId',
    'command',
    'inventorySha256',
    'caCertSha256',
    'pid',
    'hostname',
    'startedAt',
    'updatedAt',
    'state',
    'nodes',
  ]);
  int(o.version, 'version', 1, 1);
  const command = oneOf(o.command, 'command', ['rotate-node', 'distribute-ca'] as const);
  const files = FLEET_FILES[command];
  const nodes = arr(o.nodes, 'nodes', 500).map((n, i) => journalNode(n, i, files, nodeNames));
  if (new Set(nodes.map((n) => n.name)).size !== nodes.length) throw new SchemaError('nodes lists a node twice');
  return {
    version: 1,
    runId: backupId(o.runId, 'runId'),
    command,
    inventorySha256: sha256Hex(o.inventorySha256, 'inventorySha256'),
    caCertSha256: sha256Hex(o.caCertSha256, 'caCertSha256'),
    pid: int(o.pid, 'pid', 1, 2 ** 32 - 1),
    hostname: str(o.hostname, 'hostname', 255),
    startedAt: isoTime(o.startedAt, 'startedAt'),
    updatedAt: isoTime(o.updatedAt, 'updatedAt'),
    state: oneOf(o.state, 'state', ['running', 'stopped', 'complete', 'rolled-back'] as const),
    nodes,
  };
}

/** The journal at `path`, or undefined when there is none; a UserError naming the file when it is not one this tool wrote. */
export function readJournal(path: string, nodeNames: ReadonlySet<string>): FleetJournal | undefined {
  let bytes: Buffer;
  try {
    bytes = readInputBytes(path, { maxBytes: MAX_JOURNAL_BYTES, what: 'the fleet journal' });
  } catch (err) {
    if (err instanceof InputFileError && err.problem === 'missing') return undefined;
    throw err;
  }
  try {
    return parseJournal(JSON.parse(bytes.toString('utf8')), nodeNames);
  } catch (err) {
    const why = err instanceof SchemaError ? err.message : 'it is not JSON';
    throw new UserError(
      `the fleet journal ${path} is not one this tool wrote for this inventory (${why}): nothing was changed; check it, then remove it by hand (the nodes keep their backups in <certsDir>.backups/fleet-<run>).`,
      path,
    );
  }
}

/** Writes the journal atomically (temp file, fsync, rename), mode 0600. */
export function writeJournal(path: string, j: FleetJournal): void {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    writeTempFile(tmp, JSON.stringify(j, null, 1) + '\n', 0o600);
    renameSync(tmp, path);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      // never written
    }
    throw new UserError(`could not write the fleet journal ${path} (${errnoCode(err) ?? String(err)}): the inventory's folder must be writable.`, path);
  }
}

/** Whether the process that owns a running journal is still at it (another machine's: assume so). */
export function ownerAlive(j: FleetJournal): boolean {
  if (j.state !== 'running') return false;
  if (j.hostname !== hostname()) return true;
  if (j.pid === process.pid) return false;
  try {
    process.kill(j.pid, 0);
    return true;
  } catch (err) {
    return errnoCode(err) === 'EPERM';
  }
}

export function unfinished(j: FleetJournal): boolean {
  return j.state === 'running' || j.state === 'stopped';
}
