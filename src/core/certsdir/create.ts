import { certInfo } from '../pki/certinfo';
import { accessSync, constants, mkdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { KeyObject, X509Certificate } from 'node:crypto';
import { InputFileError, readInputBytes } from '../input';
import { UserError, errnoCode, errMessage } from '../errors';
import { issueCertificate, CertKind } from '../pki/issue';
import { HOUR_MS, validateLifetime } from '../pki/duration';
import { KeyType, assertKeySigns, generateKey, keyMatchesCert, keyTypeOf, parsePrivateKey, pkcs8Der, validateKeyOptions } from '../pki/keys';
import { hostsToSans, validateUserName } from '../pki/names';
import { splitPem, toPem } from '../pki/pem';
import { DEFAULT_CA_LIFETIME_MS, DEFAULT_CERT_LIFETIME_MS } from '../cockroach/lifetimes';
import { CA_CERT, CLIENT_CA_CERT, NODE_CERT, NODE_KEY, clientCertName, clientKeyName, signingCaFile } from '../cockroach/layout';
import { CERTS_DIR_MODE, CERT_MODE, FileWrite, KEY_MODE, assertCanWrite, commitFiles } from './write';

/** cockroach: 10 × 366 days for a CA, 5 × 366 days for node and client certs. */

interface CommonOptions {
  certsDir: string;
  caKey: string;
  keySize?: number;
  /** rsa (default, as cockroach cert) or ecdsa (P-256). */
  keyType?: KeyType;
  lifetimeMs?: number;
  overwrite?: boolean;
  now?: Date;
}

export interface CreateCaOptions extends CommonOptions {
  allowKeyReuse?: boolean;
}

export interface WrittenFile {
  path: string;
  mode: number;
  what: 'certificate' | 'key' | 'pkcs8 key' | 'ca key';
}

export interface CreateResult {
  files: WrittenFile[];
  certPath: string;
  serial: string;
  notAfter: string;
  /** Certificates now in the CA file (the new one first): more than one during a CA rotation. */
  numCerts?: number;
  reusedKey?: boolean;
}

/** Starts key generation now (RSA runs on a worker thread); a failed check later simply drops the key. */
export function startKeygen(type: KeyType, bits: number): ReturnType<typeof generateKey> {
  const p = generateKey(type, bits);
  p.catch(() => undefined);
  return p;
}

function requirePaths(o: CommonOptions): void {
  if (!o.caKey) throw new UserError('the path to the CA key is required: pass --ca-key (kept outside the certs directory).');
  if (!o.certsDir) throw new UserError('the path to the certs directory is required: pass --certs-dir.');
}

function statKind(path: string): 'missing' | 'dir' | 'file' | 'other' {
  try {
    const st = statSync(path);
    return st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other';
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return 'missing';
    throw new UserError(`could not check ${path} (${errnoCode(err) ?? errMessage(err)}): check its permissions.`, path);
  }
}

/** Whether the certs dir must be created (create-ca only); refuses a file in its place or a missing parent. */
function certsDirPlan(dir: string, mayCreate: boolean): boolean {
  const kind = statKind(dir);
  if (kind === 'dir') return false;
  if (kind !== 'missing') throw new UserError(`certs directory ${dir} exists but is not a directory: pass a folder to --certs-dir.`, dir);
  if (!mayCreate)
    throw new UserError(
      `certs directory ${dir} does not exist: create the CA first with "crdb-tls cert create-ca --certs-dir ${dir} --ca-key <key>", or fix --certs-dir.`,
      dir,
    );
  const parent = dirname(resolve(dir));
  if (statKind(parent) !== 'dir') {
    throw new UserError(`the parent of certs directory ${dir} does not exist: create it first (mkdir -p ${parent}).`, dir);
  }
  assertWritableDir(
    parent,
    `cannot create certs directory ${dir}: its parent ${parent}`,
    `create the directory yourself (mkdir -m 700 ${dir}) or pass a --certs-dir you can write to`,
    dir,
  );
  return true;
}

/** Refuses, before anything is generated or written, a folder this process cannot create files in. */
function assertWritableDir(dir: string, what: string, fix: string, file: string): void {
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch (err) {
    throw new UserError(`${what} is not writable by this user (${errnoCode(err) ?? errMessage(err)}): ${fix}; nothing was changed.`, file);
  }
}

/** mkdir of a new certs dir (mode 0700), as a UserError naming the dir when the system refuses. */
function makeCertsDir(dir: string): void {
  try {
    mkdirSync(dir, { mode: CERTS_DIR_MODE });
  } catch (err) {
    throw new UserError(
      `cannot create certs directory ${dir} (${errnoCode(err) ?? errMessage(err)}): check that ${dirname(resolve(dir))} is writable by this user, or create the directory yourself (mkdir -m 700 ${dir}); nothing was changed.`,
      dir,
    );
  }
}

function readFileOrThrow(path: string, what: string, fix: string): Buffer {
  try {
    return readInputBytes(path, { what: `the ${what}` });
  } catch (err) {
    if (!(err instanceof InputFileError)) throw err;
    if (err.problem === 'missing') throw new UserError(`${what} ${path} not found: ${fix}`, path);
    if (err.problem === 'directory') throw new UserError(`${what} ${path} is a directory: ${fix}`, path);
    throw err;
  }
}

/** CA keys crdb-tls signs with: RSA (as cockroach cert creates them) and ECDSA (--key-type ecdsa). */
function requireSigningKey(key: KeyObject, path: string): void {
  if (key.asymmetricKeyType !== 'rsa' && key.asymmetricKeyType !== 'ec') {
    throw new UserError(
      `CA key ${path} is an ${String(key.asymmetricKeyType).toUpperCase()} key: crdb-tls signs with RSA or ECDSA CA keys; create a CA with create-ca (--key-type rsa or ecdsa).`,
      path,
    );
  }
}

export interface LoadedCa {
  cert: X509Certificate;
  key: KeyObject;
  certPath: string;
}

/** Loads the first certificate of the CA file and the CA key, and checks that they belong together (tls.LoadX509KeyPair). */
export function loadCa(certPath: string, keyPath: string): LoadedCa {
  const pem = readFileOrThrow(certPath, 'CA certificate', 'create the CA with "crdb-tls cert create-ca", or fix --certs-dir.');
  const blocks = splitPem(pem.toString('latin1')).filter((b) => b.type === 'CERTIFICATE');
  if (blocks.length === 0)
    throw new UserError(`CA certificate ${certPath} holds no PEM certificate: restore it, or create the CA again with create-ca.`, certPath);
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(blocks[0].der);
  } catch (err) {
    throw new UserError(`CA certificate ${certPath} cannot be parsed (${errMessage(err)}): restore it from a backup.`, certPath);
  }
  if (!certInfo(cert).isCA)
    throw new UserError(`the first certificate in ${certPath} is not a CA (basicConstraints CA:false): put the CA certificate first.`, certPath);
  const keyPem = readFileOrThrow(keyPath, 'CA key', `pass the key that signed ${certPath} with --ca-key.`);
  const key = parsePrivateKey(keyPem, keyPath);
  requireSigningKey(key, keyPath);
  if (!keyMatchesCert(key, cert)) {
    throw new UserError(`CA key ${keyPath} does not match the first certificate in ${certPath}: pass the key that signed it with --ca-key.`, keyPath);
  }
  assertKeySigns(key, `CA key ${keyPath}`); // its public half matches; its private numbers must too
  return { cert, key, certPath };
}

/** cockroach refuses a certificate that outlives its CA (checkLifetimeAgainstCA), with this message. */
export function checkLifetimeAgainstCa(ca: LoadedCa, now: Date, lifetimeMs: number): void {
  const caNotAfter = certInfo(ca.cert).notAfter.getTime();
  const notAfter = Math.floor((now.getTime() + lifetimeMs) / 1000) * 1000;
  if (caNotAfter >= notAfter) return;
  const caHours = (caNotAfter - now.getTime()) / HOUR_MS;
  const certHours = (notAfter - now.getTime()) / HOUR_MS;
  throw new UserError(
    `${ca.certPath}: CA lifetime is ${caHours.toFixed(6)}h, shorter than the requested ${certHours.toFixed(6)}h. ` +
      `Renew CA certificate, or rerun with --lifetime=${Math.max(0, Math.trunc(caHours))}h for a shorter duration.`,
    ca.certPath,
  );
}

function certFacts(pem: string): { serial: string; notAfter: string } {
  const c = new X509Certificate(pem);
  return { serial: certInfo(c).serial, notAfter: certInfo(c).notAfter.toISOString() };
}

async function createCaFile(o: CreateCaOptions, fileName: string): Promise<CreateResult> {
  requirePaths(o);
  const keyType = o.keyType ?? 'rsa';
  const keySize = validateKeyOptions(keyType, o.keySize);
  const lifetimeMs = validateLifetime(o.lifetimeMs ?? DEFAULT_CA_LIFETIME_MS);
  const now = o.now ?? new Date();
  // RSA generation runs on a worker thread: start it first so the checks below overlap with it.
  const pending = statKind(o.caKey) === 'missing' ? startKeygen(keyType, keySize) : undefined;
  const createDir = certsDirPlan(o.certsDir, true);
  const certPath = join(o.certsDir, fileName);

  // Every check before anything is written.
  let key: KeyObject;
  let keyPem: string | undefined;
  const keyKind = statKind(o.caKey);
  if (keyKind !== 'missing') {
    if (!o.allowKeyReuse)
      throw new UserError(
        `CA key ${o.caKey} exists, but key reuse is disabled: rerun with --allow-ca-key-reuse to sign the new CA with it, or pass a new --ca-key path.`,
        o.caKey,
      );
    key = parsePrivateKey(readFileOrThrow(o.caKey, 'CA key', 'pass an existing key file.'), o.caKey);
    requireSigningKey(key, o.caKey);
    if (o.keyType && keyTypeOf(key) !== o.keyType)
      throw new UserError(
        `CA key ${o.caKey} is not an ${o.keyType.toUpperCase()}${o.keyType === 'ecdsa' ? ' P-256' : ''} key, as --key-type ${o.keyType} asks: drop --key-type to reuse the key as it is, or pass a new --ca-key path.`,
        o.caKey,
      );
    // A damaged key may still parse: it must sign what its public half verifies before it signs a CA.
    assertKeySigns(key, `CA key ${o.caKey}`);
  } else {
    const keyDir = dirname(resolve(o.caKey));
    if (statKind(keyDir) !== 'dir') {
      throw new UserError(
        `the directory of CA key ${o.caKey} does not exist: create it first (mkdir -m 700 -p ${keyDir}), outside the certs directory.`,
        o.caKey,
      );
    }
    assertWritableDir(
      keyDir,
      `the directory of CA key ${o.caKey}`,
      `pass a --ca-key path in a folder you can write to (kept outside the certs directory)`,
      o.caKey,
    );
    const generated = await (pending ?? generateKey(keyType, keySize));
    key = generated.privateKey;
    keyPem = generated.pem;
  }
  const existing: Buffer[] = [];
  if (!createDir && statKind(certPath) !== 'missing') {
    assertCanWrite(certPath, !!o.overwrite);
    const blocks = splitPem(readFileOrThrow(certPath, 'existing CA certificate file', 'check it.').toString('latin1'));
    const bad = blocks.findIndex((b) => b.type !== 'CERTIFICATE');
    if (bad >= 0)
      throw new UserError(
        `could not parse existing CA cert file ${certPath}: block #${bad} is ${blocks[bad].type}, not CERTIFICATE; fix or move the file.`,
        certPath,
      );
    existing.push(...blocks.map((b) => b.der));
  }

  const pem = await issueCertificate({ kind: 'ca' as CertKind, commonName: 'Cockroach CA', lifetimeMs, now, publicKey: key }, { key });
  // The new CA first, then the ones already trusted: the combined CA file used for rotation.
  const bundle = pem + existing.map((der) => toPem('CERTIFICATE', der)).join('');

  const writes: FileWrite[] = [];
  if (keyPem) writes.push({ path: o.caKey, data: keyPem, mode: KEY_MODE });
  writes.push({ path: certPath, data: bundle, mode: CERT_MODE });
  // The certs dir is made last, and removed again when the writes fail: a failed command changes nothing.
  if (createDir) makeCertsDir(o.certsDir);
  try {
    commitFiles(writes);
  } catch (err) {
    if (createDir) rmSync(o.certsDir, { recursive: true, force: true });
    throw err;
  }
  const files: WrittenFile[] = writes.map((w) => ({ path: w.path, mode: w.mode, what: w.path === certPath ? 'certificate' : 'ca key' }));
  return { files, certPath, ...certFacts(pem), numCerts: 1 + existing.length, reusedKey: !keyPem };
}

/** `cockroach cert create-ca`: CA key (unless reused) and `ca.crt`, prepended to an existing one with --overwrite. */
export function createCa(o: CreateCaOptions): Promise<CreateResult> {
  return createCaFile(o, CA_CERT);
}

/** `cockroach cert create-client-ca`: a separate CA for client certificates, `ca-client.crt`. */
export function createClientCa(o: CreateCaOptions): Promise<CreateResult> {
  return createCaFile(o, CLIENT_CA_CERT);
}

async function createLeaf(
  o: CommonOptions,
  caFile: string,
  kind: 'node' | 'client',
  commonName: string,
  sans: { dns: string[]; ip: string[] },
  certName: string,
  keyName: string,
  pkcs8: boolean,
): Promise<CreateResult> {
  requirePaths(o);
  const keyType = o.keyType ?? 'rsa';
  const keySize = validateKeyOptions(keyType, o.keySize);
  const lifetimeMs = validateLifetime(o.lifetimeMs ?? DEFAULT_CERT_LIFETIME_MS);
  const now = o.now ?? new Date();
  const pending = startKeygen(keyType, keySize);
  certsDirPlan(o.certsDir, false);
  const ca = loadCa(join(o.certsDir, caFile), o.caKey);
  const certPath = join(o.certsDir, certName);
  const keyPath = join(o.certsDir, keyName);
  const targets = [certPath, keyPath, ...(pkcs8 ? [keyPath + '.pk8'] : [])];
  for (const t of targets) assertCanWrite(t, !!o.overwrite);
  checkLifetimeAgainstCa(ca, now, lifetimeMs);

  const key = await pending;
  const pem = await issueCertificate(
    { kind, commonName, lifetimeMs, now, dns: sans.dns, ip: sans.ip, publicKey: key.publicKey },
    { cert: ca.cert, key: ca.key },
  );
  const writes: FileWrite[] = [
    { path: certPath, data: pem, mode: CERT_MODE },
    { path: keyPath, data: key.pem, mode: KEY_MODE },
  ];
  if (pkcs8) writes.push({ path: keyPath + '.pk8', data: pkcs8Der(key.privateKey), mode: KEY_MODE });
  commitFiles(writes);
  const what: WrittenFile['what'][] = ['certificate', 'key', 'pkcs8 key'];
  return { files: writes.map((w, i) => ({ path: w.path, mode: w.mode, what: what[i] })), certPath, ...certFacts(pem) };
}

export interface CreateNodeOptions extends CommonOptions {
  hosts: string[];
}

/** `cockroach cert create-node HOST...`: node.crt (CN=node, serverAuth+clientAuth, SANs) and node.key, signed by the first cert of ca.crt. */
export function createNode(o: CreateNodeOptions): Promise<CreateResult> {
  const sans = hostsToSans(o.hosts);
  return createLeaf(o, CA_CERT, 'node', 'node', sans, NODE_CERT, NODE_KEY, false);
}

export interface CreateClientOptions extends CommonOptions {
  user: string;
  alsoGeneratePkcs8Key?: boolean;
}

/** `cockroach cert create-client USER`: client.USER.crt/.key (and .key.pk8), signed by ca-client.crt when it exists, else ca.crt. */
export function createClient(o: CreateClientOptions): Promise<CreateResult> {
  const user = validateUserName(o.user);
  const caFile = (o.certsDir && signingCaFile('Client', (n) => statKind(join(o.certsDir, n)) !== 'missing')) || CA_CERT;
  return createLeaf(o, caFile, 'client', user, { dns: [], ip: [] }, clientCertName(user), clientKeyName(user), !!o.alsoGeneratePkcs8Key);
}
