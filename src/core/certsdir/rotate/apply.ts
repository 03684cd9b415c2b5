/**
 * Applies a RotationPlan: under the certs dir's lock, checks that nothing changed since the plan,
 * issues the certificates (in memory), writes every new file to a temp file, backs up the files it
 * replaces, then renames with a journal (txn.ts). Any error before the renames leaves every file as it was.
 * A rollback is one such transaction, whatever number of later backups it undoes (rollback.ts).
 */
import { certInfo } from '../../pki/certinfo';
import { X509Certificate } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UserError, errnoCode, errMessage } from '../../errors';
import { issueCertificate } from '../../pki/issue';
import { generateKey, pkcs8Der } from '../../pki/keys';
import { splitPem, toPem } from '../../pki/pem';
import { LoadedCa, loadCa } from '../create';
import { CaKeyProof, createBackup } from './backup';
import { inCertsDir } from './confine';
import { fileSha256, fsyncPath, isRoot, lstatOrUndefined, readFileOrThrow } from './files';
import { journalProofData } from './journal';
import { RotationLock } from './lock';
import { proofsBy } from './proof';
import { rollbackSet } from './rollback';
import { MAX_BACKUP_ENTRIES } from './schema';
import { StagedWrite, TxnOp, applyOp, opDirs, removeTemps, tempPathFor, writeTemp } from './txn';
import { BackupInfo, IssuedCert, Journal, RotationPlan, RotationResult } from './types';

export interface ApplyOptions {
  /** For the backup's id and timestamp; default: the current time. */
  now?: Date;
  /**
   * Called before each step that writes (lock, temps, backup, journal, each rename, done): a test
   * hook to interrupt the process there.
   */
  onStep?: (step: string) => void;
}

interface Materialized {
  writes: StagedWrite[];
  keeps: { from: string; to: string; sha256: string }[];
  unlinks: string[];
  issued: IssuedCert[];
}

function facts(pem: string, path: string, kind: IssuedCert['kind']): IssuedCert {
  const c = new X509Certificate(pem);
  return { path, kind, serial: certInfo(c).serial, notAfter: certInfo(c).notAfter.toISOString() };
}

function checkUnchanged(plan: RotationPlan): void {
  const changed = plan.expect.filter((e) => fileSha256(e.path) !== e.sha256).map((e) => e.path);
  if (changed.length > 0) {
    throw new UserError(`${changed.join(', ')} changed since the plan was made: make the plan again (nothing was changed).`, changed[0]);
  }
}

async function issueLeaves(plan: RotationPlan, m: Materialized): Promise<void> {
  const cas = new Map<string, LoadedCa>();
  const caFor = (file: string): LoadedCa => {
    const key = file === 'ca-client.crt' && plan.clientCaKey ? plan.clientCaKey : plan.caKey;
    if (!key) throw new UserError(`the plan names no key for ${file}.`);
    let ca = cas.get(file);
    if (!ca) cas.set(file, (ca = loadCa(join(plan.certsDir, file), key)));
    return ca;
  };
  const now = new Date(plan.now);
  // Keys first, all at once: RSA generation runs off the main thread.
  const leaves = plan.certs.filter((c) => c.kind !== 'ca');
  const keys = await Promise.all(leaves.map((c) => generateKey(c.keyType ?? 'rsa', c.keySize)));
  for (const [i, c] of leaves.entries()) {
    if (c.signedBy === 'self') throw new UserError(`${c.path}: a ${c.kind} certificate cannot be self-signed.`);
    const ca = caFor(c.signedBy.file);
    if (certInfo(ca.cert).serial !== c.signedBy.serial)
      throw new UserError(`${c.signedBy.file} changed since the plan was made: make the plan again (nothing was changed).`);
    const pem = await issueCertificate(
      {
        kind: c.kind,
        commonName: c.commonName,
        lifetimeMs: Date.parse(c.notAfter) - now.getTime(),
        now,
        dns: c.sans.dns,
        ip: c.sans.ip,
        publicKey: keys[i].publicKey,
      },
      { cert: ca.cert, key: ca.key },
    );
    const keyPath = c.path.replace(/\.crt$/, '.key');
    m.writes.push({ path: c.path, data: pem, mode: 0o644 }, { path: keyPath, data: keys[i].pem, mode: 0o600 });
    if (c.pkcs8) m.writes.push({ path: `${keyPath}.pk8`, data: pkcs8Der(keys[i].privateKey), mode: 0o600 });
    m.issued.push(facts(pem, c.path, c.kind));
  }
}

/**
 * As root a restored file gets its recorded owner only when that owner already owns the file, its
 * folder or a file in it: a crafted manifest cannot hand a key to another user.
 */
function ownerSeen(path: string, uid: number, gid: number): boolean {
  if (!isRoot()) return false;
  const dir = dirname(path);
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    // only the file and the folder then
  }
  return [path, dir, ...names.map((n) => join(dir, n))].some((p) => {
    const st = lstatOrUndefined(p);
    return !!st && st.uid === uid && st.gid === gid;
  });
}

async function materialize(plan: RotationPlan): Promise<Materialized> {
  const m: Materialized = { writes: [], keeps: [], unlinks: [], issued: [] };
  switch (plan.command) {
    case 'rotate-node':
    case 'rotate-client':
    case 'reissue-all':
      await issueLeaves(plan, m);
      break;
    case 'rotate-ca': {
      const c = plan.certs[0];
      const caKey = plan.caKey ?? '';
      const move = plan.steps.find((s) => s.action === 'move');
      if (!move?.to) throw new UserError('the rotate-ca plan names no place for the old CA key.');
      loadCa(c.path, caKey); // the key kept is the one that signed the CA file
      const key = await generateKey(c.keyType ?? 'rsa', c.keySize);
      const now = new Date(plan.now);
      const pem = await issueCertificate(
        { kind: 'ca', commonName: c.commonName, lifetimeMs: Date.parse(c.notAfter) - now.getTime(), now, publicKey: key.privateKey },
        { key: key.privateKey },
      );
      const old = splitPem(readFileOrThrow(c.path).toString('latin1')).filter((b) => b.type === 'CERTIFICATE');
      m.keeps.push({ from: caKey, to: move.to, sha256: fileSha256(caKey) ?? '' });
      m.writes.push({ path: caKey, data: key.pem, mode: 0o600 });
      m.writes.push({ path: c.path, data: pem + old.map((b) => toPem('CERTIFICATE', b.der)).join(''), mode: 0o644 });
      m.issued.push(facts(pem, c.path, 'ca'));
      break;
    }
    case 'prune-ca': {
      const path = plan.steps[0].path;
      const first = splitPem(readFileOrThrow(path).toString('latin1')).find((b) => b.type === 'CERTIFICATE');
      if (!first) throw new UserError(`${path} holds no certificate.`, path);
      m.writes.push({ path, data: toPem('CERTIFICATE', first.der), mode: 0o644 });
      break;
    }
    case 'rollback': {
      // The backups are checked again under the lock: the same rules as the plan (rollback.ts, restore.ts).
      const set = rollbackSet(plan.backupRoot, plan.certsDir, plan.rollbackOf, plan.caKey);
      const again = () =>
        new UserError(`the backups of ${plan.certsDir} changed since the rollback was planned: make the plan again (nothing was changed).`, plan.backupRoot);
      if (set.later.map((b) => b.id).join(' ') !== (plan.undoes ?? []).join(' ')) throw again();
      const sources = new Map(set.sources.map((x) => [x.path, x]));
      for (const s of plan.steps) {
        const src = sources.get(s.path);
        if (!src || (s.from !== undefined && src.backup.id !== s.from)) throw again();
        if (s.action === 'remove') {
          if (src.file) throw again();
          m.unlinks.push(s.path);
        }
        if (s.action !== 'restore') continue;
        const f = src.file;
        const bytes = set.data.get(s.path);
        if (!f || !bytes) throw new UserError(`backup ${src.backup.id} has no copy of ${s.path}: make the plan again (nothing was changed).`);
        const owner = f.uid !== undefined && f.gid !== undefined && ownerSeen(f.path, f.uid, f.gid) ? { owner: { uid: f.uid, gid: f.gid } } : {};
        m.writes.push({ path: f.path, data: bytes, mode: f.mode, ...owner });
      }
      break;
    }
  }
  return m;
}

/**
 * The CA key of `plan` and the keys at its path before and after it, when `paths` reach outside the
 * certs dir: the manifest and the journal are then signed by them (proof.ts), so that a rollback or
 * a recovery may later trust what they say about the CA key.
 */
function caKeyProof(plan: RotationPlan, m: Materialized, paths: string[]): CaKeyProof | undefined {
  if (!plan.caKey || paths.every((p) => inCertsDir(p, plan.certsDir))) return undefined;
  const keys: (Buffer | string)[] = [];
  if (lstatOrUndefined(plan.caKey)?.isFile()) keys.push(readFileOrThrow(plan.caKey));
  const after = m.writes.find((w) => w.path === plan.caKey);
  if (after) keys.push(after.data);
  return { caKey: plan.caKey, keys };
}

function sealed(j: Journal, certsDir: string, ca: CaKeyProof | undefined): Journal {
  if (!ca) return j;
  const out: Journal = { ...j, caKey: ca.caKey };
  out.proof = proofsBy(journalProofData(out, certsDir), ca.keys);
  return out;
}

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/** Applies `plan` (see the module comment). Throws a UserError; when it does, no file was replaced. */
export async function applyPlan(plan: RotationPlan, o: ApplyOptions = {}): Promise<RotationResult> {
  if (plan.steps.length > MAX_BACKUP_ENTRIES) {
    throw new UserError(
      `this ${plan.command} would change ${plan.steps.length} files, more than the limit of ${MAX_BACKUP_ENTRIES} one backup holds: split it into smaller runs; nothing was changed.`,
      plan.certsDir,
    );
  }
  const messages: string[] = [];
  const temps: string[] = [];
  let committing = false;
  let interrupted: NodeJS.Signals | undefined;
  const notInterrupted = () => {
    if (interrupted)
      throw new UserError(
        `${plan.command} was interrupted (${interrupted}) before it replaced any file: its temp files were removed and the lock released; nothing was changed.`,
        plan.certsDir,
      );
  };
  const step = (name: string) => {
    notInterrupted();
    o.onStep?.(name);
  };
  step('lock');
  // Ctrl-C or a kill while the keys are made (the one wait before the commit): remove the temps,
  // release the lock, then let the signal do what it would have done. The commit itself is
  // synchronous, so a signal never lands in it; a crash there leaves the journal (txn.ts).
  // Installed before the lock is taken, so that no signal finds the lock without its handler.
  const held: { lock?: RotationLock } = {};
  const unlisten = () => {
    for (const s of SIGNALS) process.removeListener(s, onSignal);
  };
  const onSignal = (sig: NodeJS.Signals) => {
    interrupted = sig;
    if (committing) return;
    removeTemps(temps);
    held.lock?.release();
    unlisten();
    if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
  };
  for (const s of SIGNALS) process.once(s, onSignal);
  const lock = (() => {
    try {
      return RotationLock.acquire(plan.certsDir, plan.command, messages);
    } catch (err) {
      unlisten();
      throw err;
    }
  })();
  held.lock = lock;
  try {
    checkUnchanged(plan);
    const m = await materialize(plan);
    notInterrupted();
    if (m.writes.length + m.keeps.length + m.unlinks.length === 0) return { plan, issued: [], messages };

    const ops: TxnOp[] = [];
    for (const k of m.keeps) ops.push({ op: 'keep', ...k });
    for (const w of m.writes) {
      const tmp = tempPathFor(w.path);
      temps.push(tmp);
      ops.push({ op: 'rename', tmp, path: w.path });
    }
    for (const u of m.unlinks) ops.push({ op: 'unlink', path: u });
    const touched = new Set(ops.map((op) => (op.op === 'keep' ? op.from : op.path)));
    const created = [...new Set([...m.keeps.map((k) => k.to), ...[...touched].filter((p) => fileSha256(p) === null)])];
    const ca = caKeyProof(plan, m, [...touched, ...created]);
    lock.setJournal(sealed({ command: plan.command, phase: 'staging', temps, ops: [] }, plan.certsDir, ca));
    m.writes.forEach((w, i) => {
      step(`temp ${w.path}`);
      try {
        writeTemp(temps[i], w);
      } catch (err) {
        throw new UserError(
          `could not write ${w.path} (${errnoCode(err) ?? errMessage(err)}): check that its folder is writable and the disk has space; nothing was changed.`,
          w.path,
        );
      }
    });

    step('backup');
    const reason = plan.command === 'rollback' ? `before rollback to ${plan.rollbackOf}` : plan.command;
    const backup: BackupInfo = createBackup(
      plan.backupRoot,
      plan.certsDir,
      reason,
      [...touched].filter((p) => fileSha256(p) !== null),
      created,
      o.now,
      ca,
    );

    step('journal');
    lock.setJournal(
      sealed({ command: plan.command, phase: 'commit', temps, ops, backupId: backup.id, backupRoot: dirname(resolve(backup.dir)) }, plan.certsDir, ca),
    );
    committing = true;
    for (const op of ops) {
      o.onStep?.(`${op.op} ${op.op === 'keep' ? op.to : op.path}`);
      applyOp(op);
    }
    for (const d of opDirs(ops)) fsyncPath(d);
    o.onStep?.('done');
    committing = false;
    return { plan, backup, issued: m.issued, messages };
  } catch (err) {
    if (committing) {
      // Some renames may be done: the journal stays in the lock file, marked abandoned, and the next run finishes them.
      lock.abandon();
      throw new UserError(
        `${plan.command} stopped half-way (${errMessage(err)}): run a rotation command on ${plan.certsDir} again to finish it, or remove ${lock.path} and roll back with "crdb-tls cert rollback".`,
      );
    }
    removeTemps(temps);
    throw err;
  } finally {
    unlisten();
    if (!committing) lock.release();
  }
}
