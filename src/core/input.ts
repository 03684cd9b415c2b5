/**
 * Reading files the user (or a workspace) names: only regular files, opened non-blocking and with a
 * size cap, so that a FIFO, /dev/zero or a huge file gives a one-line error instead of a hang.
 * Every read of a file named by a flag, a connection string, a certs dir or a backup goes here.
 */
import { closeSync, constants, fstatSync, openSync, readSync, statSync, Stats } from 'node:fs';
import { UserError, errnoCode, errMessage } from './errors';

/** A certificate, key or CA bundle: the largest real ones (a system CA bundle) are ~250 KB. */
export const MAX_PEM_BYTES = 1024 * 1024;
/** A text file to lint (a .env, a YAML manifest, a source file). */
export const MAX_TEXT_BYTES = 16 * 1024 * 1024;
/** A backup manifest or a lock journal. */
export const MAX_JSON_BYTES = 4 * 1024 * 1024;

export type InputProblem = 'missing' | 'directory' | 'not-regular' | 'too-large' | 'unreadable';

/** A file that could not be read as input: `problem` tells the kind, the message names the file and the fix. */
export class InputFileError extends UserError {
  /**
   * What is wrong, without the path or the fix, for messages that name the file their own way:
   * "is a FIFO (named pipe), not a regular file", "is 2 MiB, larger than the 1 MiB limit", "permission denied (EACCES)".
   */
  readonly detail: string;
  constructor(
    message: string,
    file: string,
    readonly problem: InputProblem,
    readonly code?: string,
    detail?: string,
  ) {
    super(message, file);
    this.name = 'InputFileError';
    this.detail = detail ?? message;
  }
}

export interface ReadInputOptions {
  /** Default MAX_PEM_BYTES. */
  maxBytes?: number;
  /** What the file is for, in the message: "the CA key (--ca-key)". */
  what?: string;
}

function kindOf(st: Stats): string {
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  if (st.isDirectory()) return 'a directory';
  return 'not a regular file';
}

function sizeText(n: number): string {
  return n >= 1024 * 1024 ? `${Math.round(n / (1024 * 1024))} MiB` : `${Math.round(n / 1024)} KiB`;
}

const forWhat = (o: ReadInputOptions) => (o.what ? ` for ${o.what}` : '');

function problemFor(path: string, st: Stats, o: ReadInputOptions): InputFileError | undefined {
  if (st.isDirectory())
    return new InputFileError(`${path} is a directory, not a file: pass the file itself${forWhat(o)}.`, path, 'directory', undefined, 'is a directory');
  if (!st.isFile())
    return new InputFileError(
      `${path} is ${kindOf(st)}, not a regular file: only regular files are read; pass a regular file${forWhat(o)}.`,
      path,
      'not-regular',
      undefined,
      `is ${kindOf(st)}, not a regular file`,
    );
  if (st.size > (o.maxBytes ?? MAX_PEM_BYTES)) return tooLarge(path, st.size, o);
  return undefined;
}

function tooLarge(path: string, size: number, o: ReadInputOptions): InputFileError {
  const max = o.maxBytes ?? MAX_PEM_BYTES;
  const detail = `is ${sizeText(size)}, larger than the ${sizeText(max)} limit${forWhat(o) || ' for this kind of file'}`;
  return new InputFileError(`${path} ${detail}: pass the right file.`, path, 'too-large', undefined, detail);
}

const PLAIN_ERRNO: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ELOOP: 'too many symbolic links',
  EIO: 'input/output error',
};

function openError(path: string, err: unknown, o: ReadInputOptions): InputFileError {
  const code = errnoCode(err);
  if (code === 'ENOENT' || code === 'ENOTDIR')
    return new InputFileError(`${path} does not exist: check the path${o.what ? ` of ${o.what}` : ''}.`, path, 'missing', code, 'does not exist');
  if (code === 'EISDIR')
    return new InputFileError(`${path} is a directory, not a file: pass the file itself${forWhat(o)}.`, path, 'directory', code, 'is a directory');
  const plain = code && PLAIN_ERRNO[code] ? `${PLAIN_ERRNO[code]} (${code})` : (code ?? errMessage(err));
  return new InputFileError(`could not read ${path} (${code ?? errMessage(err)}): check its permissions.`, path, 'unreadable', code, plain);
}

/** stat() of a file to read, as an InputFileError when it is missing or not a regular file within the cap. */
export function statInput(path: string, o: ReadInputOptions = {}): Stats {
  let st: Stats;
  try {
    st = statSync(path);
  } catch (err) {
    throw openError(path, err, o);
  }
  const p = problemFor(path, st, o);
  if (p) throw p;
  return st;
}

/**
 * The bytes of a regular file of at most `maxBytes`, or an InputFileError. The path is checked
 * before it is opened (a FIFO is never opened), opened non-blocking (a FIFO swapped in meanwhile
 * does not block), checked again on the open descriptor, and read no further than the cap.
 */
export function readInput(path: string, o: ReadInputOptions = {}): { data: Buffer; stat: Stats } {
  statInput(path, o);
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (err) {
    throw openError(path, err, o);
  }
  try {
    const st = fstatSync(fd);
    const p = problemFor(path, st, o);
    if (p) throw p;
    const max = o.maxBytes ?? MAX_PEM_BYTES;
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(Math.min(Math.max(st.size - total, 0) + 1, 64 * 1024, max + 1 - total));
      let n: number;
      try {
        n = readSync(fd, buf, 0, buf.length, null);
      } catch (err) {
        throw openError(path, err, o);
      }
      if (n === 0) break;
      chunks.push(buf.subarray(0, n));
      total += n;
      if (total > max) throw tooLarge(path, total, o);
    }
    return { data: Buffer.concat(chunks, total), stat: st };
  } finally {
    closeSync(fd);
  }
}

/** readInput's bytes only. */
export function readInputBytes(path: string, o: ReadInputOptions = {}): Buffer {
  return readInput(path, o).data;
}
