/**
 * Backups of the files a rotation replaces: a timestamped folder (0700) outside the certs dir,
 * by default under `<certs-dir>.backups/`, with a copy of each file (0600) and manifest.json
 * (paths, modes, SHA-256). A folder without a manifest is an unfinished backup and is ignored.
 */
import { chmodSync, closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { UserError, errnoCode, errMessage } from '../../errors';
import { fsyncPath, lstatOrUndefined, readFileOrThrow, sha256, stamp } from './files';
import { BackupFile, BackupInfo, BackupManifest } from './types';

export const MANIFEST = 'manifest.json';
const BACKUP_DIR_MODE = 0o700;
const COPY_MODE = 0o600;

/** `<certs-dir>.backups`, beside the certs dir (never inside it: cockroach would see the copies' names). */
export function defaultBackupRoot(certsDir: string): string {
  return `${resolve(certsDir).replace(/[\\/]+$/, '')}.backups`;
}

function writeSynced(path: string, data: Buffer | string, mode: number): void {
  const fd = openSync(path, 'wx', mode);
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  chmodSync(path, mode);
}

function ensureRoot(root: string): void {
  const st = lstatOrUndefined(root);
  if (st && !st.isDirectory()) throw new UserError(`backup location ${root} exists but is not a directory: pass another --backup-dir.`, root);
  if (st) return;
  try {
    mkdirSync(root, { recursive: true, mode: BACKUP_DIR_MODE });
    chmodSync(root, BACKUP_DIR_MODE);
  } catch (err) {
    throw new UserError(`could not create the backup folder ${root} (${errnoCode(err) ?? errMessage(err)}): pass a writable --backup-dir; nothing was changed.`, root);
  }
}

/** Copies `paths` (existing regular files) into a new folder below `root`, manifest last. */
export function createBackup(root: string, certsDir: string, reason: string, paths: string[], created: string[], now = new Date()): BackupInfo {
  ensureRoot(root);
  let id = stamp(now);
  let dir = join(root, id);
  for (let n = 1; ; n++) {
    try {
      mkdirSync(dir, { mode: BACKUP_DIR_MODE });
      chmodSync(dir, BACKUP_DIR_MODE);
      break;
    } catch (err) {
      if (errnoCode(err) !== 'EEXIST' || n > 100) {
        throw new UserError(`could not create a backup folder in ${root} (${errnoCode(err) ?? errMessage(err)}): pass a writable --backup-dir; nothing was changed.`, root);
      }
      id = `${stamp(now)}-${n}`;
      dir = join(root, id);
    }
  }
  const files: BackupFile[] = paths.map((path, i) => {
    const st = lstatOrUndefined(path);
    if (!st?.isFile()) throw new UserError(`${path} is not a regular file: it cannot be backed up; move it away.`, path);
    const data = readFileOrThrow(path);
    const copy = `${String(i).padStart(3, '0')}-${basename(path)}`;
    try {
      writeSynced(join(dir, copy), data, COPY_MODE);
    } catch (err) {
      throw new UserError(`could not write the backup of ${path} to ${dir} (${errnoCode(err) ?? errMessage(err)}): check the space and permissions of the backup folder; nothing was changed.`, dir);
    }
    return { path, copy, mode: st.mode & 0o7777, sha256: sha256(data), size: data.length, uid: st.uid, gid: st.gid };
  });
  const manifest: BackupManifest = { id, createdAt: now.toISOString(), reason, certsDir: resolve(certsDir), files, created };
  const tmp = join(dir, `.${MANIFEST}.tmp`);
  writeSynced(tmp, JSON.stringify(manifest, null, 2) + '\n', COPY_MODE);
  renameSync(tmp, join(dir, MANIFEST));
  fsyncPath(dir);
  fsyncPath(root);
  return { ...manifest, dir };
}

function readManifest(dir: string): BackupManifest | undefined {
  try {
    const m = JSON.parse(readFileSync(join(dir, MANIFEST), 'utf8')) as BackupManifest;
    return typeof m.id === 'string' && Array.isArray(m.files) ? m : undefined;
  } catch {
    return undefined;
  }
}

/** The finished backups below `root` of `certsDir` (all of them without it), newest first. */
export function listBackups(root: string, certsDir?: string): BackupInfo[] {
  let names: string[];
  try {
    names = readdirSync(root);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return [];
    throw new UserError(`could not read the backup folder ${root} (${errnoCode(err) ?? errMessage(err)}): check its permissions.`, root);
  }
  const want = certsDir ? resolve(certsDir) : undefined;
  const out: BackupInfo[] = [];
  for (const n of names) {
    const m = readManifest(join(root, n));
    if (m && (!want || m.certsDir === want)) out.push({ ...m, created: m.created ?? [], dir: join(root, n) });
  }
  return out.sort((a, b) => (a.createdAt === b.createdAt ? (a.id < b.id ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1));
}

/** One backup by id, or the newest of `certsDir` without one. */
export function findBackup(root: string, certsDir: string, id?: string): BackupInfo {
  const all = listBackups(root, certsDir);
  if (all.length === 0) throw new UserError(`no backups of ${certsDir} in ${root}: nothing to roll back to (pass --backup-dir if they are elsewhere).`, root);
  if (!id) return all[0];
  const b = all.find((x) => x.id === id);
  if (!b) throw new UserError(`no backup ${JSON.stringify(id)} of ${certsDir} in ${root}: the backups are ${all.map((x) => x.id).join(', ')}.`, root);
  return b;
}

/** The bytes of every copy, checked against the manifest (a damaged backup is never restored). */
export function readBackupFiles(b: BackupInfo): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const f of b.files) {
    const data = readFileOrThrow(join(b.dir, f.copy));
    if (sha256(data) !== f.sha256) {
      throw new UserError(`backup ${b.id} is damaged: ${join(b.dir, f.copy)} (of ${f.path}) does not have the SHA-256 in its manifest; nothing was changed. Use another backup.`, join(b.dir, f.copy));
    }
    out.set(f.path, data);
  }
  return out;
}
