/**
 * Fleets: plain data of the inventory, the plan the editor shows for confirmation, the progress
 * events per node and step, and the report. The transport (system ssh by default, ssh.ts) is
 * injected, so the editor and the tests can pass their own.
 */

/** The default reload: SIGHUP to the cockroach process, which then re-reads its certs dir. */
export const DEFAULT_RELOAD = 'kill -HUP $(pgrep -x cockroach)';

export interface SshTarget {
  user?: string;
  host: string;
  port: number;
}

export interface FleetNode {
  name: string;
  /** As written: user@host[:port]. */
  ssh: string;
  target: SshTarget;
  /** Absolute path on the node. */
  certsDir: string;
  /** SANs of the node certificate. */
  hosts: string[];
  /** The SQL address probed after the reload, HOST:PORT. */
  verify: string;
  /** A shell command run on the node over SSH. */
  reload: string;
}

export interface Inventory {
  /** The file it was read from (absolute). */
  file: string;
  /** SHA-256 of the file's bytes: a journal belongs to one inventory. */
  sha256: string;
  sshIdentityFile?: string;
  knownHostsFile: string;
  nodes: FleetNode[];
}

export type FleetCommand = 'rotate-node' | 'distribute-ca';

/** The steps of a node, in order; restore runs when one fails. */
export type FleetStep = 'connect' | 'issue' | 'upload' | 'backup' | 'rename' | 'reload' | 'verify' | 'restore';

export interface PlannedNodeFile {
  /** File name in the node's certs dir. */
  name: string;
  mode: number;
  what: 'node certificate' | 'node key' | 'CA certificate';
}

/** A node as the plan shows it; `reload` (a shell command run on the node) is shown for confirmation. */
export interface PlannedNode extends FleetNode {
  files: PlannedNodeFile[];
  /** Where the node's current files are copied first (on the node). */
  backupDir: string;
}

export interface FleetPlan {
  command: FleetCommand;
  inventory: string;
  inventorySha256: string;
  knownHostsFile: string;
  sshIdentityFile?: string;
  /** The local CA file: rotate-node signs with its first certificate; distribute-ca pushes it as ca.crt. */
  caCert: string;
  caCertSha256: string;
  /** rotate-node: the local CA key (it never leaves this machine). */
  caKey?: string;
  /** rotate-node: the signing CA. */
  signedBy?: { serial: string; notAfter: string; subject: string };
  /** distribute-ca: the certificates of the bundle, in order. */
  bundle?: { serial: string; notAfter: string; subject: string }[];
  lifetimeMs?: number;
  keySize?: number;
  parallel: number;
  /** The journal on this machine that lets a killed run be resumed or rolled back. */
  journal: string;
  /** Set when the plan resumes an interrupted run. */
  resumes?: string;
  runId: string;
  now: string;
  nodes: PlannedNode[];
  notes: string[];
}

export interface FleetProgress {
  node: string;
  step: FleetStep;
  phase: 'start' | 'done' | 'failed';
  message?: string;
}

export interface NodeReport {
  name: string;
  status: 'done' | 'restored' | 'failed' | 'skipped' | 'already-done';
  /** The step that failed. */
  step?: FleetStep;
  cause?: string;
  oldSerial?: string;
  newSerial?: string;
  /** The serial the node serves at the end, as probed. */
  servedSerial?: string;
  /** When restored: every file byte for byte as before (SHA-256 compared on the node). */
  restoredByteForByte?: boolean;
}

export interface FleetReport {
  command: FleetCommand | 'rollback';
  runId: string;
  ok: boolean;
  nodes: NodeReport[];
  /** The failing node, step and cause, one line. */
  error?: string;
  messages: string[];
}

/** What the transport returns for one command run on a node. */
export interface ExecResult {
  exitCode: number;
  stdout: Buffer;
  stderr: string;
}

export interface ExecOptions {
  stdin?: Buffer;
  timeoutMs: number;
  signal?: AbortSignal;
}

/** Runs one POSIX shell command line on a node; throws a FleetSshError when the SSH connection itself fails. */
export interface FleetTransport {
  exec(node: FleetNode, command: string, o: ExecOptions): Promise<ExecResult>;
}

export type SshFailure = 'host-key-unknown' | 'host-key-changed' | 'auth' | 'connect' | 'timeout' | 'lost' | 'cancelled';

export class FleetSshError extends Error {
  constructor(
    readonly kind: SshFailure,
    readonly node: string,
    message: string,
  ) {
    super(message);
    this.name = 'FleetSshError';
  }
}
