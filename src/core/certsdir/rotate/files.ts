import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, lstatSync, openSync, Stats } from 'node:fs';
import { UserError, errnoCode, errMessage } from '../../errors';
import { MAX_PEM_BYTES, readInputBytes } from '../../input';

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined;
    throw new UserError(`could not check ${path} (${errnoCode(err) ?? errMessage(err)}): check the permissions of its directory.`, path);
  }
}

/** The SHA-256 of a regular file, or null when there is none. */
export function fileSha256(path: string): string | null {
  const st = lstatOrUndefined(path);
  if (!st) return null;
  if (!st.isFile()) throw new UserError(`${path} is not a regular file: move it away; rotation only replaces regular files.`, path);
  return sha256(readFileOrThrow(path));
}

/** A regular file of at most `maxBytes` (default: a certificate's or key's cap), or a UserError naming it. */
export function readFileOrThrow(path: string, maxBytes = MAX_PEM_BYTES): Buffer {
  return readInputBytes(path, { maxBytes });
}

export function fsyncPath(path: string): void {
  try {
    const fd = openSync(path, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some file systems cannot fsync a directory; the renames are still atomic.
  }
}

/** Running as root: new files get the owner of the file they replace (or of their directory), so cockroach can still read them. */
export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

export function modeText(mode: number): string {
  return `0${(mode & 0o7777).toString(8)}`;
}

/** "20250102T030405678Z": sortable, and safe in a file name on every system. */
export function stamp(d: Date): string {
  return d.toISOString().replace(/[-:.]/g, '');
}
