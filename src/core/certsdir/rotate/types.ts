import type { KeyType } from '../../pki/keys';
/** Plain data of a rotation: what the CLI prints for --dry-run and the editor shows for confirmation. */

export type RotationCommand = 'rotate-node' | 'rotate-client' | 'rotate-ca' | 'reissue-all' | 'prune-ca' | 'rollback';

export type FileWhat = 'CA certificate' | 'CA key' | 'node certificate' | 'node key' | 'client certificate' | 'client key' | 'client pkcs8 key' | 'file';

export interface PlanStep {
  /**
   * write: a new file; replace: an existing file gets new bytes; move: the file keeps its bytes under
   * a new name (the old CA key, never deleted); restore: bytes from a backup; remove: a file the
   * rolled-back operation created (it goes into the pre-rollback backup first).
   */
  action: 'write' | 'replace' | 'move' | 'restore' | 'remove';
  path: string;
  /** For move: the new name. */
  to?: string;
  what: FileWhat;
  /** The mode the file has afterwards. */
  mode?: number;
  /** rollback: the backup whose copy is restored (the oldest at or after the target that holds the file). */
  from?: string;
}

/** One certificate the plan issues. Serial and key are drawn when the plan is applied. */
export interface PlannedCert {
  path: string;
  kind: 'ca' | 'node' | 'client';
  commonName: string;
  sans: { dns: string[]; ip: string[] };
  notBefore: string;
  notAfter: string;
  keySize: number;
  /** rsa or ecdsa (P-256); absent in plans made before ECDSA: rsa. */
  keyType?: KeyType;
  /** The CA that signs it (CN and serial of the first certificate of the CA file), or "self" for a new CA. */
  signedBy: { file: string; serial: string; notAfter: string } | 'self';
  /** The certificate it replaces. */
  replaces?: { serial: string; notAfter: string };
  /** Also writes the DER PKCS#8 key (client.USER.key.pk8) because one exists. */
  pkcs8?: boolean;
}

/** A file as the plan saw it: apply refuses when it has changed since (plan again). */
export interface FileState {
  path: string;
  /** null: the file did not exist. */
  sha256: string | null;
}

export interface RotationPlan {
  command: RotationCommand;
  certsDir: string;
  /** The CA key that signs (rotate-ca: the key that is moved aside, and the path of the new one). */
  caKey?: string;
  /** ca-client.crt's key, for reissue-all when the dir has a separate client CA. */
  clientCaKey?: string;
  /** The time certificates are issued at (NotBefore = now - 24h). */
  now: string;
  steps: PlanStep[];
  certs: PlannedCert[];
  /** Where the backup of the replaced files goes (a new timestamped folder below it). */
  backupRoot: string;
  /** The files copied to the backup before anything is replaced. */
  backupFiles: string[];
  expect: FileState[];
  /** What applies afterwards on the cluster: copy these files, SIGHUP. */
  notes: string[];
  /** prune-ca: the certificates removed from the bundle; rollback: the backup restored. */
  removedCaCerts?: { serial: string; notAfter: string; subject: string }[];
  rollbackOf?: string;
  /** rollback: the later backups of the certs dir, newest first, whose changes it undoes too. */
  undoes?: string[];
}

export interface BackupFile {
  /** The original path (absolute). */
  path: string;
  /** The copy's name inside the backup folder. */
  copy: string;
  mode: number;
  sha256: string;
  size: number;
  uid?: number;
  gid?: number;
}

export interface BackupManifest {
  id: string;
  createdAt: string;
  /** The command, e.g. "rotate-node", or "before rollback to <id>". */
  reason: string;
  certsDir: string;
  files: BackupFile[];
  /** Paths that did not exist: the operation creates them, rollback removes them. */
  created: string[];
  /**
   * Set when the operation touched files outside the certs dir: the CA key it was given (the only
   * such files are that key and its moved-aside names), and signatures by that key (proof.ts).
   */
  caKey?: string;
  proof?: string[];
}

export interface BackupInfo extends BackupManifest {
  /** The backup's folder. */
  dir: string;
}

export interface IssuedCert {
  path: string;
  kind: PlannedCert['kind'];
  serial: string;
  notAfter: string;
}

export interface RotationResult {
  plan: RotationPlan;
  backup?: BackupInfo;
  issued: IssuedCert[];
  /** Messages worth showing: a stale lock taken over, an interrupted rotation finished. */
  messages: string[];
}

export type TxnOp =
  /** Link `from` to the new name `to` (never replacing anything there): the file stays, under both names. */
  { op: 'keep'; from: string; to: string; sha256: string } | { op: 'rename'; tmp: string; path: string } | { op: 'unlink'; path: string };

/** The work of a running rotation, in its lock file (txn.ts). */
export interface Journal {
  command: RotationCommand;
  /** staging: temps are being written, nothing replaced yet; commit: the ops below are being applied. */
  phase: 'staging' | 'commit';
  temps: string[];
  ops: TxnOp[];
  backupId?: string;
  /** The folder that holds the backup `backupId` (absent in journals of older versions: the default, <certs-dir>.backups). */
  backupRoot?: string;
  /** As in BackupManifest: set when an op or temp is outside the certs dir. */
  caKey?: string;
  proof?: string[];
}

/** The content of the lock file (lock.ts). */
export interface LockInfo {
  pid: number;
  hostname: string;
  startedAt: string;
  /** `import`: cert import, which takes the same lock. */
  command: RotationCommand | 'recover' | 'import';
  journal?: Journal;
  /** Set by a run that failed half-way and left its journal for the next run to finish. */
  abandoned?: boolean;
}
