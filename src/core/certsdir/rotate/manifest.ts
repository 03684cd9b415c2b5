/**
 * manifest.json of a backup, read back as untrusted input: the schema of what createBackup writes,
 * and nothing else. The files it may name are checked here by their form (confine.ts); whether a
 * rollback may touch the ones outside the certs dir is decided in restore.ts.
 */
import { basename } from 'node:path';
import { inCertsDir, isNormalAbsolute, isOldKeyPathOf } from './confine';
import { stamp } from './files';
import {
  MAX_BACKUP_BYTES,
  MAX_BACKUP_ENTRIES,
  MAX_COPY_BYTES,
  ROTATION_COMMANDS,
  SchemaError,
  arr,
  backupId,
  int,
  isoTime,
  obj,
  oneOf,
  proofs,
  sha256Hex,
  show,
  str,
  unique,
} from './schema';
import { BackupFile, BackupManifest } from './types';

/**
 * The modes a rollback restores. Certificates: 0644, or narrower and read-only (0444, 0640, 0440,
 * 0600, 0400). Keys: 0600 or 0400 (chmod 400 is common advice); 0640 and 0440 when recorded as
 * owned by root, the group-readable key CockroachDB accepts from root (list.ts). Never an execute,
 * group/other write, setuid, setgid or sticky bit.
 */
const CERT_MODES = [0o644, 0o444, 0o640, 0o440, 0o600, 0o400];
const KEY_MODES = [0o600, 0o400];
const ROOT_KEY_MODES = [0o640, 0o440];

const isKeyName = (name: string) => /\.key$|\.pk8$/.test(name);

export function modeAllowed(path: string, certsDir: string, mode: number, uid: number | undefined): boolean {
  const key = !inCertsDir(path, certsDir) || isKeyName(basename(path));
  if (!key) return CERT_MODES.includes(mode);
  return KEY_MODES.includes(mode) || (uid === 0 && ROOT_KEY_MODES.includes(mode));
}

/**
 * The mode createBackup records for a file of mode `mode`: the mode itself when a rollback may
 * restore it, else the usual one (keys 0600, certificates 0644), so that our own backups always
 * pass parseManifest and a rollback never brings back, say, a world-readable key.
 */
export function restorableMode(path: string, certsDir: string, mode: number, uid: number | undefined): number {
  if (modeAllowed(path, certsDir, mode, uid)) return mode;
  return !inCertsDir(path, certsDir) || isKeyName(basename(path)) ? 0o600 : 0o644;
}

/** The name createBackup gives the copy of the `i`th file. */
export function copyName(i: number, path: string): string {
  return `${String(i).padStart(3, '0')}-${basename(path)}`;
}

const UID_MAX = 2 ** 32 - 2;

function file(v: unknown, i: number, certsDir: string): BackupFile {
  const at = `files[${i}]`;
  const o = obj(v, at, ['path', 'copy', 'mode', 'sha256', 'size'], ['uid', 'gid']);
  const path = str(o.path, `${at}.path`);
  if (!isNormalAbsolute(path)) throw new SchemaError(`${at}.path ${show(path)} is not an absolute path without ".."`);
  const copy = str(o.copy, `${at}.copy`, 300);
  if (copy !== copyName(i, path))
    throw new SchemaError(`${at}.copy is ${show(copy)}, not ${show(copyName(i, path))}, the name of its copy in the backup folder`);
  const uid = o.uid === undefined ? undefined : int(o.uid, `${at}.uid`, 0, UID_MAX);
  const gid = o.gid === undefined ? undefined : int(o.gid, `${at}.gid`, 0, UID_MAX);
  const mode = int(o.mode, `${at}.mode`, 0, 0o7777);
  if (!modeAllowed(path, certsDir, mode, uid)) {
    throw new SchemaError(`${at}.mode is 0${mode.toString(8)}, not a mode a rollback restores (keys 0600 or 0400, certificates 0644 or narrower)`);
  }
  return {
    path,
    copy,
    mode,
    sha256: sha256Hex(o.sha256, `${at}.sha256`),
    size: int(o.size, `${at}.size`, 0, MAX_COPY_BYTES),
    ...(uid !== undefined ? { uid } : {}),
    ...(gid !== undefined ? { gid } : {}),
  };
}

/** The manifest in `raw` (parsed JSON) of the folder named `dirName`, or a SchemaError saying what is wrong. */
export function parseManifest(raw: unknown, dirName: string): BackupManifest {
  // "created" came later: a manifest without it created nothing.
  const o = obj(raw, 'the manifest', ['id', 'createdAt', 'reason', 'certsDir', 'files'], ['created', 'caKey', 'proof']);
  const id = backupId(o.id, 'id');
  if (id !== dirName) throw new SchemaError(`id ${show(id)} is not the name of its folder ${show(dirName)}`);
  const createdAt = isoTime(o.createdAt, 'createdAt');
  if (id.replace(/-\d+$/, '') !== stamp(new Date(createdAt))) throw new SchemaError(`id ${show(id)} does not match createdAt ${show(createdAt)}`);
  const reason = str(o.reason, 'reason', 64);
  const before = /^before rollback to (.*)$/.exec(reason);
  if (before) backupId(before[1], "reason's backup id");
  else oneOf(reason, 'reason', [...ROTATION_COMMANDS, 'import', 'create-csr', 'connect'] as const);
  const certsDir = str(o.certsDir, 'certsDir');
  if (!isNormalAbsolute(certsDir)) throw new SchemaError(`certsDir ${show(certsDir)} is not an absolute path without ".."`);
  const rawFiles = arr(o.files, 'files', MAX_BACKUP_ENTRIES);
  const rawCreated = o.created === undefined ? [] : arr(o.created, 'created', MAX_BACKUP_ENTRIES);
  if (rawFiles.length + rawCreated.length > MAX_BACKUP_ENTRIES) {
    throw new SchemaError(`it lists ${rawFiles.length + rawCreated.length} files, more than the limit of ${MAX_BACKUP_ENTRIES}`);
  }
  const files = rawFiles.map((f, i) => file(f, i, certsDir));
  const total = files.reduce((n, f) => n + f.size, 0);
  if (total > MAX_BACKUP_BYTES) throw new SchemaError(`its copies add up to ${total} bytes, more than the limit of ${MAX_BACKUP_BYTES}`);
  const created = rawCreated.map((c, i) => {
    const p = str(c, `created[${i}]`);
    if (!isNormalAbsolute(p)) throw new SchemaError(`created[${i}] ${show(p)} is not an absolute path without ".."`);
    return p;
  });
  unique([...files.map((f) => f.path), ...created], 'the manifest');
  const caKey = o.caKey === undefined ? undefined : str(o.caKey, 'caKey');
  if (caKey !== undefined && !isNormalAbsolute(caKey)) throw new SchemaError(`caKey ${show(caKey)} is not an absolute path without ".."`);
  for (const p of [...files.map((f) => f.path), ...created]) {
    if (inCertsDir(p, certsDir)) continue;
    if (!caKey) continue; // decided by the rollback: only with the CA key named by the user (restore.ts)
    if (p !== caKey && !isOldKeyPathOf(p, caKey))
      throw new SchemaError(`${show(p)} is neither a file directly in the certs dir nor the CA key ${show(caKey)} or its moved-aside name`);
  }
  return {
    id,
    createdAt,
    reason,
    certsDir,
    files,
    created,
    ...(caKey !== undefined ? { caKey } : {}),
    ...(o.proof !== undefined ? { proof: proofs(o.proof, 'proof') } : {}),
  };
}

/** What the proof of a manifest signs: every field but the proof, in a fixed order. */
export function manifestProofData(m: BackupManifest): string {
  return (
    'crdb-tls backup manifest v1\n' +
    JSON.stringify([
      m.id,
      m.createdAt,
      m.reason,
      m.certsDir,
      m.caKey ?? null,
      m.files.map((f) => [f.path, f.copy, f.mode, f.sha256, f.size, f.uid ?? null, f.gid ?? null]),
      m.created,
    ])
  );
}
