/**
 * A set of file changes applied with a journal, so that a process killed half-way leaves a state the
 * next run can finish: every new file is first written in full to a temp file beside its target
 * (fsync), the journal (in the lock file) then lists the renames, and only then are they done.
 * Killed before the journal: the old files are untouched and the temps are removed. Killed after:
 * the renames are redone (each is idempotent). A file moved aside (the old CA key) is hard-linked
 * to its new name before its old name is replaced, so it exists at every moment.
 */
import { chownSync, linkSync, renameSync, unlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { UserError, errnoCode, errMessage } from '../../errors';
import { notRegular } from './confine';
import { fileSha256, fsyncPath, isRoot, lstatOrUndefined, readFileOrThrow } from './files';
import { writeTempFile } from '../write';
import { Journal, TxnOp } from './types';

export interface StagedWrite {
  path: string;
  data: Buffer | string;
  mode: number;
  /** Owner to give the file (as root); default: the replaced file's, else its directory's. */
  owner?: { uid: number; gid: number };
}

export type { Journal, TxnOp } from './types';

export const TEMP_SUFFIX = '.crdb-tls.tmp';

export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`);
}

const TEMP_RE = /^\.(.+)\.[0-9a-f]{12}\.crdb-tls\.tmp$/;

/** The file a temp of tempPathFor's form is for (same folder), or undefined when `tmp` is not of that form. */
export function targetOfTemp(tmp: string): string | undefined {
  const m = TEMP_RE.exec(basename(tmp));
  return m ? join(dirname(tmp), m[1]) : undefined;
}

function ownerFor(w: StagedWrite): { uid: number; gid: number } | undefined {
  if (w.owner) return w.owner;
  const st = lstatOrUndefined(w.path) ?? lstatOrUndefined(dirname(w.path));
  return st ? { uid: st.uid, gid: st.gid } : undefined;
}

/** Writes one temp file in full: exact mode, owner when root, fsync. */
export function writeTemp(tmp: string, w: StagedWrite): void {
  writeTempFile(tmp, w.data, w.mode);
  if (isRoot()) {
    const o = ownerFor(w);
    if (o) chownSync(tmp, o.uid, o.gid);
  }
}

export function removeTemps(temps: string[]): void {
  for (const t of temps) {
    try {
      unlinkSync(t);
    } catch {
      // already renamed into place, or never written
    }
  }
}

/** A second name for `from` without ever replacing `to` (link fails when it exists); a copy where links are not supported. */
function keepAside(from: string, to: string): void {
  try {
    linkSync(from, to);
    return;
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'EEXIST') throw new UserError(`${to} exists: it was not replaced; move it away and run the rotation again.`, to);
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EXDEV' && code !== 'EOPNOTSUPP') throw err;
  }
  // No links here: a full copy in a temp file (fsync), then renamed, so `to` never exists half-written
  // (applyOp skips a `to` that exists when a run is finished after a crash).
  const tmp = tempPathFor(to);
  try {
    writeTempFile(tmp, readFileOrThrow(from), (lstatOrUndefined(from)?.mode ?? 0o600) & 0o777);
    if (lstatOrUndefined(to)) throw new UserError(`${to} exists: it was not replaced; move it away and run the rotation again.`, to);
    renameSync(tmp, to);
  } finally {
    removeTemps([tmp]);
  }
  fsyncPath(dirname(to));
}

/** Applies one op; safe to repeat after a crash (a done op is skipped). */
export function applyOp(op: TxnOp): void {
  switch (op.op) {
    case 'keep':
      if (lstatOrUndefined(op.to)) return;
      if (fileSha256(op.from) !== op.sha256) {
        throw new UserError(`${op.from} is not the file that was to be kept as ${op.to}: restore it from the backup (crdb-tls cert rollback).`, op.from);
      }
      keepAside(op.from, op.to);
      return;
    case 'rename':
      if (!lstatOrUndefined(op.tmp)) return;
      if (notRegular(op.tmp)) throw new UserError(`${op.tmp} is ${notRegular(op.tmp)}, not a temp file this tool wrote: remove it by hand.`, op.tmp);
      renameSync(op.tmp, op.path);
      return;
    case 'unlink':
      if (!lstatOrUndefined(op.path)) return;
      unlinkSync(op.path);
      return;
  }
}

export function opDirs(ops: TxnOp[]): string[] {
  return [...new Set(ops.map((o) => dirname(o.op === 'keep' ? o.to : o.path)))];
}

/** Finishes or undoes the work of an interrupted run, from its journal; returns what was done, in a sentence. */
export function recoverJournal(j: Journal): string {
  if (j.phase === 'staging') {
    removeTemps(j.temps);
    return `an interrupted ${j.command} had not replaced any file yet: its temp files were removed, the files are as they were before it.`;
  }
  try {
    for (const op of j.ops) applyOp(op);
    for (const d of opDirs(j.ops)) fsyncPath(d);
  } catch (err) {
    throw new UserError(`could not finish an interrupted ${j.command} (${errnoCode(err) ?? errMessage(err)}); its backup is ${j.backupId ?? 'missing'}.`);
  }
  removeTemps(j.temps);
  return (
    `finished an interrupted ${j.command}: its files had all been written, the remaining renames were done` +
    (j.backupId ? ` (its backup is ${j.backupId}).` : '.')
  );
}
