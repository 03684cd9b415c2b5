/**
 * `cert import`: a certificate from another issuer into a certs dir under CockroachDB's names and
 * modes. planImport runs `check` and lists every write, changing nothing (the editor shows its
 * failures before anything is written); applyImport refuses a plan with failures, then takes the
 * certs dir's lock, backs up what it replaces and writes the set atomically. A CA other than the
 * one in the dir joins the CA file as a combined bundle (trusted side by side), never replacing it.
 * When the dir holds the request create-csr wrote (node.csr, client.USER.csr), the certificate must
 * be for its key and keep every name it requested.
 */
import { X509Certificate } from 'node:crypto';
import { mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UserError, errnoCode, errMessage } from '../errors';
import { readInputBytes } from '../input';
import { parseCertFile } from '../pki/inspect';
import { parsePrivateKey } from '../pki/keys';
import { toPem } from '../pki/pem';
import { CertRole } from '../cockroach/certrules';
import { CA_CERT, CLIENT_CA_CERT, signingCaFile } from '../cockroach/layout';
import { CheckFailure, CheckResult, checkCertificate, installNameFor, roleText } from './check';
import { CERTS_DIR_MODE, CERT_MODE, FileWrite, KEY_MODE, commitFiles } from './write';
import { createBackup, defaultBackupRoot } from './rotate/backup';
import { RotationLock } from './rotate/lock';

export interface ImportFile {
  /** As named to the user ("tls.crt in cert-manager dir D", or a path). */
  file: string;
  bytes: Buffer;
}

export interface ImportSource {
  cert: ImportFile;
  key?: ImportFile;
  /** The issuing CA (a bundle with intermediates is fine). */
  ca?: ImportFile;
}

export interface ImportOptions {
  certsDir: string;
  role: CertRole;
  source: ImportSource;
  overwrite?: boolean;
  /** Hosts the certificate must cover (cert check's --host). */
  hosts?: string[];
  now?: Date;
}

export type ImportFailure = CheckFailure | { code: 'exists' | 'source'; field: string; message: string };

export interface PlannedWrite {
  path: string;
  what: 'certificate' | 'key' | 'pkcs8 key' | 'ca bundle';
  mode: number;
  action: 'write' | 'replace';
  /** The bytes to write (key material for keys): never print or send it; importPlanJson leaves it out. */
  data: Buffer | string;
}

export interface ImportPlan {
  certsDir: string;
  role: CertRole;
  ok: boolean;
  /** Every reason the import is refused, each a sentence with the fix; empty when it may go ahead. */
  failures: ImportFailure[];
  check: CheckResult;
  writes: PlannedWrite[];
  /** The CA file: created, unchanged (it already holds the issuing CA) or joined (the issuing CA appended to the CA already there). */
  caBundle: { file: string; action: 'created' | 'unchanged' | 'joined'; certs: number } | null;
  createsDir: boolean;
}

function existingKind(path: string): 'missing' | 'file' | 'dir' | 'other' {
  try {
    const st = statSync(path);
    return st.isFile() ? 'file' : st.isDirectory() ? 'dir' : 'other';
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return 'missing';
    throw new UserError(`could not check ${path} (${errnoCode(err) ?? errMessage(err)}): check its permissions; nothing was changed.`, path);
  }
}

/** The key in a form CockroachDB and OpenSSL read: PKCS#1 for RSA, SEC1 for EC, else PKCS#8. */
function normalisedKey(pem: Buffer, file: string): { pem: string; pk8: Buffer } {
  const key = parsePrivateKey(pem, file);
  const type = key.asymmetricKeyType === 'rsa' ? 'pkcs1' : key.asymmetricKeyType === 'ec' ? 'sec1' : 'pkcs8';
  return { pem: key.export({ type, format: 'pem' }).toString(), pk8: key.export({ type: 'pkcs8', format: 'der' }) };
}

const pemOf = (certs: X509Certificate[]) => certs.map((c) => toPem('CERTIFICATE', c.raw)).join('');

/** The CA file of the dir that holds the issuing CA for `role`. */
function caFileFor(role: CertRole, has: (n: string) => boolean): string {
  if (role.as === 'client') return signingCaFile('Client', has) ?? CA_CERT;
  return role.as === 'client-ca' ? CLIENT_CA_CERT : CA_CERT;
}

/** Everything an import would do, and every reason to refuse it. Reads the certs dir; writes nothing. */
export function planImport(o: ImportOptions): ImportPlan {
  const { certsDir, role, source } = o;
  const dirKind = existingKind(certsDir);
  if (dirKind !== 'missing' && dirKind !== 'dir')
    throw new UserError(`certs directory ${certsDir} exists but is not a directory: pass a folder to --certs-dir.`, certsDir);
  if (dirKind === 'missing' && existingKind(dirname(certsDir)) !== 'dir')
    throw new UserError(`the parent of certs directory ${certsDir} does not exist: create it first (mkdir -p ${dirname(certsDir)}).`, certsDir);
  const has = (n: string) => dirKind === 'dir' && existingKind(join(certsDir, n)) === 'file';
  const isCaRole = role.as === 'ca' || role.as === 'client-ca';
  const failures: ImportFailure[] = [];
  if (isCaRole && source.key)
    throw new UserError(
      `--key with --as ${role.as}: CA keys never go into the certs directory (CockroachDB is given them with --ca-key); import the CA certificate alone.`,
    );

  const caFile = caFileFor(role, has);
  const caPath = join(certsDir, caFile);
  let pool: X509Certificate[] = [];
  if (has(caFile)) {
    const parsed = parseCertFile(readInputBytes(caPath, { what: 'the CA file of the certs dir' }), caPath);
    if (!parsed.ok) throw new UserError(`${parsed.error.replace(/\.$/, '')}; the import would add to it, so fix it first. Nothing was changed.`, caPath);
    pool = parsed.certs;
  }
  const installName = installNameFor(role);
  // The request create-csr wrote for this certificate: the CA must have signed it as asked (its key, every name).
  const csrName = installName.replace(/\.crt$/, '.csr');
  const csr =
    !isCaRole && has(csrName)
      ? { file: join(certsDir, csrName), bytes: readInputBytes(join(certsDir, csrName), { what: 'the request create-csr wrote' }) }
      : undefined;
  const checkCa = isCaRole ? undefined : (source.ca ?? (pool.length ? { file: caPath, bytes: Buffer.from(pemOf(pool)) } : undefined));
  const check = checkCertificate({
    certFile: source.cert.file,
    cert: source.cert.bytes,
    role,
    ...(checkCa ? { ca: checkCa } : {}),
    ...(source.key ? { key: source.key } : {}),
    installName,
    keyInstallName: installName.replace(/\.crt$/, '.key'),
    now: o.now,
    hasClientNodeCert: has('client.node.crt'),
    ...(o.hosts?.length ? { hosts: o.hosts } : {}),
    ...(csr ? { csr } : {}),
  });
  failures.push(...check.failures);
  if (!isCaRole && !source.key)
    failures.push({
      code: 'source',
      field: 'key',
      message: `no key for ${source.cert.file}: CockroachDB needs ${installName.replace(/\.crt$/, '.key')} beside it; pass --key (the key the CSR was made with).`,
    });
  if (!isCaRole && !checkCa)
    failures.push({
      code: 'source',
      field: 'CA',
      message: `no CA to check ${source.cert.file} against and ${caPath} does not exist: pass --ca with the issuing CA certificate (it becomes ${caFile}).`,
    });

  const writes: PlannedWrite[] = [];
  const plan = (path: string, what: PlannedWrite['what'], mode: number, data: Buffer | string) => {
    const kind = dirKind === 'dir' ? existingKind(path) : 'missing';
    // The key create-csr wrote (imported from where it lies), or a file already as it would be: nothing to write.
    if (kind === 'file' && readInputBytes(path).equals(Buffer.from(data))) return;
    if (kind === 'dir' || kind === 'other')
      failures.push({ code: 'exists', field: 'file', message: `${path} is not a regular file: move it away; a ${what} is written there.` });
    else if (kind === 'file' && !o.overwrite && what !== 'ca bundle')
      failures.push({ code: 'exists', field: 'file', message: `file exists: ${path}; rerun with --overwrite to replace it (the old one is backed up first).` });
    writes.push({ path, what, mode, action: kind === 'file' ? 'replace' : 'write', data });
  };

  const parsed = parseCertFile(source.cert.bytes, source.cert.file);
  let caBundle: ImportPlan['caBundle'] = null;
  if (parsed.ok) {
    if (!isCaRole) plan(join(certsDir, installName), 'certificate', CERT_MODE, pemOf(parsed.certs));
    const caSource = isCaRole ? parsed.certs : source.ca ? parseCertFile(source.ca.bytes, source.ca.file) : undefined;
    const incoming = Array.isArray(caSource) ? caSource : caSource?.ok ? caSource.certs : [];
    const known = new Set(pool.map((c) => c.fingerprint256));
    const added = incoming.filter((c) => !known.has(c.fingerprint256));
    if (pool.length === 0 && incoming.length > 0) {
      caBundle = { file: caFile, action: 'created', certs: incoming.length };
      plan(caPath, 'ca bundle', CERT_MODE, pemOf(incoming));
    } else if (added.length > 0) {
      caBundle = { file: caFile, action: 'joined', certs: pool.length + added.length };
      plan(caPath, 'ca bundle', CERT_MODE, pemOf([...pool, ...added]));
    } else if (pool.length > 0) caBundle = { file: caFile, action: 'unchanged', certs: pool.length };
  }
  if (source.key && !isCaRole && check.failures.every((f) => f.code !== 'key')) {
    const keyPath = join(certsDir, installName.replace(/\.crt$/, '.key'));
    const k = normalisedKey(source.key.bytes, source.key.file);
    plan(keyPath, 'key', KEY_MODE, k.pem);
    // A client's DER key for JDBC must not go stale beside the new key.
    if (role.as === 'client' && has(`${installName.replace(/\.crt$/, '.key')}.pk8`)) plan(`${keyPath}.pk8`, 'pkcs8 key', KEY_MODE, k.pk8);
  }
  return { certsDir, role, ok: failures.length === 0, failures, check, writes, caBundle, createsDir: dirKind === 'missing' };
}

export interface ImportResult {
  plan: ImportPlan;
  files: { path: string; what: PlannedWrite['what']; mode: number; action: PlannedWrite['action'] }[];
  /** The backup of the files replaced (listed by `cert backups`, restored by `cert rollback`). */
  backup?: { id: string; dir: string };
}

/** Applies a plan from planImport: refused (nothing changed) when it has failures. */
export function applyImport(plan: ImportPlan, o: { backupDir?: string; now?: Date } = {}): ImportResult {
  if (!plan.ok) {
    throw new UserError(
      `import refused for --as ${roleText(plan.role)}, nothing was changed: ${plan.failures.map((f) => f.message).join(' ')}`,
      plan.check.file,
    );
  }
  if (plan.createsDir) {
    try {
      mkdirSync(plan.certsDir, { mode: CERTS_DIR_MODE });
    } catch (err) {
      throw new UserError(
        `cannot create certs directory ${plan.certsDir} (${errnoCode(err) ?? errMessage(err)}): create it yourself (mkdir -m 700 ${plan.certsDir}).`,
      );
    }
  }
  const messages: string[] = [];
  const lock = RotationLock.acquire(plan.certsDir, 'import', messages);
  try {
    // The manifest records absolute paths (a relative --certs-dir would make the backup unusable to rollback).
    const replaced = plan.writes.filter((w) => w.action === 'replace').map((w) => resolve(w.path));
    const created = plan.writes.filter((w) => w.action === 'write').map((w) => resolve(w.path));
    const b =
      replaced.length > 0
        ? createBackup(o.backupDir ?? defaultBackupRoot(plan.certsDir), resolve(plan.certsDir), 'import', replaced, created, o.now)
        : undefined;
    const writes: FileWrite[] = plan.writes.map((w) => ({ path: w.path, data: w.data, mode: w.mode }));
    commitFiles(writes);
    return {
      plan,
      files: plan.writes.map((w) => ({ path: w.path, what: w.what, mode: w.mode, action: w.action })),
      ...(b ? { backup: { id: b.id, dir: b.dir } } : {}),
    };
  } finally {
    lock.release();
  }
}

/** The plan as JSON-safe plain data, without the bytes to write (keys are never printed). */
export function importPlanJson(plan: ImportPlan): Omit<ImportPlan, 'writes'> & { writes: Omit<PlannedWrite, 'data'>[] } {
  return { ...plan, writes: plan.writes.map(({ path, what, mode, action }) => ({ path, what, mode, action })) };
}
