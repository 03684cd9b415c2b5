/**
 * The paths a backup manifest or a lock journal may name. Both are untrusted input, so each path
 * must be a plain file name directly in the certs dir they were written for, or the one CA key of a
 * rotate-ca (and the names rotate-ca moves the old key to, beside it). Paths are compared as
 * written (absolute, normalized, no ".."): the certs dir and the CA key's folder are the ones the
 * user named, and the file itself must not be a link (see regularOrAbsent), so a write lands in
 * that folder whatever its real path is.
 */
import { basename, dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { lstatOrUndefined, stamp } from './files';

/** A name directly in the certs dir: no folder part, not hidden (the lock and the temps start with a dot). */
export function isCertsDirName(name: string): boolean {
  return name.length > 0 && name.length <= 255 && !/[/\\\0]/.test(name) && !name.startsWith('.');
}

/** Absolute and normalized: no "..", no "//", no trailing slash. */
export function isNormalAbsolute(p: string): boolean {
  return isAbsolute(p) && resolve(p) === p && !p.includes('\0');
}

/** `p` is a file directly in `certsDir` (absolute, normalized). */
export function inCertsDir(p: string, certsDir: string): boolean {
  return isNormalAbsolute(p) && dirname(p) === certsDir && isCertsDirName(basename(p));
}

function oldKeyParts(caKey: string): { stem: string; ext: string } {
  const ext = extname(caKey) || '.key';
  return { stem: join(dirname(caKey), basename(caKey, extname(caKey))), ext };
}

/** The name the old CA key moves to: ca.key → ca.old.key, with a timestamp when that is taken. */
export function oldKeyPath(caKey: string, now: Date): string {
  const { stem, ext } = oldKeyParts(caKey);
  const plain = `${stem}.old${ext}`;
  if (!lstatOrUndefined(plain)) return plain;
  for (let n = 0; ; n++) {
    const p = `${stem}.old.${stamp(now)}${n ? `-${n}` : ''}${ext}`;
    if (!lstatOrUndefined(p)) return p;
  }
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `p` is one of the names oldKeyPath gives the old key of `caKey`. */
export function isOldKeyPathOf(p: string, caKey: string): boolean {
  if (!isNormalAbsolute(p) || dirname(p) !== dirname(caKey)) return false;
  const { stem, ext } = oldKeyParts(caKey);
  return new RegExp(`^${escape(basename(stem))}\\.old(?:\\.\\d{8}T\\d{9}Z(?:-[1-9]\\d{0,5})?)?${escape(ext)}$`).test(basename(p));
}

/** Why `p` cannot be written or removed by a rollback or a recovery (a link, a folder, a FIFO...), or undefined. */
export function notRegular(p: string): string | undefined {
  const st = lstatOrUndefined(p);
  if (!st || st.isFile()) return undefined;
  return st.isSymbolicLink() ? 'a symbolic link' : st.isDirectory() ? 'a directory' : 'not a regular file';
}
