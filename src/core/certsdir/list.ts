import { readdirSync, statSync, Stats } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { cockroachKeyModeProblem } from '../cockroach/keymode';
import { FileCache } from '../cache';
import { UserError, errnoCode, errMessage } from '../errors';
import { InputFileError, readInputBytes } from '../input';
import { CertDetails, ParsedCertFile, certDetails, parseCertFile } from '../pki/inspect';
import { CertInfo, certInfo } from '../pki/certinfo';
import { keyMatchesCert, parsePrivateKey } from '../pki/keys';
import { findIssuer, notSignedText } from '../pki/chain';
import { CLIENT_CA_CERT, FileRole, USAGE_ORDER, Usage, isCaUsage, roleFromFilename, signingCaFile } from '../cockroach/layout';
import { CertRole, MIN_RSA_BITS, RuleCode, principalsOf, roleProblems, ruleRoleForUsage } from '../cockroach/certrules';
import { DEFAULT_THRESHOLDS, ExpiryStatus, ExpiryThresholds, daysLeft, expiryStatus } from '../cockroach/expiry';
import { inferRole, installNameFor, roleText } from './check';

/** What a listing problem is about: the loader's own checks, our key and chain checks, or a CockroachDB rule (cockroach/certrules). */
export type ListProblemCode = 'bad-filename' | 'unreadable' | 'key-missing' | 'key-unreadable' | 'key-mode' | 'key-mismatch' | 'chain' | RuleCode;

/** One problem of a listed file, as plain data (the editor's Problems, `cert list --json`). */
export interface ListProblem {
  code: ListProblemCode;
  /** error: CockroachDB skips or refuses the file (or its clients all do); warning: some clients refuse it. */
  severity: 'error' | 'warning';
  /** The file it is about: the certificate, or its key (mode, mismatch, unreadable). */
  path: string;
  message: string;
}

/** One `.crt` file of a certs directory with its key, as `cockroach cert list` sees it, plus our checks. */
export interface CertEntry {
  usage: Usage;
  /** Base names, as cockroach prints them. */
  certFile: string;
  keyFile: string | null;
  certPath: string;
  keyPath: string | null;
  /** User (client) or tenant id, from the file name. */
  name: string | null;
  notBefore: string | null;
  notAfter: string | null;
  subject: Record<string, string> | null;
  sans: CertDetails['sans'] | null;
  issuer: Record<string, string> | null;
  serial: string | null;
  fingerprintSha256: string | null;
  numCerts: number;
  status: ExpiryStatus | null;
  daysLeft: number | null;
  /** The `Notes` column of cockroach cert list. */
  notes: string;
  /** What is wrong, each a sentence that names the file and the fix. Empty when CockroachDB would load it. */
  errors: string[];
  /** What some clients refuse though CockroachDB loads it (an RSA key under 2048 bits, a leaf marked CA), each a sentence with the fix. */
  warnings: string[];
  /** errors and warnings in one list, in order, each with its code and the file it is about. */
  problems: ListProblem[];
  /**
   * A file CockroachDB skips for its name (tls.crt, ca.old.crt): the name its loader expects for what
   * the file holds (node.crt, client.USER.crt, ca.crt). Absent for good names or unreadable files.
   */
  loaderName?: string;
  /** Every certificate in the file (a CA bundle holds several; the first signs). */
  certs: CertDetails[];
  /**
   * Node and client certificates: the CA file that must sign it (ca-client.crt for a client when
   * the dir has one, else ca.crt) and which of its certificates did (0-based), or null when none
   * did (then `errors` says why and how to fix it). Absent when not checked (no such CA file, or
   * it or this file cannot be read).
   */
  chain?: { caFile: string; signedBy: number | null };
}

export interface ListOptions {
  now?: Date;
  thresholds?: ExpiryThresholds;
  /** COCKROACH_SKIP_KEY_PERMISSION_CHECK=true, and always on Windows. */
  skipPermissionChecks?: boolean;
  /** The process's group id, for CockroachDB's root-owned 0740 allowance. */
  gid?: number;
  /** Reuse reads and parses of unchanged files across listings (the editor's tree). */
  cache?: FileCache;
}

function add(entry: CertEntry, code: ListProblemCode, message: string, o: { warning?: boolean; path?: string } = {}): void {
  const severity = o.warning ? 'warning' : 'error';
  entry.problems.push({ code, severity, path: o.path ?? entry.certPath, message });
  (o.warning ? entry.warnings : entry.errors).push(message);
}

/** The bad-filename sentence: the loader's reason and, when we know what the file holds (`as`), the name it expects and the fix. */
function badNameText(entry: CertEntry, reason: string, files: Set<string>, as: CertRole | undefined): string {
  const base = `bad filename ${entry.certPath}: ${reason}; CockroachDB skips this file`;
  const to = entry.loaderName;
  if (!to || !as) return `${base} (rename it, or move it out of the certs directory).`;
  const isCa = as.as === 'ca' || as.as === 'client-ca';
  const what = isCa ? 'a CA certificate' : `a ${as.as} certificate`;
  const keyFrom = entry.certPath.replace(/\.crt$/, '.key');
  const keyTo = to.replace(/\.crt$/, '.key');
  if (!files.has(to))
    return `${base}: it holds ${what}, which CockroachDB loads as ${to}; rename it to ${to}${isCa ? '' : ` and its key ${basename(keyFrom)} to ${keyTo}`}, or move it out of the certs directory.`;
  return (
    `${base}: it holds ${what}, which CockroachDB loads as ${to}, and ${to} exists; to use this one instead, ` +
    `"crdb-tls cert import --certs-dir ${dirname(entry.certPath)} --as ${roleText(as)} --cert ${entry.certPath}${isCa ? '' : ` --key ${keyFrom}`} --overwrite" checks and installs it (with a backup); ` +
    `otherwise move it out of the certs directory.`
  );
}

function notesFor(usage: Usage, entry: CertEntry): string {
  if (isCaUsage(usage)) return entry.errors.length === 0 && entry.numCerts > 0 ? `num certs: ${entry.numCerts}` : '';
  if (usage === 'Node' || usage === 'UI') {
    const s = entry.sans;
    return `addresses: ${s ? [...s.dns, ...s.ip].join(',') : '<unknown>'}`;
  }
  if (usage === 'Client') return `user: ${entry.subject?.CN ?? '<unknown>'}`;
  if (usage === 'Tenant Client') return `tenant: ${entry.name ?? '<unknown>'}`;
  return '';
}

interface Loaded {
  entry: CertEntry;
  /** The file's certificates as parsed ([] when it could not be read or parsed). */
  x509: X509Certificate[];
  /** Set when CockroachDB skips the file for its name. */
  badName: boolean;
}

function loadEntry(dir: string, filename: string, role: FileRole, files: Set<string>, opts: ListOptions, now: Date): Loaded {
  const certPath = join(dir, filename);
  const entry: CertEntry = {
    usage: role.usage,
    certFile: filename,
    keyFile: null,
    certPath,
    keyPath: null,
    name: role.name ?? null,
    notBefore: null,
    notAfter: null,
    subject: null,
    sans: null,
    issuer: null,
    serial: null,
    fingerprintSha256: null,
    numCerts: 0,
    status: null,
    daysLeft: null,
    notes: '',
    errors: [],
    warnings: [],
    problems: [],
    certs: [],
  };
  let parsed: ParsedCertFile | undefined;
  let readProblem: string | undefined;
  try {
    // Only regular files within the size cap: a FIFO or /dev/zero named ca.crt must not hang the listing.
    parsed = opts.cache ? opts.cache.memo(certPath, 'cert', (b) => parseCertFile(b, certPath)) : parseCertFile(readInputBytes(certPath), certPath);
  } catch (err) {
    readProblem = readError('certificate file', certPath, err, 'make it readable by the cockroach user');
  }
  if (role.badName) {
    // What it holds decides the name the loader expects (a client's from its CN); none for a client cert without a CN.
    const as = parsed?.ok ? inferRole(filename, parsed.certs[0]) : undefined;
    const known = as && !(as.as === 'client' && !as.user) ? as : undefined;
    if (known) entry.loaderName = installNameFor(known);
    add(entry, 'bad-filename', badNameText(entry, role.badName, files, known));
  }
  if (readProblem) add(entry, 'unreadable', readProblem);
  let first: X509Certificate | undefined;
  if (parsed) {
    if (!parsed.ok) {
      add(entry, 'unreadable', parsed.error);
    } else {
      first = parsed.certs[0];
      entry.certs = parsed.certs.map(certDetails);
      const d = entry.certs[0];
      Object.assign(entry, {
        numCerts: parsed.certs.length,
        notBefore: d.notBefore,
        notAfter: d.notAfter,
        subject: d.subject,
        sans: d.sans,
        issuer: d.issuer,
        serial: d.serial,
        fingerprintSha256: d.fingerprintSha256,
      });
      const notAfter = new Date(d.notAfter);
      entry.daysLeft = daysLeft(notAfter, now);
      entry.status = expiryStatus(role.usage, new Date(d.notBefore), notAfter, now, opts.thresholds ?? DEFAULT_THRESHOLDS);
      checkCertificate(entry, certInfo(parsed.certs[0]), files);
    }
  }
  if (!isCaUsage(role.usage) && role.usage !== 'Unknown') checkKey(entry, dir, filename, first, opts);
  entry.notes = notesFor(role.usage, entry);
  return { entry, x509: parsed?.ok ? parsed.certs : [], badName: !!role.badName };
}

const CHAIN_WHAT: Partial<Record<Usage, string>> = {
  Node: 'node certificate',
  Client: 'client certificate',
  UI: 'UI certificate',
  'Tenant Client': 'tenant client certificate',
};

/**
 * Node, client, UI and tenant client certificates against the CA file that must sign them (the whole file is the
 * trust pool, as for CockroachDB): a certificate from another CA of the same name, the usual state
 * after a CA is created again, is an error with its fix, not "ok".
 */
function checkChains(dir: string, loaded: Loaded[], files: Set<string>): void {
  const byName = new Map(loaded.map((l) => [l.entry.certFile, l]));
  for (const { entry, x509, badName } of loaded) {
    const caFile = signingCaFile(entry.usage, (n) => files.has(n));
    const ca = caFile ? byName.get(caFile) : undefined;
    if (!caFile || !ca || ca.x509.length === 0 || x509.length === 0 || ca.badName || badName) continue;
    const m = findIssuer(x509[0], ca.x509);
    entry.chain = { caFile, signedBy: m.signed ? m.index : null };
    if (m.signed) continue;
    const caPath = join(dir, caFile);
    const what = CHAIN_WHAT[entry.usage] ?? 'certificate';
    const reissue =
      entry.usage === 'Node'
        ? `"crdb-tls cert rotate-node --certs-dir ${dir} --ca-key <ca.key>"; `
        : entry.usage === 'Client'
          ? `"crdb-tls cert rotate-client ${entry.name ?? '<user>'} --certs-dir ${dir} --ca-key <${caFile === CLIENT_CA_CERT ? 'ca-client.key' : 'ca.key'}>"; `
          : '';
    add(
      entry,
      'chain',
      `${what} ${entry.certPath} does not chain to ${caPath}: ${notSignedText(x509[0], caFile, ca.x509, m)}. ` +
        `CockroachDB and its clients refuse it (tls: unknown certificate authority). Fix: re-issue it with the key of the first certificate of ${caFile} (${reissue}"crdb-tls cert reissue-all" does every node and client certificate), ` +
        `or, while a CA rotation is under way, append the CA certificate that signed it to ${caFile}.`,
    );
  }
}

/** Why a file of the dir could not be read, naming it and the fix; a FIFO, device or huge file is not read at all. */
function readError(what: string, path: string, err: unknown, fix: string): string {
  if (err instanceof InputFileError) {
    if (err.problem === 'not-regular') return `${what} ${path} ${err.detail}: replace it with the ${what} itself (CockroachDB would block reading it).`;
    if (err.problem === 'too-large') return `${what} ${path} ${err.detail}: it is not a ${what}; replace it with the right one.`;
    if (err.problem === 'missing') return `${what} ${path} does not exist (a dangling link?): restore it, or remove the link.`;
    if (err.problem === 'directory') return `${what} ${path} is a directory: replace it with the ${what} itself.`;
    return `could not read ${what} ${path} (${err.code ?? err.detail}): ${fix}.`;
  }
  return `could not read ${what} ${path} (${errnoCode(err) ?? errMessage(err)}): ${fix}.`;
}

/**
 * Every CockroachDB rule (cockroach/certrules) the certificate breaks for its role, as an error or,
 * when only some clients refuse it, a warning; worded with crdb-tls's own fixes.
 */
function checkCertificate(entry: CertEntry, facts: CertInfo, files: Set<string>): void {
  const role = ruleRoleForUsage(entry.usage, entry.name ?? undefined);
  if (!role) return;
  const what = isCaUsage(entry.usage) ? 'CA certificate' : (CHAIN_WHAT[entry.usage] ?? 'certificate');
  // Validity is the expiry status's (status, daysLeft): the rules are applied as at notBefore.
  for (const r of roleProblems(facts, role, { now: facts.notBefore, hasClientNodeCert: files.has('client.node.crt') })) {
    let text: string;
    if (r.code === 'ca' && isCaUsage(entry.usage))
      text = `the first certificate in ${entry.certPath} is not a CA certificate (basicConstraints CA:false): put the CA certificate first, or issue a CA with create-ca.`;
    else if (r.code === 'principal' && role.as === 'node')
      text = `client/server node certificate ${entry.certPath} has principals ${JSON.stringify(principalsOf(facts))}, expected "node": issue it with create-node (CN=node), or add a client.node.crt.`;
    else if (r.code === 'principal' && role.as === 'client')
      text = `client certificate ${entry.certPath} has principals ${JSON.stringify(principalsOf(facts))}, expected "${role.user}": the CN must be the user in the file name; issue it again with create-client ${role.user}.`;
    else if (r.code === 'eku' && role.as === 'node')
      text = `node certificate ${entry.certPath} allows ${facts.extKeyUsage.join(', ')} but needs both serverAuth and clientAuth: issue it again with create-node.`;
    else if (r.code === 'key-type')
      text = `${entry.certPath}: the public key ${r.problem}: issue it again with ${keyFix(entry)} (an RSA key of ${MIN_RSA_BITS} bits or more, or --key-type ecdsa).`;
    else if (r.code === 'sans') text = `${what} ${entry.certPath}: subjectAltName ${r.problem}: issue it again with ${sansFix(entry)}.`;
    else if (r.code === 'ca-key-usage')
      text = `${what} ${entry.certPath}: keyUsage ${r.problem}: issue the CA again with ${keyFix(entry)} (crdb-tls CAs have keyCertSign), or have the issuing CA add keyCertSign.`;
    else text = `${what} ${entry.certPath}: ${r.field} ${r.problem}: issue it again with ${keyFix(entry)}.`;
    add(entry, r.code, text, { warning: r.warning });
  }
}

/** The crdb-tls command that issues a node or UI certificate again with the addresses clients dial. */
function sansFix(entry: CertEntry): string {
  const dir = dirname(entry.certPath);
  if (entry.usage === 'Node')
    return `"crdb-tls cert create-node <host or IP>... --certs-dir ${dir} --ca-key <ca.key> --overwrite" (every address clients and other nodes dial)`;
  return 'the addresses clients dial as DNS or IP SANs, from its issuing CA';
}

/** The crdb-tls command that issues a file of this usage again with a default (RSA 2048) key. */
function keyFix(entry: CertEntry): string {
  const dir = dirname(entry.certPath);
  if (entry.usage === 'CA') return `"crdb-tls cert rotate-ca --certs-dir ${dir} --ca-key <new ca.key>"`;
  if (entry.usage === 'Node') return `"crdb-tls cert rotate-node --certs-dir ${dir} --ca-key <ca.key>"`;
  if (entry.usage === 'Client') return `"crdb-tls cert rotate-client ${entry.name ?? '<user>'} --certs-dir ${dir} --ca-key <ca.key>"`;
  if (entry.usage === 'Client CA') return `"crdb-tls cert create-client-ca --certs-dir ${dir} --ca-key <new ca-client.key> --overwrite"`;
  return 'its issuing CA';
}

function checkKey(entry: CertEntry, dir: string, filename: string, cert: X509Certificate | undefined, opts: ListOptions): void {
  const keyFile = filename.replace(/\.crt$/, '.key');
  const keyPath = join(dir, keyFile);
  let st: Stats;
  try {
    st = statSync(keyPath);
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT')
      add(
        entry,
        'key-missing',
        `key file ${keyPath} is missing: CockroachDB needs it next to ${filename}; restore it, or issue ${filename} and its key again.`,
      );
    else add(entry, 'key-unreadable', `could not stat key file ${keyPath} (${code ?? errMessage(err)}): check the file and its directory.`, { path: keyPath });
    return;
  }
  if (!st.isFile()) {
    add(
      entry,
      'key-unreadable',
      `key file ${keyPath} is ${st.isFIFO() ? 'a FIFO (named pipe), ' : st.isCharacterDevice() || st.isBlockDevice() ? 'a device, ' : ''}not a regular file: replace it with the key file itself.`,
      { path: keyPath },
    );
    return;
  }
  if (!opts.skipPermissionChecks) {
    const problem = cockroachKeyModeProblem(keyPath, st, opts.gid);
    if (problem) add(entry, 'key-mode', problem, { path: keyPath });
  }
  entry.keyFile = keyFile;
  entry.keyPath = keyPath;
  if (!cert) return;
  // Memoised as [code, message]: a mismatch and an unreadable key are different problems.
  const check = (pem: Buffer): [ListProblemCode, string] | undefined => {
    try {
      const key = parsePrivateKey(pem, keyPath);
      if (keyMatchesCert(key, cert)) return undefined;
      return [
        'key-mismatch',
        `key file ${keyPath} does not match ${entry.certPath} (different public key): restore the key that belongs to ${filename}, or issue both again.`,
      ];
    } catch (err) {
      return ['key-unreadable', err instanceof UserError ? err.message : `key file ${keyPath}: ${errMessage(err)}`];
    }
  };
  let problem: [ListProblemCode, string] | undefined;
  try {
    // Memoised per key version and certificate: the same key bytes checked against another cert are checked again.
    problem = opts.cache ? opts.cache.memo(keyPath, `match:${cert.fingerprint256}`, check, st) : check(readInputBytes(keyPath));
  } catch (err) {
    problem = ['key-unreadable', readError('key file', keyPath, err, 'make it readable by the cockroach user only (chmod 600)')];
  }
  if (problem) add(entry, problem[0], problem[1], { path: keyPath });
}

/**
 * Lists a certs directory as CockroachDB loads it: every `.crt` file (subfolders and other files
 * are ignored), its key by name, the loader's errors, plus our checks (key matches cert, expiry).
 * Files with bad names are listed too, with the reason CockroachDB skips them.
 */
export function listCertsDir(dir: string, opts: ListOptions = {}): CertEntry[] {
  const now = opts.now ?? new Date();
  let names: string[];
  try {
    names = readdirSync(dir, { withFileTypes: true })
      .filter((d) => !d.isDirectory() && d.name.endsWith('.crt'))
      .map((d) => d.name);
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT')
      throw new UserError(`certs directory ${dir} does not exist: check --certs-dir, or create certificates with "crdb-tls cert create-ca".`, dir);
    if (code === 'ENOTDIR')
      throw new UserError(`${dir} is not a directory: --certs-dir must name the folder that holds ca.crt, node.crt and client.*.crt.`, dir);
    if (code === 'EACCES' || code === 'EPERM')
      throw new UserError(
        `certs directory ${dir} cannot be read (permission denied, ${code}): give this user read and search access to it and its parent folders, or run as its owner.`,
        dir,
      );
    throw new UserError(`could not read certs directory ${dir} (${code ?? errMessage(err)}): check its permissions.`, dir);
  }
  names.sort();
  const files = new Set(names);
  const loaded = names.map((n) => loadEntry(dir, n, roleFromFilename(n), files, opts, now));
  checkChains(dir, loaded, files);
  const entries = loaded.map((l) => l.entry);
  return entries.sort(
    (a, b) => USAGE_ORDER.indexOf(a.usage) - USAGE_ORDER.indexOf(b.usage) || (a.certFile < b.certFile ? -1 : a.certFile > b.certFile ? 1 : 0),
  );
}

/** One certificate file outside a certs dir (e.g. a Cloud cluster's downloaded CA), read as the given usage. */
export function listCertFile(path: string, usage: Usage, opts: ListOptions = {}): CertEntry {
  return loadEntry(dirname(path), basename(path), { usage }, new Set(), opts, opts.now ?? new Date()).entry;
}
