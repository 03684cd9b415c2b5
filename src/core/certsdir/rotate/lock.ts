/**
 * One rotation at a time per certs dir: a lock file in the dir (cockroach ignores files that do
 * not end in .crt), created exclusively. It also carries the journal of the running rotation, so
 * the run that takes over a stale lock (its process gone) can finish or undo the interrupted work.
 */
import { closeSync, fsyncSync, linkSync, openSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { UserError, errnoCode, errMessage } from '../../errors';
import { InputFileError, MAX_JSON_BYTES, readInputBytes } from '../../input';
import { fsyncPath, lstatOrUndefined } from './files';
import { journalMismatch } from './consistent';
import { journalProofData, parseLockInfo } from './journal';
import { provenBy } from './proof';
import { SchemaError } from './schema';
import { recoverJournal } from './txn';
import { Journal, LockInfo } from './types';

export const LOCK_NAME = '.crdb-tls-rotate.lock';
/** A lock file with no content yet is being written by its creator; only an old one is abandoned. */
const EMPTY_LOCK_GRACE_MS = 10_000;

export type { LockInfo } from './types';

function isAlive(info: LockInfo): boolean {
  if (info.abandoned) return false;
  if (info.hostname !== hostname()) return true; // another machine's process: we cannot tell, so it holds
  try {
    process.kill(info.pid, 0);
    return true;
  } catch (err) {
    return errnoCode(err) === 'EPERM';
  }
}

type Parsed = { info: LockInfo } | { empty: true } | { invalid: string };

/**
 * The lock file's content, checked (journal.ts): a journal that touches files outside the certs dir
 * must be signed by the key now at its CA key path. Empty: a lock whose creator has not written it yet.
 */
function parseLock(raw: Buffer, certsDir: string): Parsed {
  if (raw.toString('utf8').trim() === '') return { empty: true };
  let v: unknown;
  try {
    v = JSON.parse(raw.toString('utf8'));
  } catch {
    return { invalid: 'it is not JSON' };
  }
  try {
    const { info, outside } = parseLockInfo(v, certsDir);
    const j = info.journal;
    if (j && outside.length > 0 && !(j.caKey && provenBy(journalProofData(j, certsDir), j.proof, j.caKey))) {
      return { invalid: `its journal touches ${outside[0]}, outside the certs dir, and is not signed by the CA key there` };
    }
    return { info };
  } catch (err) {
    if (err instanceof SchemaError) return { invalid: err.message };
    throw err;
  }
}

/** The bytes of the lock file `path`: a regular file within the cap, never a link (undefined: gone). */
function readLockFile(path: string): Buffer | undefined {
  const st = lstatOrUndefined(path);
  if (!st) return undefined;
  if (st.isSymbolicLink()) throw untrusted(path, 'it is a symbolic link');
  try {
    return readInputBytes(path, { maxBytes: MAX_JSON_BYTES, what: 'the rotation lock' });
  } catch (err) {
    if (err instanceof InputFileError && err.problem === 'missing') return undefined;
    if (err instanceof InputFileError)
      throw untrusted(
        path,
        errMessage(err)
          .split(path)
          .join('the file')
          .replace(/: [^:]*$/, ''),
      );
    throw err;
  }
}

function untrusted(path: string, why: string): UserError {
  return new UserError(
    `the lock file ${path} is not one this tool wrote (${why.replace(/[\r\n]+/g, ' ')}): nothing was changed; ` +
      `check the certs dir, remove that file by hand, then run again (or roll back with "crdb-tls cert rollback").`,
    path,
  );
}

function writeFileSynced(path: string, data: string, flag: 'wx' | 'w'): void {
  const fd = openSync(path, flag, 0o600);
  try {
    writeSync(fd, Buffer.from(data));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export class RotationLock {
  private released = false;

  private constructor(
    readonly path: string,
    readonly info: LockInfo,
  ) {}

  /**
   * Takes the lock of `certsDir`, or throws a UserError naming the rotation that holds it. A stale
   * lock (its process gone) is taken over: `messages` gets a sentence about it and about the
   * interrupted work that was finished or undone.
   */
  static acquire(certsDir: string, command: LockInfo['command'], messages: string[]): RotationLock {
    const path = join(certsDir, LOCK_NAME);
    const info: LockInfo = { pid: process.pid, hostname: hostname(), startedAt: new Date().toISOString(), command };
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        writeFileSynced(path, JSON.stringify(info), 'wx');
        fsyncPath(certsDir);
        return new RotationLock(path, info);
      } catch (err) {
        const code = errnoCode(err);
        if (code !== 'EEXIST') {
          throw new UserError(
            `could not create the lock file ${path} (${code ?? errMessage(err)}): the certs directory must be writable to rotate; nothing was changed.`,
            path,
          );
        }
      }
      RotationLock.takeOverStale(path, messages);
    }
    throw new UserError(`could not take the lock ${path}: another rotation keeps taking it; try again.`, path);
  }

  /** Throws when the lock at `path` is held; else moves it away, recovers its journal, and returns. */
  private static takeOverStale(path: string, messages: string[]): void {
    const raw = readLockFile(path);
    if (!raw) return; // released meanwhile: try again
    const parsed = parseLock(raw, resolve(dirname(path)));
    if ('invalid' in parsed) throw untrusted(path, parsed.invalid);
    const held = 'info' in parsed ? parsed.info : undefined;
    if (held && isAlive(held)) {
      throw new UserError(
        `another rotation is running on this certs directory (${held.command}, pid ${held.pid} on ${held.hostname}, since ${held.startedAt}): ` +
          `wait for it to finish. If that process is gone (another machine's), remove ${path} and run again.`,
        path,
      );
    }
    // A stale journal is obeyed only when it agrees with its backup and the files (consistent.ts).
    const why = held?.journal ? journalMismatch(held.journal, resolve(dirname(path))) : undefined;
    if (why) throw untrusted(path, why);
    if (!held) {
      const age = Date.now() - (lstatOrUndefined(path)?.mtimeMs ?? 0);
      if (age < EMPTY_LOCK_GRACE_MS) throw new UserError(`another rotation is starting on this certs directory (lock ${path}): wait for it to finish.`, path);
    }
    // Move it aside, then check that what moved is the stale lock and not a fresh one taken meanwhile.
    const aside = `${path}.stale-${randomBytes(4).toString('hex')}`;
    try {
      renameSync(path, aside);
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return;
      throw new UserError(`could not take over the stale lock ${path} (${errnoCode(err) ?? errMessage(err)}): remove it by hand.`, path);
    }
    if (!(readLockFile(aside) ?? Buffer.alloc(0)).equals(raw)) {
      try {
        linkSync(aside, path);
      } catch {
        // someone else holds a newer lock already
      }
      unlinkSync(aside);
      throw new UserError(`another rotation just took the lock ${path}: wait for it to finish.`, path);
    }
    messages.push(
      held
        ? `took over a stale lock: ${held.command} (pid ${held.pid}, started ${held.startedAt}) is no longer running.`
        : `took over an empty lock file ${path} left by a rotation that did not start.`,
    );
    if (held?.journal) {
      try {
        messages.push(recoverJournal(held.journal));
      } catch (err) {
        // Keep the journal: put the lock back so that nothing else runs over the half-done work.
        // The next run retries; removing the lock by hand gives up the journal (then roll back).
        try {
          linkSync(aside, path);
        } catch {
          // a new lock already exists
        }
        unlinkSync(aside);
        throw new UserError(
          `${errMessage(err)} Fix the cause and run again, or remove ${path} to give up finishing it and roll back` +
            (held.journal.backupId ? ` with "crdb-tls cert rollback ${held.journal.backupId}".` : '.'),
          path,
        );
      }
    }
    unlinkSync(aside);
  }

  /** Records (or clears) the journal of the running rotation, atomically (apply.ts signs one that touches the CA key). */
  setJournal(journal: Journal | undefined): void {
    const next: LockInfo = { ...this.info, ...(journal ? { journal } : {}) };
    const tmp = `${this.path}.${randomBytes(4).toString('hex')}.tmp`;
    writeFileSynced(tmp, JSON.stringify(next), 'wx');
    renameSync(tmp, this.path);
  }

  /** Leaves the lock and its journal for the next run to take over and finish. */
  abandon(): void {
    this.released = true;
    try {
      const raw = JSON.parse(readInputBytes(this.path, { maxBytes: MAX_JSON_BYTES }).toString('utf8')) as LockInfo;
      const tmp = `${this.path}.${randomBytes(4).toString('hex')}.tmp`;
      writeFileSynced(tmp, JSON.stringify({ ...raw, abandoned: true }), 'wx');
      renameSync(tmp, this.path);
    } catch {
      // the lock stays as it is: its process ending makes it stale
    }
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    try {
      unlinkSync(this.path);
    } catch {
      // already gone
    }
  }
}

/** The lock of `certsDir` as it is on disk, without taking it (undefined: none, unreadable, or not one this tool wrote). */
export function readLock(certsDir: string): LockInfo | undefined {
  try {
    const raw = readLockFile(join(certsDir, LOCK_NAME));
    const parsed = raw ? parseLock(raw, resolve(certsDir)) : undefined;
    const info = parsed && 'info' in parsed ? parsed.info : undefined;
    if (info?.journal && !isAlive(info) && journalMismatch(info.journal, resolve(certsDir))) return undefined;
    return info;
  } catch {
    return undefined;
  }
}

/**
 * Finishes (or undoes) a rotation that was interrupted in `certsDir`, if any: takes the stale lock
 * and releases it. Throws when a live rotation holds the lock. Returns what was done.
 */
export function recoverInterrupted(certsDir: string): string[] {
  const messages: string[] = [];
  let dir = false;
  try {
    dir = statSync(certsDir).isDirectory();
  } catch {
    dir = false;
  }
  if (!dir) return messages; // no certs dir, no lock: the plan says what is wrong with the path
  if (!lstatOrUndefined(join(certsDir, LOCK_NAME))) return messages;
  RotationLock.acquire(certsDir, 'recover', messages).release();
  return messages;
}
