import { chmodSync, chownSync, closeSync, fsyncSync, lstatSync, openSync, readFileSync, renameSync, unlinkSync, writeSync, Stats } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { UserError, errnoCode, errMessage } from '../errors';

export const KEY_MODE = 0o600;
export const CERT_MODE = 0o644;
export const CERTS_DIR_MODE = 0o700;

export interface FileWrite {
  path: string;
  data: Buffer | string;
  mode: number;
}

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined;
    throw new UserError(`could not check ${path} (${errnoCode(err) ?? errMessage(err)}): check the permissions of its directory.`, path);
  }
}

/** Refuses to replace an existing file unless `overwrite` (cockroach: "file exists"). */
export function assertCanWrite(path: string, overwrite: boolean): void {
  const st = lstatOrUndefined(path);
  if (!st) return;
  if (st.isDirectory()) throw new UserError(`${path} is a directory: move it away, a file is written there.`, path);
  if (!overwrite) throw new UserError(`file exists: ${path}; rerun with --overwrite to replace it.`, path);
}

function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some file systems do not support fsync on directories; the rename is still atomic.
  }
}

/** Writes a new temp file in full with an exact mode (the umask may narrow it) and fsyncs it. */
export function writeTempFile(tmp: string, data: Buffer | string, mode: number): void {
  const fd = openSync(tmp, 'wx', mode);
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  chmodSync(tmp, mode);
}

function tempPathOf(path: string): string {
  return join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
}

interface Before {
  data: Buffer;
  mode: number;
  uid: number;
  gid: number;
}

/** Puts a replaced file back as a write like any other: temp file (its mode, its owner when we may), fsync, rename. */
function putBack(path: string, b: Before): void {
  const tmp = tempPathOf(path);
  try {
    writeTempFile(tmp, b.data, b.mode);
    try {
      chownSync(tmp, b.uid, b.gid);
    } catch {
      // not root: the file is ours anyway
    }
    renameSync(tmp, path);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      /* never written */
    }
    throw err;
  }
}

/**
 * Writes a set of files atomically: each goes to a temp file in the same directory (exact mode,
 * fsync), then all are renamed into place. If a rename fails, the files already replaced are put
 * back as they were (written the same way), so the set lands whole or not at all.
 */
export function commitFiles(writes: FileWrite[]): void {
  const temps: string[] = [];
  const done: { path: string; before?: Before }[] = [];
  try {
    for (const w of writes) {
      const tmp = tempPathOf(w.path);
      temps.push(tmp);
      writeTempFile(tmp, w.data, w.mode);
    }
    writes.forEach((w, i) => {
      const st = lstatOrUndefined(w.path);
      const before = st?.isFile() ? { data: readFileSync(w.path), mode: st.mode & 0o7777, uid: st.uid, gid: st.gid } : undefined;
      renameSync(temps[i], w.path);
      temps[i] = '';
      done.push({ path: w.path, before });
    });
    for (const dir of new Set(writes.map((w) => dirname(w.path)))) fsyncDir(dir);
  } catch (err) {
    for (const t of temps)
      if (t)
        try {
          unlinkSync(t);
        } catch {
          /* already gone */
        }
    for (const d of done.reverse()) {
      try {
        if (d.before) putBack(d.path, d.before);
        else unlinkSync(d.path);
      } catch {
        /* best effort: report the original error */
      }
    }
    for (const dir of new Set(done.map((d) => dirname(d.path)))) fsyncDir(dir);
    if (err instanceof UserError) throw err;
    throw new UserError(
      `could not write ${writes.map((w) => w.path).join(', ')} (${errnoCode(err) ?? errMessage(err)}): check that the directory is writable and the disk has space; nothing was changed.`,
    );
  }
}
