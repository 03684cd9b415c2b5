/**
 * Plans of the rotation commands: every check is made here, before anything is written, and the
 * result is plain data (shown by --dry-run and in the editor's confirmation, then applied).
 */
import { certInfo } from '../../pki/certinfo';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { UserError } from '../../errors';
import { BACKDATE_MS } from '../../pki/issue';
import { validateLifetime } from '../../pki/duration';
import { DEFAULT_KEY_SIZE, KeyType, validateKeyOptions, validateKeySize } from '../../pki/keys';
import { hostsToSans, validateUserName } from '../../pki/names';
import { DEFAULT_CA_LIFETIME_MS, DEFAULT_CERT_LIFETIME_MS } from '../../cockroach/lifetimes';
import { LoadedCa, checkLifetimeAgainstCa, loadCa } from '../create';
import { CA_CERT, CLIENT_CA_CERT, NODE_CERT, NODE_KEY, clientCertName, clientKeyName, signingCaFile } from '../../cockroach/layout';
import { CertEntry, listCertsDir } from '../list';
import { CERT_MODE, KEY_MODE } from '../write';
import { defaultBackupRoot } from './backup';
import { cnOf, oldCaDependents, readCerts } from './chain';
import { oldKeyPath } from './confine';
import { fileSha256, lstatOrUndefined } from './files';
import { laterText, rollbackSet } from './rollback';
import { MAX_CERTS_PER_PLAN } from './schema';
import { FileWhat, PlanStep, PlannedCert, RotationCommand, RotationPlan } from './types';

export interface PlanOptions {
  certsDir: string;
  /** Where backups go; default `<certs-dir>.backups` beside the certs dir. */
  backupDir?: string;
  keySize?: number;
  /** The key type of the new keys; default: the type of the key being replaced (rotation keeps it), RSA for a new one. */
  keyType?: KeyType;
  lifetimeMs?: number;
  now?: Date;
  /** COCKROACH_SKIP_KEY_PERMISSION_CHECK, Windows: passed to the loader check. */
  skipPermissionChecks?: boolean;
  gid?: number;
}

export interface SigningOptions extends PlanOptions {
  caKey: string;
}

/** Plans and backups hold absolute paths: a rollback may run from another working directory. */
function absolute<T extends PlanOptions & { caKey?: string; clientCaKey?: string; alsoCheck?: string[] }>(o: T): T {
  const abs = (p: string | undefined) => (p ? resolve(p) : p);
  return {
    ...o,
    certsDir: abs(o.certsDir) ?? '',
    ...(o.caKey !== undefined ? { caKey: abs(o.caKey) } : {}),
    ...(o.clientCaKey !== undefined ? { clientCaKey: abs(o.clientCaKey) } : {}),
    ...(o.backupDir !== undefined ? { backupDir: abs(o.backupDir) } : {}),
    ...(o.alsoCheck ? { alsoCheck: o.alsoCheck.map((d) => resolve(d)) } : {}),
  };
}

function requireCertsDir(o: PlanOptions): string {
  if (!o.certsDir) throw new UserError('the path to the certs directory is required: pass --certs-dir.');
  return o.certsDir;
}

function requireCaKey(o: { caKey?: string }): string {
  if (!o.caKey) throw new UserError('the path to the CA key is required: pass --ca-key (kept outside the certs directory).');
  return o.caKey;
}

function secondsFloor(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString();
}

/** Lists the dir and refuses when the loader reports errors, except in the files this plan replaces. */
function loadDir(o: PlanOptions, replaced: (e: CertEntry) => boolean): CertEntry[] {
  const entries = listCertsDir(requireCertsDir(o), { now: o.now, skipPermissionChecks: o.skipPermissionChecks, gid: o.gid });
  const errors = entries.filter((e) => !replaced(e)).flatMap((e) => e.errors);
  if (errors.length > 0) {
    throw new UserError(
      `the certs directory ${o.certsDir} has errors CockroachDB would report; fix them first (nothing was changed):\n  ${errors.join('\n  ')}`,
      o.certsDir,
    );
  }
  return entries;
}

class PlanBuilder {
  readonly steps: PlanStep[] = [];
  readonly certs: PlannedCert[] = [];
  readonly notes: string[] = [];
  private readonly expected = new Map<string, string | null>();
  private readonly cas = new Map<string, LoadedCa>();
  readonly now: Date;
  readonly keySize: number;

  constructor(
    readonly command: RotationCommand,
    readonly o: PlanOptions,
  ) {
    this.now = o.now ?? new Date();
    this.keySize = validateKeySize(o.keySize ?? DEFAULT_KEY_SIZE);
    if (o.lifetimeMs !== undefined) validateLifetime(o.lifetimeMs);
  }

  expect(path: string): string | null {
    if (!this.expected.has(path)) this.expected.set(path, fileSha256(path));
    return this.expected.get(path) ?? null;
  }

  /** A write of `path`: "replace" when it exists, else "write"; remembers its current bytes. */
  write(path: string, what: FileWhat, mode: number): void {
    const exists = this.expect(path) !== null;
    this.steps.push({ action: exists ? 'replace' : 'write', path, what, mode });
  }

  ca(file: string, caKey: string): LoadedCa & { file: string } {
    const certPath = join(this.o.certsDir, file);
    const key = `${certPath}\0${caKey}`;
    let ca = this.cas.get(key);
    if (!ca) {
      ca = loadCa(certPath, caKey);
      this.cas.set(key, ca);
      this.expect(certPath);
      this.expect(caKey);
    }
    return { ...ca, file };
  }

  leaf(
    kind: 'node' | 'client',
    certName: string,
    commonName: string,
    sans: { dns: string[]; ip: string[] },
    ca: LoadedCa & { file: string },
    current: CertEntry | undefined,
    pkcs8: boolean,
  ): void {
    const lifetimeMs = this.o.lifetimeMs ?? DEFAULT_CERT_LIFETIME_MS;
    checkLifetimeAgainstCa(ca, this.now, lifetimeMs);
    const certPath = join(this.o.certsDir, certName);
    const keyPath = certPath.replace(/\.crt$/, '.key');
    this.write(certPath, kind === 'node' ? 'node certificate' : 'client certificate', CERT_MODE);
    this.write(keyPath, kind === 'node' ? 'node key' : 'client key', KEY_MODE);
    if (pkcs8) this.write(`${keyPath}.pk8`, 'client pkcs8 key', KEY_MODE);
    const keyType = this.keyTypeFor(current?.certs[0]?.publicKey);
    this.certs.push({
      path: certPath,
      kind,
      commonName,
      sans,
      keyType,
      keySize: validateKeyOptions(keyType, keyType === 'rsa' ? this.keySize : this.o.keySize),
      notBefore: secondsFloor(this.now.getTime() - BACKDATE_MS),
      notAfter: secondsFloor(this.now.getTime() + lifetimeMs),
      signedBy: { file: ca.file, serial: certInfo(ca.cert).serial, notAfter: certInfo(ca.cert).notAfter.toISOString() },
      ...(current?.serial && current.notAfter ? { replaces: { serial: current.serial.toLowerCase(), notAfter: current.notAfter } } : {}),
      ...(pkcs8 ? { pkcs8 } : {}),
    });
  }

  /** --key-type when given, else the type of the key being replaced ("EC prime256v1" → ecdsa), else RSA. */
  keyTypeFor(currentPublicKey: string | undefined): KeyType {
    return this.o.keyType ?? (currentPublicKey?.startsWith('EC ') ? 'ecdsa' : 'rsa');
  }

  build(extra: Partial<RotationPlan> = {}): RotationPlan {
    const backupRoot = this.o.backupDir ?? defaultBackupRoot(this.o.certsDir);
    if (`${resolve(backupRoot)}${sep}`.startsWith(`${resolve(this.o.certsDir)}${sep}`)) {
      throw new UserError(
        `backup folder ${backupRoot} is inside the certs directory ${this.o.certsDir}: backups hold keys and old certificates, keep them outside (the default is ${defaultBackupRoot(this.o.certsDir)}).`,
        backupRoot,
      );
    }
    const backupFiles: string[] = [];
    for (const s of this.steps) {
      if (
        (s.action === 'replace' || s.action === 'move' || s.action === 'restore' || s.action === 'remove') &&
        this.expected.get(s.path) &&
        !backupFiles.includes(s.path)
      ) {
        backupFiles.push(s.path);
      }
    }
    return {
      command: this.command,
      certsDir: this.o.certsDir,
      now: this.now.toISOString(),
      steps: this.steps,
      certs: this.certs,
      backupRoot,
      backupFiles,
      expect: [...this.expected].map(([path, sha256]) => ({ path, sha256 })),
      notes: this.notes,
      ...extra,
    };
  }
}

function sansOf(e: CertEntry | undefined): { dns: string[]; ip: string[] } {
  return { dns: e?.sans?.dns ?? [], ip: e?.sans?.ip ?? [] };
}

export interface RotateNodeOptions extends SigningOptions {
  /** The node certificate's hosts; default: the SANs of the current node.crt. */
  hosts?: string[];
}

/** `rotate-node`: a new node.crt and node.key from the first certificate of ca.crt, same SANs unless hosts are given. */
export function planRotateNode(given: RotateNodeOptions): RotationPlan {
  const o = absolute(given);
  const caKey = requireCaKey(o);
  const entries = loadDir(o, (e) => e.certFile === NODE_CERT);
  const current = entries.find((e) => e.certFile === NODE_CERT);
  let sans: { dns: string[]; ip: string[] };
  if (o.hosts && o.hosts.length > 0) sans = hostsToSans(o.hosts);
  else if (current?.sans && current.sans.dns.length + current.sans.ip.length > 0) sans = sansOf(current);
  else if (current && !current.sans && current.errors.length > 0) {
    // A node.crt that cannot be read or parsed (a FIFO, damaged DER): its own error, not "no names".
    throw new UserError(
      `${current.errors[0].replace(/[\r\n]+/g, ' ').replace(/\.$/, '')}; nothing was changed (or list the node's hosts to issue a new one, e.g. crdb-tls cert rotate-node localhost 127.0.0.1).`,
      current.certPath,
    );
  } else {
    throw new UserError(
      current
        ? `${current.certPath} has no DNS or IP names to keep: list the node's hosts, e.g. crdb-tls cert rotate-node localhost 127.0.0.1 node1.example.com.`
        : `${join(o.certsDir, NODE_CERT)} does not exist, so there are no hosts to keep: list the node's hosts, e.g. crdb-tls cert rotate-node localhost 127.0.0.1.`,
    );
  }
  const p = new PlanBuilder('rotate-node', o);
  p.leaf('node', NODE_CERT, 'node', sans, p.ca(CA_CERT, caKey), current, false);
  p.notes.push(
    `Copy ${NODE_CERT} and ${NODE_KEY} to the node that serves them (${NODE_KEY} mode 0600, owned by the user cockroach runs as), then send SIGHUP to its cockroach process (kill -HUP <pid>): it re-reads the certs dir; clients need nothing new, they trust ${CA_CERT}.`,
  );
  return p.build({ caKey });
}

export interface RotateClientOptions extends SigningOptions {
  users: string[];
  /** Write client.USER.key.pk8 even when there is none yet. */
  alsoGeneratePkcs8Key?: boolean;
}

/** `rotate-client USER...`: new client certs and keys from ca-client.crt when it exists, else ca.crt. */
export function planRotateClient(given: RotateClientOptions): RotationPlan {
  const o = absolute(given);
  const caKey = requireCaKey(o);
  if (o.users.length === 0)
    throw new UserError('rotate-client needs at least one user name: e.g. crdb-tls cert rotate-client root --certs-dir certs --ca-key safe/ca.key.');
  if (o.users.length > MAX_CERTS_PER_PLAN) {
    throw new UserError(
      `rotate-client takes at most ${MAX_CERTS_PER_PLAN} users in one run, got ${o.users.length}: run it in batches of ${MAX_CERTS_PER_PLAN} or fewer (each run makes its own backup); nothing was changed.`,
    );
  }
  const users = o.users.map(validateUserName);
  const names = new Set(users.map(clientCertName));
  const entries = loadDir(o, (e) => names.has(e.certFile));
  const p = new PlanBuilder('rotate-client', o);
  const caFile = signingCaFile('Client', (n) => entries.some((e) => e.certFile === n)) ?? CA_CERT;
  const ca = p.ca(caFile, caKey);
  for (const user of [...new Set(users)]) {
    const current = entries.find((e) => e.certFile === clientCertName(user));
    const pkcs8 = !!o.alsoGeneratePkcs8Key || lstatOrUndefined(join(o.certsDir, clientKeyName(user)) + '.pk8') !== undefined;
    p.leaf('client', clientCertName(user), user, sansOf(current), ca, current, pkcs8);
  }
  p.notes.push(
    `Deploy ${users.map((u) => `${clientCertName(u)} and ${clientKeyName(u)}`).join(', ')} to the clients that use them, and restart those that read them only at start; the old certificates stay valid until they expire.`,
  );
  return p.build({ caKey });
}

export { oldKeyPath };

/** `rotate-ca`: the old CA key moved aside (kept), a new key and CA cert; ca.crt becomes the new CA followed by the old ones. */
export function planRotateCa(given: SigningOptions): RotationPlan {
  const o = absolute(given);
  const caKey = requireCaKey(o);
  const entries = loadDir(o, () => false);
  const p = new PlanBuilder('rotate-ca', o);
  const old = p.ca(CA_CERT, caKey); // the old key must be the one that signs ca.crt: it is the one kept
  const bundle = readCerts(old.certPath);
  const aside = oldKeyPath(caKey, p.now);
  p.expect(aside);
  p.steps.push({ action: 'move', path: caKey, to: aside, what: 'CA key', mode: KEY_MODE });
  p.steps.push({ action: 'write', path: caKey, what: 'CA key', mode: KEY_MODE });
  p.steps.push({ action: 'replace', path: old.certPath, what: 'CA certificate', mode: CERT_MODE });
  const lifetimeMs = o.lifetimeMs ?? DEFAULT_CA_LIFETIME_MS;
  const keyType = p.keyTypeFor(certInfo(old.cert).publicKey);
  p.certs.push({
    path: old.certPath,
    kind: 'ca',
    commonName: 'Cockroach CA',
    sans: { dns: [], ip: [] },
    keyType,
    keySize: validateKeyOptions(keyType, keyType === 'rsa' ? p.keySize : o.keySize),
    notBefore: secondsFloor(p.now.getTime() - BACKDATE_MS),
    notAfter: secondsFloor(p.now.getTime() + lifetimeMs),
    signedBy: 'self',
    replaces: { serial: certInfo(old.cert).serial, notAfter: certInfo(old.cert).notAfter.toISOString() },
  });
  const leaves = entries.filter((e) => e.usage === 'Node' || e.usage === 'Client').map((e) => e.certFile);
  p.notes.push(
    `${CA_CERT} will hold ${bundle.length + 1} certificates, the new CA first: copy it to every node and client and SIGHUP every node, so that all trust both CAs.`,
  );
  p.notes.push(`The old CA key is kept at ${aside}; the new one is written to ${caKey}.`);
  p.notes.push(
    `Then re-issue ${leaves.length ? leaves.join(', ') : 'the node and client certificates'} from the new CA (crdb-tls cert reissue-all --certs-dir ${o.certsDir} --ca-key ${caKey}), deploy them and SIGHUP the nodes; prune the old CA (crdb-tls cert prune-ca) once nothing depends on it.`,
  );
  return p.build({ caKey });
}

export interface ReissueAllOptions extends SigningOptions {
  /** The key of ca-client.crt, when the dir has a separate client CA. */
  clientCaKey?: string;
}

/** `reissue-all`: every node and client certificate of the dir again from the current CA, same names, CN and SANs, new keys. */
export function planReissueAll(given: ReissueAllOptions): RotationPlan {
  const o = absolute(given);
  const caKey = requireCaKey(o);
  const leafUsage = (e: CertEntry) => e.usage === 'Node' || e.usage === 'Client';
  const entries = loadDir(o, leafUsage);
  const p = new PlanBuilder('reissue-all', o);
  const hasClientCa = entries.some((e) => e.certFile === CLIENT_CA_CERT);
  const hasClients = entries.some((e) => e.usage === 'Client');
  if (hasClientCa && !o.clientCaKey && hasClients) {
    throw new UserError(`${join(o.certsDir, CLIENT_CA_CERT)} signs the client certificates: pass its key with --client-ca-key.`);
  }
  // A key that would sign nothing is a mistake about the dir: refused before anything is read or written.
  if (o.clientCaKey !== undefined && !(hasClientCa && hasClients)) {
    throw new UserError(
      `--client-ca-key cannot apply: ${o.certsDir} ${hasClientCa ? 'holds no client certificate' : `has no ${CLIENT_CA_CERT}, so ${CA_CERT} (--ca-key) signs its client certificates`}; drop --client-ca-key.`,
      o.certsDir,
    );
  }
  for (const e of entries.filter(leafUsage)) {
    if (e.usage === 'Node') {
      if (!e.sans || e.sans.dns.length + e.sans.ip.length === 0)
        throw new UserError(`${e.certPath} has no DNS or IP names to keep: issue it with rotate-node HOST... instead.`, e.certPath);
      p.leaf('node', e.certFile, 'node', sansOf(e), p.ca(CA_CERT, caKey), e, false);
    } else {
      const user = validateUserName(e.name ?? '');
      const ca = hasClientCa ? p.ca(CLIENT_CA_CERT, o.clientCaKey ?? '') : p.ca(CA_CERT, caKey);
      p.leaf(
        'client',
        e.certFile,
        e.subject?.CN ?? user,
        sansOf(e),
        ca,
        e,
        lstatOrUndefined(`${e.keyPath ?? join(o.certsDir, clientKeyName(user))}.pk8`) !== undefined,
      );
    }
  }
  if (p.certs.length === 0) throw new UserError(`${o.certsDir} holds no node or client certificate to re-issue.`, o.certsDir);
  const skipped = entries.filter((e) => e.usage === 'UI' || e.usage === 'Tenant Client').map((e) => e.certFile);
  if (skipped.length) p.notes.push(`Not re-issued: ${skipped.join(', ')} (UI and tenant certificates have their own CAs; re-issue them with cockroach cert).`);
  p.notes.push(`Copy node.crt and node.key to each node and SIGHUP it; deploy the client certificates and keys to their clients.`);
  return p.build({ caKey, ...(o.clientCaKey ? { clientCaKey: o.clientCaKey } : {}) });
}

export interface PruneCaOptions extends PlanOptions {
  /** Client certificate folders outside the certs dir that must not depend on the old CAs either. */
  alsoCheck?: string[];
}

/** `prune-ca`: ca.crt keeps only its first certificate, when no certificate in the dir or the checked folders chains only to the others. */
export function planPruneCa(given: PruneCaOptions): RotationPlan {
  const o = absolute(given);
  loadDir(o, () => false);
  const p = new PlanBuilder('prune-ca', o);
  const caPath = join(o.certsDir, CA_CERT);
  const bundle = readCerts(caPath);
  p.expect(caPath);
  if (bundle.length < 2)
    throw new UserError(`${caPath} holds ${bundle.length} certificate${bundle.length === 1 ? '' : 's'}: there is no old CA to prune.`, caPath);
  const dependents = oldCaDependents(bundle, [o.certsDir, ...(o.alsoCheck ?? [])]);
  if (dependents.length > 0) {
    throw new UserError(
      `cannot prune ${caPath}: ${dependents.length} certificate${dependents.length === 1 ? '' : 's'} still chain${dependents.length === 1 ? 's' : ''} only to an old CA (nothing was changed):\n  ` +
        dependents.map((d) => `${d.path} (CN=${d.subject}, serial ${d.serial}, signed by old CA serial ${d.issuers.join(', ')})`).join('\n  ') +
        `\nRe-issue them from the current CA first (crdb-tls cert reissue-all for the certs dir; new client certificates for the other folders), deploy them, then prune.`,
      caPath,
    );
  }
  p.steps.push({ action: 'replace', path: caPath, what: 'CA certificate', mode: CERT_MODE });
  p.notes.push(`Copy ${CA_CERT} to every node and client and SIGHUP the nodes: certificates signed by the pruned CA are refused from then on.`);
  return p.build({
    removedCaCerts: bundle.slice(1).map((c) => ({ serial: certInfo(c).serial, notAfter: certInfo(c).notAfter.toISOString(), subject: cnOf(c) })),
  });
}

function whatOf(path: string, certsDir: string): FileWhat {
  const name = basename(path);
  if (resolve(dirname(path)) !== resolve(certsDir)) return name.endsWith('.key') ? 'CA key' : 'file';
  if (name === CA_CERT || name === CLIENT_CA_CERT) return 'CA certificate';
  if (name === NODE_CERT) return 'node certificate';
  if (name === NODE_KEY) return 'node key';
  if (/^client\..+\.crt$/.test(name)) return 'client certificate';
  if (/^client\..+\.key$/.test(name)) return 'client key';
  if (/\.key\.pk8$/.test(name)) return 'client pkcs8 key';
  return 'file';
}

export interface RollbackOptions extends PlanOptions {
  /** Default: the newest backup of the certs dir. */
  backupId?: string;
  /**
   * The CA key the user names (--ca-key; the cluster's CA key in the editor): a backup that restores
   * or removes files outside the certs dir may touch only this key and its moved-aside names
   * (unless the manifest is signed by the key at its recorded path, restore.ts).
   */
  caKey?: string;
}

/**
 * `rollback [ID]`: the certs dir (and the CA key) as it was when backup ID was made: the files of
 * that backup and of every later one restored byte for byte with their modes, the files their
 * operations created removed, all in one transaction (rollback.ts).
 */
export function planRollback(given: RollbackOptions): RotationPlan {
  const o = absolute(given);
  requireCertsDir(o);
  const root = o.backupDir ?? defaultBackupRoot(o.certsDir);
  // Refused now, not half-way: paths outside the certs dir, links, damaged copies (restore.ts), for every backup undone.
  const set = rollbackSet(root, o.certsDir, o.backupId, o.caKey || undefined);
  const p = new PlanBuilder('rollback', o);
  for (const s of set.sources) {
    const cur = p.expect(s.path);
    if (!s.file) {
      if (cur !== null) p.steps.push({ action: 'remove', path: s.path, what: whatOf(s.path, o.certsDir), from: s.backup.id });
      continue;
    }
    const st = lstatOrUndefined(s.path);
    if (cur === s.file.sha256 && st && (st.mode & 0o7777) === s.file.mode) continue;
    p.steps.push({ action: 'restore', path: s.path, what: whatOf(s.path, o.certsDir), mode: s.file.mode, from: s.backup.id });
  }
  const b = set.target;
  if (set.later.length) p.notes.push(`Rolling back to ${b.id} (${b.reason}) also undoes the later changes, newest first: ${laterText(set.later)}.`);
  p.notes.push(
    p.steps.length === 0
      ? `Nothing to do: the files already match backup ${b.id}.`
      : `Copy the restored files to the nodes and clients that use them and SIGHUP the nodes. The current files are backed up first.`,
  );
  return p.build({ rollbackOf: b.id, undoes: set.later.map((x) => x.id), ...(set.caKey ? { caKey: set.caKey } : {}) });
}
