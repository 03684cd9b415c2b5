/**
 * Backups of the files a rotation replaces: a timestamped folder (0700) outside the certs dir,
 * by default under `<certs-dir>.backups/`, with a copy of each file (0600) and manifest.json
 * (paths, modes, SHA-256). A folder without a manifest is an unfinished backup and is ignored.
 */
import { chmodSync, closeSync, constants, fstatSync, fsyncSync, mkdirSync, openSync, readdirSync, readSync, renameSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UserError, errnoCode, errMessage } from '../../errors';
import { MAX_JSON_BYTES, readInputBytes } from '../../input';
import { fsyncPath, lstatOrUndefined, readFileOrThrow, sha256, stamp } from './files';
import { copyName, manifestProofData, parseManifest, restorableMode } from './manifest';
import { proofsBy } from './proof';
import { MAX_BACKUP_ENTRIES, MAX_COPY_BYTES, SchemaError, show } from './schema';
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
    throw new UserError(
      `could not create the backup folder ${root} (${errnoCode(err) ?? errMessage(err)}): pass a writable --backup-dir; nothing was changed.`,
      root,
    );
  }
}

/** The CA key an operation outside the certs dir was given, and the keys at its path before and after (proof.ts). */
export interface CaKeyProof {
  caKey: string;
  keys: (Buffer | string)[];
}

/**
 * Copies `paths` (existing regular files) into a new folder below `root`, manifest last. With `ca`,
 * the manifest records the CA key and is signed by `ca.keys`.
 */
export function createBackup(
  root: string,
  certsDir: string,
  reason: string,
  paths: string[],
  created: string[],
  now = new Date(),
  ca?: CaKeyProof,
): BackupInfo {
  if (paths.length + created.length > MAX_BACKUP_ENTRIES) {
    throw new UserError(
      `this operation would back up ${paths.length + created.length} files, more than the limit of ${MAX_BACKUP_ENTRIES} a backup holds: split the work into smaller runs; nothing was changed.`,
      certsDir,
    );
  }
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
        throw new UserError(
          `could not create a backup folder in ${root} (${errnoCode(err) ?? errMessage(err)}): pass a writable --backup-dir; nothing was changed.`,
          root,
        );
      }
      id = `${stamp(now)}-${n}`;
      dir = join(root, id);
    }
  }
  const files: BackupFile[] = paths.map((path, i) => {
    const st = lstatOrUndefined(path);
    if (!st?.isFile()) throw new UserError(`${path} is not a regular file: it cannot be backed up; move it away.`, path);
    const data = readFileOrThrow(path);
    const copy = copyName(i, path);
    try {
      writeSynced(join(dir, copy), data, COPY_MODE);
    } catch (err) {
      throw new UserError(
        `could not write the backup of ${path} to ${dir} (${errnoCode(err) ?? errMessage(err)}): check the space and permissions of the backup folder; nothing was changed.`,
        dir,
      );
    }
    return {
      path,
      copy,
      mode: restorableMode(path, resolve(certsDir), st.mode & 0o7777, st.uid),
      sha256: sha256(data),
      size: data.length,
      uid: st.uid,
      gid: st.gid,
    };
  });
  const manifest: BackupManifest = {
    id,
    createdAt: now.toISOString(),
    reason,
    certsDir: resolve(certsDir),
    files,
    created,
    ...(ca ? { caKey: ca.caKey } : {}),
  };
  if (ca) manifest.proof = proofsBy(manifestProofData(manifest), ca.keys);
  const tmp = join(dir, `.${MANIFEST}.tmp`);
  writeSynced(tmp, JSON.stringify(manifest, null, 2) + '\n', COPY_MODE);
  renameSync(tmp, join(dir, MANIFEST));
  fsyncPath(dir);
  fsyncPath(root);
  return { ...manifest, dir };
}

/** A backup folder whose manifest was refused, and why (one line). */
export interface RejectedBackup {
  dir: string;
  reason: string;
}

type Read = { manifest: BackupManifest } | { rejected: string } | undefined;

/** The manifest of the folder `dir`, checked (manifest.ts); undefined: no manifest (an unfinished backup). */
function readManifest(dir: string): Read {
  const st = lstatOrUndefined(dir);
  if (!st) return undefined;
  if (st.isSymbolicLink()) return { rejected: 'the folder is a symbolic link, not a backup folder' };
  if (!st.isDirectory()) return undefined;
  const path = join(dir, MANIFEST);
  const mst = lstatOrUndefined(path);
  if (!mst) return undefined;
  if (mst.isSymbolicLink()) return { rejected: `${MANIFEST} is a symbolic link` };
  let text: string;
  try {
    text = readInputBytes(path, { maxBytes: MAX_JSON_BYTES, what: 'a backup manifest' }).toString('utf8');
  } catch (err) {
    // InputFileError: "<path> is a FIFO ..., not a regular file: <fix>" → "manifest.json is a FIFO ..., not a regular file"
    return {
      rejected: errMessage(err)
        .split(path)
        .join(MANIFEST)
        .replace(/: [^:]*$/, ''),
    };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { rejected: `it is not JSON (${errMessage(err).slice(0, 80)})` };
  }
  try {
    return { manifest: parseManifest(raw, basename(dir)) };
  } catch (err) {
    if (err instanceof SchemaError) return { rejected: err.message };
    throw err;
  }
}

/** The finished backups below `root` of `certsDir` (all of them without it), newest first, and the folders refused. */
export function scanBackups(root: string, certsDir?: string): { backups: BackupInfo[]; rejected: RejectedBackup[] } {
  let names: string[];
  try {
    names = readdirSync(root);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return { backups: [], rejected: [] };
    throw new UserError(`could not read the backup folder ${root} (${errnoCode(err) ?? errMessage(err)}): check its permissions.`, root);
  }
  const want = certsDir ? resolve(certsDir) : undefined;
  const backups: BackupInfo[] = [];
  const rejected: RejectedBackup[] = [];
  for (const n of names.sort()) {
    const r = readManifest(join(root, n));
    if (!r) continue;
    if ('rejected' in r) rejected.push({ dir: join(root, n), reason: r.rejected.replace(/[\r\n]+/g, ' ') });
    else if (!want || r.manifest.certsDir === want) backups.push({ ...r.manifest, dir: join(root, n) });
  }
  backups.sort((a, b) => (a.createdAt === b.createdAt ? (a.id < b.id ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1));
  return { backups, rejected };
}

function rejectedError(r: RejectedBackup, more: number): UserError {
  return new UserError(
    `backup folder ${r.dir} has an invalid ${MANIFEST} (${r.reason}): it is not used, nothing was changed; check and remove that folder, or roll back to another backup` +
      (more > 0 ? ` (${more} more folder${more === 1 ? '' : 's'} refused too).` : '.'),
    join(r.dir, MANIFEST),
  );
}

/**
 * The finished backups below `root` of `certsDir` (all of them without it), newest first. Throws
 * when there are none but some folders were refused: a corrupt manifest is not "no backups".
 */
export function listBackups(root: string, certsDir?: string): BackupInfo[] {
  if (certsDir) notADirectory(certsDir);
  const { backups, rejected } = scanBackups(root, certsDir);
  if (backups.length === 0 && rejected.length > 0) throw rejectedError(rejected[0], rejected.length - 1);
  if (backups.length === 0 && certsDir) madeElsewhere(root, certsDir);
  return backups;
}

/** A certs dir that exists but is not a folder (a FIFO, a file) has no backups: say what it is instead of "(0 rows)". */
function notADirectory(certsDir: string): void {
  let st;
  try {
    st = statSync(certsDir);
  } catch {
    return; // missing: no backups of it, which is what the list says
  }
  if (!st.isDirectory()) throw new UserError(`${certsDir} is not a directory: pass the certs directory to --certs-dir.`, certsDir);
}

/**
 * No backups of `certsDir` in its own `<certs-dir>.backups`, but some of another path there (the
 * certs dir and its backups were moved or copied since; a manifest records the absolute path):
 * name them instead of "no backups".
 */
function madeElsewhere(root: string, certsDir: string): void {
  if (resolve(root) !== defaultBackupRoot(certsDir)) return; // a --backup-dir may be shared by several certs dirs
  const others = scanBackups(root).backups;
  if (others.length === 0) return;
  const dirs = [...new Set(others.map((b) => b.certsDir))];
  const ids = others.map((b) => b.id);
  throw new UserError(
    `no backups of ${resolve(certsDir)} in ${root}, but ${others.length} backup folder${others.length === 1 ? '' : 's'} there ${others.length === 1 ? 'was' : 'were'} made for ` +
      `${dirs.slice(0, 2).join(', ')}${dirs.length > 2 ? ` and ${dirs.length - 2} more` : ''} (${ids.slice(0, 3).join(', ')}${ids.length > 3 ? ', ...' : ''}): ` +
      `a backup restores only the path it was made for; if the certs dir was moved, move it back to roll back, or pass the --certs-dir it was made for.`,
    root,
  );
}

/** One backup by id, or the newest of `certsDir` without one. */
export function findBackup(root: string, certsDir: string, id?: string): BackupInfo {
  const { backups: all, rejected } = scanBackups(root, certsDir);
  const bad = id ? rejected.find((r) => basename(r.dir) === id) : undefined;
  if (bad) throw rejectedError(bad, 0);
  if (all.length === 0 && rejected.length > 0) throw rejectedError(rejected[0], rejected.length - 1);
  if (all.length === 0) notADirectory(certsDir);
  if (all.length === 0) madeElsewhere(root, certsDir);
  if (all.length === 0) throw new UserError(`no backups of ${certsDir} in ${root}: nothing to roll back to (pass --backup-dir if they are elsewhere).`, root);
  if (!id) return all[0];
  const b = all.find((x) => x.id === id);
  if (!b) throw new UserError(`no backup ${show(id)} of ${certsDir} in ${root}: the backups are ${all.map((x) => x.id).join(', ')}.`, root);
  return b;
}

/**
 * The bytes of the copy `path`, opened without following a link and checked on the descriptor: a
 * regular file of its own (one link: a hard link could be any file of the user's, say the CA key)
 * of `size` bytes. Returns why it is not one, for "backup X is damaged: <copy> ... <why>".
 */
function readCopy(path: string, size: number): Buffer | string {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT') return 'is missing';
    if (code === 'ELOOP' || lstatOrUndefined(path)?.isSymbolicLink()) return 'is a symbolic link, not a copy';
    return `cannot be read (${code ?? errMessage(err)})`;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return 'is not a regular file';
    if (st.nlink !== 1) return `has ${st.nlink} hard links, not 1: a copy is a file of its own, never a link to another file`;
    if (st.size !== size) return `has ${st.size} bytes, not the ${size} in its manifest`;
    if (size > MAX_COPY_BYTES) return `is larger than the ${MAX_COPY_BYTES}-byte limit of a copy`;
    const data = Buffer.alloc(size);
    let got = 0;
    while (got < size) {
      const n = readSync(fd, data, got, size - got, got);
      if (n === 0) break;
      got += n;
    }
    return got === size ? data : `has ${got} bytes, not the ${size} in its manifest`;
  } catch (err) {
    return `cannot be read (${errnoCode(err) ?? errMessage(err)})`;
  } finally {
    closeSync(fd);
  }
}

/**
 * The bytes of every copy, checked against the manifest (a damaged backup is never restored): each
 * copy is a regular file with one link (not a symbolic or hard link) in the backup's own folder, of
 * the size and SHA-256 recorded.
 */
export function readBackupFiles(b: BackupInfo): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const f of b.files) {
    const copy = join(b.dir, f.copy);
    const damaged = (why: string) => new UserError(`backup ${b.id} is damaged: ${copy} (of ${f.path}) ${why}; nothing was changed. Use another backup.`, copy);
    if (dirname(copy) !== b.dir) throw damaged('is not in the backup folder');
    const data = readCopy(copy, f.size);
    if (typeof data === 'string') throw damaged(data);
    if (sha256(data) !== f.sha256) throw damaged('does not have the SHA-256 in its manifest');
    out.set(f.path, data);
  }
  return out;
}
