/**
 * The lock file and its journal read back as untrusted input (a cloned repository can carry a
 * `.crdb-tls-rotate.lock`): the schema of what lock.ts and apply.ts write, with every path
 * confined. Renames put a temp of tempPathFor's form over the file beside it; targets, removals and
 * temps are files directly in the certs dir, or the journal's CA key and the names rotate-ca moves
 * it to. Those outside the certs dir are obeyed only when the key now at the CA key path signed the
 * journal (lock.ts, proof.ts).
 */
import { inCertsDir, isNormalAbsolute, isOldKeyPathOf } from './confine';
import { MAX_JOURNAL_ENTRIES, ROTATION_COMMANDS, SchemaError, arr, backupId, bool, int, obj, oneOf, proofs, sha256Hex, show, str } from './schema';
import { targetOfTemp } from './txn';
import { Journal, LockInfo, TxnOp } from './types';

function path(v: unknown, at: string): string {
  const p = str(v, at);
  if (!isNormalAbsolute(p)) throw new SchemaError(`${at} ${show(p)} is not an absolute path without ".."`);
  return p;
}

function op(v: unknown, i: number): TxnOp {
  const at = `journal.ops[${i}]`;
  const kind = oneOf(obj(v, at, ['op'], ['from', 'to', 'sha256', 'tmp', 'path']).op, `${at}.op`, ['keep', 'rename', 'unlink'] as const);
  switch (kind) {
    case 'keep': {
      const o = obj(v, at, ['op', 'from', 'to', 'sha256']);
      return { op: 'keep', from: path(o.from, `${at}.from`), to: path(o.to, `${at}.to`), sha256: sha256Hex(o.sha256, `${at}.sha256`) };
    }
    case 'rename': {
      const o = obj(v, at, ['op', 'tmp', 'path']);
      return { op: 'rename', tmp: path(o.tmp, `${at}.tmp`), path: path(o.path, `${at}.path`) };
    }
    case 'unlink':
      return { op: 'unlink', path: path(obj(v, at, ['op', 'path']).path, `${at}.path`) };
  }
}

/** Checks where every op and temp of `j` points; returns the paths outside the certs dir. */
function confine(j: Journal, certsDir: string): string[] {
  const outside: string[] = [];
  const caKey = j.caKey;
  const target = (p: string, at: string) => {
    if (inCertsDir(p, certsDir)) return;
    if (p !== caKey) throw new SchemaError(`${at} ${show(p)} is neither a file directly in the certs dir nor the journal's CA key`);
    outside.push(p);
  };
  const renamed = new Set<string>();
  j.ops.forEach((o, i) => {
    const at = `journal.ops[${i}]`;
    if (o.op === 'rename') {
      target(o.path, `${at}.path`);
      if (targetOfTemp(o.tmp) !== o.path) throw new SchemaError(`${at}.tmp ${show(o.tmp)} is not a temp file beside ${show(o.path)}`);
      renamed.add(o.tmp);
    } else if (o.op === 'keep') {
      if (!caKey || o.from !== caKey || !isOldKeyPathOf(o.to, caKey))
        throw new SchemaError(`${at} keeps ${show(o.from)} as ${show(o.to)}: only the CA key is kept, under its moved-aside name`);
      outside.push(...[o.from, o.to].filter((p) => !inCertsDir(p, certsDir)));
    } else if (!inCertsDir(o.path, certsDir)) {
      if (!caKey || !isOldKeyPathOf(o.path, caKey)) throw new SchemaError(`${at}.path ${show(o.path)} is not a file directly in the certs dir`);
      outside.push(o.path);
    }
  });
  if (j.phase === 'staging' && j.ops.length > 0) throw new SchemaError('journal.ops is not empty in the staging phase');
  // What apply.ts writes: a commit names its backup; only a rollback removes files, only rotate-ca keeps one.
  if (j.phase === 'commit' && !j.backupId) throw new SchemaError('journal.backupId is missing: a journal in the commit phase names the backup made before it');
  j.ops.forEach((o, i) => {
    if (o.op === 'unlink' && j.command !== 'rollback') throw new SchemaError(`journal.ops[${i}] removes a file, which only a rollback does, not ${j.command}`);
    if (o.op === 'keep' && j.command !== 'rotate-ca')
      throw new SchemaError(`journal.ops[${i}] keeps a file aside, which only rotate-ca does, not ${j.command}`);
    if (o.op === 'rename' && !j.temps.includes(o.tmp)) throw new SchemaError(`journal.ops[${i}].tmp ${show(o.tmp)} is not one of the journal's temps`);
  });
  j.temps.forEach((t, i) => {
    const at = `journal.temps[${i}]`;
    const of = targetOfTemp(t);
    if (!of) throw new SchemaError(`${at} ${show(t)} is not a temp file name of this tool`);
    target(of, at);
    if (j.phase === 'commit' && !renamed.has(t)) throw new SchemaError(`${at} ${show(t)} is not the temp of a rename`);
  });
  return [...new Set(outside)];
}

function journal(v: unknown): Journal {
  const o = obj(v, 'journal', ['command', 'phase', 'temps', 'ops'], ['backupId', 'backupRoot', 'caKey', 'proof']);
  const j: Journal = {
    command: oneOf(o.command, 'journal.command', ROTATION_COMMANDS),
    phase: oneOf(o.phase, 'journal.phase', ['staging', 'commit'] as const),
    temps: arr(o.temps, 'journal.temps', MAX_JOURNAL_ENTRIES).map((t, i) => path(t, `journal.temps[${i}]`)),
    ops: arr(o.ops, 'journal.ops', MAX_JOURNAL_ENTRIES).map(op),
  };
  if (o.backupId !== undefined) j.backupId = backupId(o.backupId, 'journal.backupId');
  if (o.backupRoot !== undefined) j.backupRoot = path(o.backupRoot, 'journal.backupRoot');
  if (o.caKey !== undefined) j.caKey = path(o.caKey, 'journal.caKey');
  if (o.proof !== undefined) j.proof = proofs(o.proof, 'journal.proof');
  return j;
}

/** The lock of `certsDir` in `raw` (parsed JSON), and the journal's paths outside the certs dir; or a SchemaError. */
export function parseLockInfo(raw: unknown, certsDir: string): { info: LockInfo; outside: string[] } {
  const o = obj(raw, 'the lock', ['pid', 'hostname', 'startedAt', 'command'], ['journal', 'abandoned']);
  const info: LockInfo = {
    pid: int(o.pid, 'pid', 1, 2 ** 32 - 1),
    hostname: str(o.hostname, 'hostname', 255),
    startedAt: str(o.startedAt, 'startedAt', 64),
    command: oneOf(o.command, 'command', [...ROTATION_COMMANDS, 'recover', 'import'] as const),
  };
  if (o.abandoned !== undefined) info.abandoned = bool(o.abandoned, 'abandoned');
  if (o.journal === undefined) {
    if (info.abandoned) throw new SchemaError('it is marked abandoned but has no journal: only a rotation stopped half-way is abandoned');
    return { info, outside: [] };
  }
  info.journal = journal(o.journal);
  if (info.abandoned && info.journal.phase !== 'commit')
    throw new SchemaError(`it is marked abandoned in the ${info.journal.phase} phase: only a rotation stopped half-way through its renames is abandoned`);
  return { info, outside: confine(info.journal, certsDir) };
}

/**
 * What the proof of a journal signs: its certs dir and every field but the proof and the backup
 * folder, in a fixed order (the backup found there must pass every check of a rollback; consistent.ts).
 */
export function journalProofData(j: Journal, certsDir: string): string {
  const ops = j.ops.map((o) => (o.op === 'keep' ? [o.op, o.from, o.to, o.sha256] : o.op === 'rename' ? [o.op, o.tmp, o.path] : [o.op, o.path]));
  return 'crdb-tls journal v1\n' + JSON.stringify([certsDir, j.command, j.phase, j.temps, ops, j.backupId ?? null, j.caKey ?? null]);
}
