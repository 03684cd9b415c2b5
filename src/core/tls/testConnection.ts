import { X509Certificate } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { EventEmitter } from 'node:events';
import { homedir, userInfo } from 'node:os';
import { Socket, isIP } from 'node:net';
import { dirname, join } from 'node:path';
import { Duplex } from 'node:stream';
import { DetailedPeerCertificate, TLSSocket } from 'node:tls';
import type { ClientConfig } from 'pg';
import { findConnStrings } from '../connstr/find';
import { FileEnv } from '../connstr/files';
import { isUrlTarget, targetPort } from '../connstr/target';
import { ConnString, paramValue } from '../connstr/types';
import { libpqKeyModeProblem } from '../cockroach/keymode';
import { UserError, errnoCode, errMessage, quoteInput } from '../errors';
import { issuedBy } from '../pki/chain';
import { CertDetails, certDetails, extKeyUsageOf } from '../pki/inspect';
import { MAX_TIMER_MS } from '../pki/duration';
import { keyMatchesCert } from '../pki/keys';
import { Deadline, TimeoutError, formatMs, isAbortError, race, round, throwIfAborted } from './cancel';
import { explain } from './explain';
import { FileCheck, LoadedFile, loadFile, matchingSiblingKey } from './files';
import { ProbeResult, probe, sansText } from './probe';
import { DEFAULT_SQL_PORT } from '../cockroach/ports';
import { Category, Diagnosis } from './types';
import { X509_ERRORS } from './verify';

export interface TestConnectionOptions {
  /** For the whole test; default: connect_timeout from the string, else 10 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Relative file paths resolve against the document's folder, then these folders (then the process's cwd). */
  docPath?: string;
  cwd?: string;
  workspaceFolders?: string[];
  /** For ~ and libpq's default files (~/.postgresql/root.crt, postgresql.crt, postgresql.key). */
  home?: string;
  /** For the validity of certificates in the messages; default: now. */
  now?: Date;
  /** The effective user id for libpq's key permission rule; default: process.geteuid() (undefined on Windows: no check). */
  euid?: number;
}

export type SslMode = 'disable' | 'allow' | 'prefer' | 'require' | 'verify-ca' | 'verify-full';

export interface CertSummary {
  subject: string;
  issuer: string;
  sans: string;
  serial: string;
  notBefore: string;
  notAfter: string;
  fingerprintSha256: string;
}

export interface TestDetails {
  host?: string;
  port?: number;
  user?: string;
  database?: string;
  sslmode?: SslMode | string;
  /** Where sslmode came from: the string, or the default (libpq's prefer; verify-full for the cockroach CLI). */
  sslmodeSource?: 'string' | 'default';
  /** What was checked of the server's certificate. */
  verification?: 'none' | 'ca' | 'full';
  /** Whether the connection (or the last attempt) used TLS. */
  tls?: boolean;
  files: FileCheck[];
  timings: { dnsMs?: number; connectMs?: number; tlsMs?: number; authMs?: number; queryMs?: number; totalMs: number };
  protocol?: string;
  cipher?: string;
  /** The server's certificate chain, from the connection or from the probe. */
  serverChain?: CertSummary[];
  /** A probe of the server after a TLS failure: what it serves, and why the CA does not verify it. */
  probe?: ProbeResult;
  /** The error as the driver (node-postgres) reported it. */
  error?: { message: string; code?: string; stage?: string };
  notes: string[];
}

export interface TestConnectionResult extends Diagnosis {
  ok: boolean;
  details: TestDetails;
}

const SSLMODES: SslMode[] = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'];

type Stage = 'connect' | 'ssl-request' | 'handshake' | 'startup' | 'query';

const STAGE_TEXT: Record<Stage, string> = {
  connect: 'TCP connect', 'ssl-request': 'waiting for the answer to the SSLRequest', handshake: 'TLS handshake', startup: 'login', query: 'SELECT 1',
};

/** Everything the diagnosis needs about the test so far. */
interface Ctx {
  c: ConnString;
  host: string;
  port: number;
  hp: string;
  user: string;
  database?: string;
  sslmode: SslMode;
  verify: 'none' | 'ca' | 'full';
  root?: LoadedFile;
  cert?: LoadedFile;
  key?: LoadedFile;
  caPem?: string;
  caCerts: X509Certificate[];
  /** "sslrootcert certs/ca.crt" or "Node's built-in public root CAs (the string has no sslrootcert)". */
  caDesc: string;
  certsDir: string;
  now: Date;
  timeoutMs: number;
  details: TestDetails;
  env: FileEnv;
}

function hostPort(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

function cn(x: X509Certificate | CertDetails): string {
  if (x instanceof X509Certificate) return /(?:^|\n)CN=([^\n]*)/.exec(x.subject)?.[1] ?? '?';
  return x.subject.CN ?? '?';
}

function dn(rec: Record<string, string>): string {
  return Object.entries(rec).map(([k, v]) => `${k}=${v}`).join(', ');
}

function summary(d: CertDetails): CertSummary {
  return { subject: dn(d.subject), issuer: dn(d.issuer), sans: sansText(d), serial: d.serial, notBefore: d.notBefore, notAfter: d.notAfter, fingerprintSha256: d.fingerprintSha256 };
}

function daysAgo(iso: string, now: Date): string {
  const days = Math.round((now.getTime() - Date.parse(iso)) / 86_400_000);
  if (days === 0) return 'today';
  return days > 0 ? `${days} day${days === 1 ? '' : 's'} ago` : `in ${-days} day${days === -1 ? '' : 's'}`;
}

function until(iso: string, now: Date): string {
  const ms = Date.parse(iso) - now.getTime();
  if (ms < 2 * 86_400_000) return `in ${Math.max(1, Math.round(ms / 3_600_000))} hours`;
  return `in ${Math.round(ms / 86_400_000)} days`;
}

function result(details: TestDetails, category: Category, cause: string, fix: string): TestConnectionResult {
  return { ok: category === 'ok', category, cause, fix, details };
}

function parseTarget(url: string): { c: ConnString; port?: number } {
  // key=value pairs are read by libpq's rules first: a key without "=" is libpq's error, not "no connection string".
  const kvPort = !isUrlTarget(url) && url.includes('=') ? targetPort(url) : undefined;
  const found = findConnStrings(url);
  if (found.length === 0) {
    throw new UserError(`${quoteInput(url)} is not a connection string: pass postgresql://user@host:26257/db?sslmode=verify-full&sslrootcert=..., a jdbc:postgresql:// URL, or "host=... sslmode=..." key/value pairs.`);
  }
  return { c: found[0], port: isUrlTarget(url) ? targetPort(url, found[0]) : kvPort };
}

function sslmodeOf(c: ConnString, notes: string[]): { mode: SslMode | string; source: 'string' | 'default' } {
  const p = paramValue(c, 'sslmode');
  if (p) return { mode: p.value, source: 'string' };
  if (c.kind === 'jdbc' && paramValue(c, 'ssl')?.value === 'true') {
    notes.push('pgjdbc: ssl=true without sslmode means verify-full.');
    return { mode: 'verify-full', source: 'default' };
  }
  if (c.context === 'cockroach-cli') {
    notes.push('The cockroach CLI defaults to sslmode=verify-full.');
    return { mode: 'verify-full', source: 'default' };
  }
  notes.push('No sslmode in the string: tested as libpq\'s default, prefer (TLS without verification, plain if the server refuses TLS).');
  return { mode: 'prefer', source: 'default' };
}

/**
 * Tests a connection string for real: the files it names first (missing, key permissions, key
 * not matching the certificate), then a connection with node-postgres using the string's own
 * parameters and CockroachDB's meaning of sslmode, and SELECT 1. A failure is classified into one
 * category with a cause and a fix that name the files and hosts; when the TLS layer fails, the
 * server is probed to say what it serves. Throws only for text that is no connection string, and
 * AbortError on cancellation.
 */
export async function testConnection(url: string, o: TestConnectionOptions = {}): Promise<TestConnectionResult> {
  throwIfAborted(o.signal);
  const started = performance.now();
  const notes: string[] = [];
  const details: TestDetails = { files: [], timings: { totalMs: 0 }, notes };
  const done = (r: TestConnectionResult) => {
    details.timings.totalMs = round(performance.now() - started);
    return r;
  };
  const { c, port: givenPort } = parseTarget(url);
  // A PEM block pasted where a file path belongs: refused without echoing it (a key must never be shown).
  const pasted = c.params.find((p) => /-----BEGIN [A-Z0-9 ]+-----|BEGIN [A-Z0-9 ]*PRIVATE KEY/.test(p.value));
  if (pasted) {
    const key = /PRIVATE KEY/.test(pasted.value);
    throw new UserError(`${quoteInput(pasted.key)} in the connection string holds ${key ? 'a private key' : 'PEM text'}, not a file path (it is not shown): save it to a file${key ? ' (mode 0600)' : ''} and pass the file's path${key ? '; if the string was shared, treat the key as exposed and issue a new one' : ''}.`);
  }
  const now = o.now ?? new Date();
  const env: FileEnv = { docPath: o.docPath, workspaceFolders: o.workspaceFolders ?? (o.cwd ? [o.cwd] : undefined), home: o.home };
  const home = o.home ?? homedir();

  const first = c.hosts[0];
  const host = first?.host || 'localhost';
  const port = givenPort ?? DEFAULT_SQL_PORT;
  if (c.hosts.length > 1) notes.push(`The string lists ${c.hosts.length} hosts; tested the first, ${hostPort(host, port)} (libpq tries them in order).`);
  if (!first?.host) notes.push('No host in the string: tested localhost (libpq would use its Unix socket).');
  const user = c.user || safeUser();
  if (!c.user) notes.push(`No user in the string: tested ${user}, the OS user, as libpq does.`);
  const database = c.database || undefined;
  Object.assign(details, { host, port, user, ...(database ? { database } : {}) });

  const bad = c.params.find((p) => p.decodeError);
  if (bad) return done(result(details, 'other', `parameter ${bad.key} is broken: ${bad.decodeError}.`, `fix the encoding of ${bad.key} in the string (a % must be followed by two hex digits; write %25 for a literal %).`));

  const { mode, source } = sslmodeOf(c, notes);
  details.sslmode = mode;
  details.sslmodeSource = source;
  if (!SSLMODES.includes(mode as SslMode)) {
    return done(result(details, 'other', `sslmode=${mode} is not a valid sslmode: CockroachDB rejects it ("unrecognized sslmode parameter in URL").`, 'use sslmode=verify-full (or one of disable, allow, prefer, require, verify-ca).'));
  }
  const sslmode = mode as SslMode;
  const verify = sslmode === 'verify-full' ? 'full' : sslmode === 'verify-ca' ? 'ca' : 'none';
  details.verification = verify;

  // Local files first.
  const ctx: Ctx = {
    c, host, port, hp: hostPort(host, port), user, database, sslmode, verify, caCerts: [], caDesc: '', certsDir: '<certs dir>', now, details, env, timeoutMs: 0,
  };
  if (sslmode !== 'disable') {
    const local = checkFiles(ctx, home, o.euid ?? process.geteuid?.());
    if (local) return done(local);
  } else if (['sslrootcert', 'sslcert', 'sslkey'].some((k) => paramValue(c, k))) {
    notes.push('sslmode=disable: the sslrootcert, sslcert and sslkey files are not used.');
  }

  // Time starts for the network part.
  const timeoutMs = o.timeoutMs ?? connectTimeoutOf(c) ?? 10_000;
  ctx.timeoutMs = timeoutMs;
  const deadline = new Deadline(timeoutMs);

  // DNS, on its own, to say so precisely when the name does not resolve.
  if (!isIP(host)) {
    const t0 = performance.now();
    try {
      await race(lookup(host), deadline.remaining(), 'DNS lookup', o.signal, () => undefined);
      details.timings.dnsMs = round(performance.now() - t0);
    } catch (err) {
      if (isAbortError(err)) throw err;
      details.error = { message: errMessage(err), code: errnoCode(err), stage: 'dns' };
      if (err instanceof TimeoutError) {
        return done(result(details, 'timeout', `the DNS lookup of ${host} did not finish within ${formatMs(timeoutMs)}.`, `check this machine's DNS servers and VPN; then raise the timeout.`));
      }
      return done(result(details, 'dns', `the host name ${host} does not resolve (${errnoCode(err) ?? errMessage(err)} from the system resolver).`,
        `check the host name for typos (for CockroachDB Cloud, copy the host from the cluster's Connect dialog), and this machine's DNS settings or VPN.`));
    }
  }

  // Connect: TLS as sslmode says; prefer and allow retry the other way, as libpq does.
  const plans: boolean[] = sslmode === 'disable' ? [false] : sslmode === 'allow' ? [false, true] : sslmode === 'prefer' ? [true, false] : [true];
  let attemptResult: Attempt | undefined;
  for (let i = 0; i < plans.length; i++) {
    const useTls = plans[i];
    attemptResult = await attempt(ctx, useTls, deadline, o.signal);
    details.tls = useTls;
    if (attemptResult.ok) break;
    const cat = classify(attemptResult.error, attemptResult.stage);
    const retry = i + 1 < plans.length && (useTls ? cat === 'ssl-not-supported' : /no encryption|SSL off|SSL connection required|secure mode/i.test(errMessage(attemptResult.error)));
    if (!retry) break;
    notes.push(useTls ? `sslmode=${sslmode}: the server refused TLS, so the test retried without it.` : `sslmode=${sslmode}: the server refused a plain connection, so the test retried with TLS.`);
  }
  const a = attemptResult as Attempt;
  Object.assign(details.timings, a.timings);
  if (a.protocol) details.protocol = a.protocol;
  if (a.cipher) details.cipher = a.cipher;
  if (a.chain?.length) details.serverChain = a.chain.map(summary);
  if (a.ok) return done(okResult(ctx, a));

  details.error = { message: errMessage(a.error), ...(errnoCode(a.error) ? { code: errnoCode(a.error) } : {}), stage: a.stage };
  if (isAbortError(a.error)) throw a.error;
  const category = classify(a.error, a.stage);
  if (['unknown-authority', 'hostname-mismatch', 'server-cert-expired', 'server-cert-not-yet-valid', 'client-cert-rejected', 'handshake-eof'].includes(category)) {
    try {
      details.probe = await probe(host, port, { caPem: ctx.caPem, caFile: ctx.root?.check.path, timeoutMs: Math.min(5000, Math.max(1500, deadline.remaining())), signal: o.signal, now });
      if (details.probe.chain.length && !details.serverChain) details.serverChain = details.probe.chain.map(summary);
    } catch (err) {
      if (isAbortError(err)) throw err;
      notes.push(`The follow-up probe failed: ${errMessage(err)}`);
    }
  }
  const d = diagnose(ctx, category, a);
  return done(result(details, d.category, d.cause, d.fix));
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'root';
  }
}

function connectTimeoutOf(c: ConnString): number | undefined {
  const v = paramValue(c, 'connect_timeout')?.value;
  if (!v || !/^\d+$/.test(v) || Number(v) === 0) return undefined;
  // libpq: at least 2 s; a huge value would overflow the timers, so it is capped at their limit.
  return Math.min(MAX_TIMER_MS, Math.max(2, Number(v)) * 1000);
}

/** Missing files, key permissions, key not matching the certificate: what fails before any packet is sent. */
function checkFiles(ctx: Ctx, home: string, euid: number | undefined): TestConnectionResult | undefined {
  const { c, details } = ctx;
  const pgDir = join(home, '.postgresql');
  const get = (k: 'sslrootcert' | 'sslcert' | 'sslkey') => paramValue(c, k)?.value;
  const fileFail = (f: LoadedFile): TestConnectionResult => {
    const { check } = f;
    const written = check.written !== check.path ? ` (written "${check.written}")` : '';
    const role = check.param === 'sslrootcert' ? 'the cluster\'s CA certificate' : check.param === 'sslcert' ? `the client certificate for ${ctx.user}` : `the client key for ${ctx.user}`;
    const create = check.param === 'sslrootcert' ? `copy the cluster's ca.crt to ${check.path}`
      : `issue it: crdb-tls cert create-client ${ctx.user} --certs-dir ${dirname(check.path)} --ca-key <ca.key>`;
    const defaultNote = check.source === 'default' ? `, libpq's default when the string has no ${check.param}` : '';
    switch (check.status) {
      case 'missing':
        return result(details, 'file-missing', `${check.param} file ${check.path}${written}${defaultNote} does not exist, so the client cannot load ${role}` +
          `${check.param === 'sslcert' ? ' (libpq then silently sends no certificate, and the server refuses the login with "connection requires a valid client certificate")' : ''}.`,
          `fix the path in ${check.param} (relative paths resolve from the program's working directory), or ${create}.`);
      case 'directory':
        return result(details, 'file-missing', `${check.param} ${check.path}${written} is a directory, not ${role}.`, `name the file itself, e.g. ${join(check.path, check.param === 'sslrootcert' ? 'ca.crt' : `client.${ctx.user}.${check.param === 'sslcert' ? 'crt' : 'key'}`)}.`);
      case 'unreadable':
        return result(details, 'other', `${check.param} file ${check.path} cannot be read (${f.ref.errorDetail ?? 'unreadable'}).`,
          f.ref.inputProblem === 'not-regular' ? `point ${check.param} at ${role} as a regular file (a FIFO or device is not read).`
            : f.ref.inputProblem === 'too-large' ? `point ${check.param} at ${role}.`
            : `make it readable by the user that runs the client (chmod/chown), keeping a key at 0600.`);
      case 'not-cert':
        return result(details, 'other', `${check.param} file ${check.path} holds no certificate${f.ref.contentProblem ? ` (${f.ref.contentProblem})` : f.ref.key ? ' (it is a private key)' : ''}.`,
          `point ${check.param} at ${check.param === 'sslrootcert' ? 'the cluster\'s ca.crt' : `client.${ctx.user}.crt`} ("crdb-tls inspect ${check.path}" shows what it holds).`);
      case 'not-key':
        return result(details, 'other', `sslkey file ${check.path} holds no private key${f.ref.contentProblem ? ` (${f.ref.contentProblem})` : f.ref.certs.length ? ' (it holds a certificate)' : ''}.`,
          `point sslkey at client.${ctx.user}.key, the key issued with the certificate.`);
      default:
        return result(details, 'other', `${check.param} file ${check.path} cannot be used.`, 'fix the path.');
    }
  };

  // sslrootcert: the string's, else ~/.postgresql/root.crt when it exists, else the public roots.
  const root = get('sslrootcert');
  if (root === 'system') {
    ctx.caDesc = "the system's public root CAs (sslrootcert=system)";
  } else if (root) {
    ctx.root = loadFile('sslrootcert', root, 'string', ctx.env);
  } else if (ctx.verify !== 'none') {
    const def = loadFile('sslrootcert', join(pgDir, 'root.crt'), 'default', ctx.env);
    if (def.check.status !== 'missing') {
      ctx.root = def;
      details.notes.push(`No sslrootcert in the string: used libpq's default, ${def.check.path}.`);
    } else {
      ctx.caDesc = "Node's built-in public root CAs (the string has no sslrootcert)";
      details.notes.push(`No sslrootcert in the string: verified against public root CAs, as pgx and the cockroach CLI do; libpq (psql, psycopg) would fail with "root certificate file \\"${def.check.path}\\" does not exist".`);
    }
  }
  if (ctx.root) {
    details.files.push(ctx.root.check);
    if (ctx.root.check.status !== 'ok') return fileFail(ctx.root);
    ctx.caCerts = ctx.root.ref.certs;
    ctx.caPem = ctx.caCerts.map((x) => x.toString()).join('');
    ctx.caDesc = `sslrootcert ${ctx.root.check.path}`;
    ctx.certsDir = dirname(ctx.root.check.path);
    if (ctx.verify === 'none') details.notes.push(`sslmode=${ctx.sslmode}: ${ctx.root.check.path} is not used to verify the server${ctx.sslmode === 'require' ? ' (libpq and pgx would verify the CA with it, as verify-ca does)' : ''}.`);
  }

  // sslcert and sslkey: the string's, else libpq's defaults when they exist.
  const certW = get('sslcert');
  const keyW = get('sslkey');
  if (certW) ctx.cert = loadFile('sslcert', certW, 'string', ctx.env);
  else {
    const def = loadFile('sslcert', join(pgDir, 'postgresql.crt'), 'default', ctx.env);
    if (def.check.status !== 'missing') {
      ctx.cert = def;
      details.notes.push(`No sslcert in the string: used libpq's default, ${def.check.path}.`);
    }
  }
  if (ctx.cert) {
    details.files.push(ctx.cert.check);
    if (ctx.cert.check.status !== 'ok') return fileFail(ctx.cert);
    if (!certW && !root) ctx.certsDir = dirname(ctx.cert.check.path);
    if (!root && certW) ctx.certsDir = dirname(ctx.cert.check.path);
  }
  if (keyW) ctx.key = loadFile('sslkey', keyW, 'string', ctx.env);
  else if (ctx.cert) ctx.key = loadFile('sslkey', join(pgDir, 'postgresql.key'), 'default', ctx.env);
  if (ctx.key) {
    details.files.push(ctx.key.check);
    if (ctx.key.check.status === 'missing' && ctx.key.check.source === 'default' && ctx.cert) {
      return result(details, 'file-missing', `sslcert ${ctx.cert.check.path} is set but sslkey is not, and libpq's default key ${ctx.key.check.path} does not exist ("certificate present, but not private key file").`,
        `add sslkey=${ctx.cert.check.path.replace(/\.crt$/, '.key')} (the key issued with the certificate) to the string.`);
    }
    if (ctx.key.check.status !== 'ok') return fileFail(ctx.key);
    if (!ctx.cert) {
      return result(details, 'file-missing', `sslkey ${ctx.key.check.path} is set but sslcert is not, so no client certificate would be sent.`,
        `add sslcert=${ctx.key.check.path.replace(/\.key(\.pk8)?$/, '.crt')} (the certificate issued with the key) to the string.`);
    }
    const st = ctx.key.ref.stat;
    const problem = st ? libpqKeyModeProblem(ctx.key.check.path, st, euid) : undefined;
    if (problem) {
      return result(details, 'key-permissions', `sslkey: ${problem.message}; psql and psycopg stop there, before connecting: "${problem.libpqText}".`,
        `${problem.fix} (it is ${ctx.key.check.mode ?? '?'} now).`);
    }
    const cert = ctx.cert.ref.certs[0];
    const key = ctx.key.ref.key;
    if (cert && key && !safeMatch(key, cert)) {
      const sibling = matchingSiblingKey(ctx.cert.check.path, cert, ctx.env);
      const who = cn(cert);
      return result(details, 'key-mismatch',
        `sslkey ${ctx.key.check.path} does not belong to sslcert ${ctx.cert.check.path} (CN=${who}): the key's public half differs from the certificate's, so the TLS library refuses the pair.`,
        sibling ? `set sslkey=${sibling}: that key belongs to ${ctx.cert.check.path}.`
          : `point sslkey at the key issued together with ${ctx.cert.check.path}, or issue a new pair: crdb-tls cert create-client ${who} --certs-dir ${dirname(ctx.cert.check.path)} --ca-key <ca.key> --overwrite.`);
    }
  }
  return undefined;
}

function safeMatch(key: Parameters<typeof keyMatchesCert>[0], cert: X509Certificate): boolean {
  try {
    return keyMatchesCert(key, cert);
  } catch {
    return false;
  }
}

interface Attempt {
  ok: boolean;
  error?: unknown;
  stage: Stage;
  timings: Partial<TestDetails['timings']>;
  protocol?: string;
  cipher?: string;
  chain?: CertDetails[];
  /** Whether a client certificate was offered. */
  sentCert: boolean;
}

type PgConnection = EventEmitter & { stream: Duplex };

/** One connection with node-postgres, instrumented for timings and the TLS details; never throws except AbortError via `error`. */
async function attempt(ctx: Ctx, useTls: boolean, deadline: Deadline, signal: AbortSignal | undefined): Promise<Attempt> {
  const pg = await import('pg');
  const Client = (pg as unknown as { default?: typeof pg }).default?.Client ?? pg.Client;
  const t0 = performance.now();
  const at = () => performance.now();
  const a: Attempt = { ok: false, stage: 'connect', timings: {}, sentCert: false };
  let tConnect: number | undefined;
  let tTls: number | undefined;
  let ssl: ClientConfig['ssl'] = false;
  if (useTls) {
    const o: Record<string, unknown> = { rejectUnauthorized: ctx.verify !== 'none' };
    if (ctx.verify !== 'none' && ctx.caPem) o.ca = ctx.caPem;
    if (ctx.verify === 'ca') o.checkServerIdentity = () => undefined;
    if (ctx.cert?.ref.certs.length && ctx.key?.ref.key) {
      o.cert = ctx.cert.ref.certs.map((x) => x.toString()).join('');
      o.key = ctx.key.ref.key.export({ type: 'pkcs8', format: 'pem' }).toString();
      a.sentCert = true;
    }
    ssl = o as ClientConfig['ssl'];
  }
  const socket = new Socket();
  socket.once('connect', () => {
    tConnect = at();
    a.timings.connectMs = round(tConnect - t0);
    a.stage = useTls ? 'ssl-request' : 'startup';
  });
  const options = paramValue(ctx.c, 'options')?.value;
  const client = new Client({
    host: ctx.host, port: ctx.port, user: ctx.user, database: ctx.database ?? ctx.user, password: ctx.c.password,
    ssl, connectionTimeoutMillis: Math.ceil(deadline.remaining()) + 1000, application_name: 'crdb-tls test-connection',
    ...(options ? { options } : {}), stream: () => socket,
  });
  client.on('error', () => undefined);
  const conn = (client as unknown as { connection: PgConnection }).connection;
  conn.on('sslconnect', () => {
    a.stage = 'handshake';
    const ts = conn.stream as TLSSocket;
    ts.once('secureConnect', () => {
      tTls = at();
      a.timings.tlsMs = round(tTls - (tConnect ?? t0));
      a.stage = 'startup';
      a.protocol = ts.getProtocol() ?? undefined;
      a.cipher = ts.getCipher()?.name;
      a.chain = peerChain(ts.getPeerCertificate(true));
    });
  });
  const destroy = () => {
    conn.stream.destroy();
    socket.destroy();
  };
  try {
    await race(client.connect(), deadline.remaining(), 'connect', signal, destroy);
    const tReady = at();
    a.timings.authMs = round(tReady - (tTls ?? tConnect ?? t0));
    a.stage = 'query';
    await race(client.query('SELECT 1'), deadline.remaining(), 'SELECT 1', signal, destroy);
    a.timings.queryMs = round(at() - tReady);
    a.ok = true;
  } catch (err) {
    a.error = err instanceof TimeoutError ? new TimeoutError(`timed out after ${formatMs(deadline.timeoutMs)} (${STAGE_TEXT[a.stage]})`, a.stage) : err;
  } finally {
    await race(client.end(), 1000, 'close', undefined, destroy).catch(() => destroy());
  }
  return a;
}

function peerChain(peer: DetailedPeerCertificate): CertDetails[] {
  const out: CertDetails[] = [];
  const seen = new Set<string>();
  let c: DetailedPeerCertificate | undefined = peer;
  while (c?.raw && !seen.has(c.fingerprint256)) {
    seen.add(c.fingerprint256);
    try {
      out.push(certDetails(new X509Certificate(c.raw)));
    } catch {
      break;
    }
    c = c.issuerCertificate === c ? undefined : c.issuerCertificate;
  }
  return out;
}

const CLIENT_ALERT = /ERR_SSL_(?:SSLV3|TLSV1|TLSV13)_ALERT_(UNKNOWN_CA|BAD_CERTIFICATE|CERTIFICATE_EXPIRED|CERTIFICATE_REQUIRED|CERTIFICATE_UNKNOWN|UNSUPPORTED_CERTIFICATE|CERTIFICATE_REVOKED|ACCESS_DENIED)/;

/** The category of a driver error, by its code first, then by its text. */
export function classify(err: unknown, stage?: string): Category {
  if (err instanceof TimeoutError) return 'timeout';
  const code = errnoCode(err) ?? '';
  const msg = errMessage(err);
  if (X509_ERRORS[code]) return X509_ERRORS[code].category;
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return 'hostname-mismatch';
  if (CLIENT_ALERT.test(code)) return 'client-cert-rejected';
  if (code === 'ECONNREFUSED') return 'connection-refused';
  if (['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'ENODATA'].includes(code)) return 'dns';
  if (code === 'ETIMEDOUT' || msg === 'timeout expired') return 'timeout';
  if (/does not support SSL/i.test(msg)) return 'ssl-not-supported';
  if ((stage === 'ssl-request' || stage === 'handshake') && (['ECONNRESET', 'EPIPE'].includes(code) || /Connection terminated unexpectedly|socket disconnected|socket hang up/i.test(msg))) return 'handshake-eof';
  return explain(msg).category;
}

function okResult(ctx: Ctx, a: Attempt): TestConnectionResult {
  const { details } = ctx;
  const leaf = a.chain?.[0];
  const who = `${ctx.hp} as ${ctx.user}${ctx.database ? ` (database ${ctx.database})` : ''}`;
  const ms = formatMs((a.timings.connectMs ?? 0) + (a.timings.tlsMs ?? 0) + (a.timings.authMs ?? 0) + (a.timings.queryMs ?? 0));
  if (!details.tls) {
    return result(details, 'ok', `connected to ${who} WITHOUT TLS (sslmode=${ctx.sslmode}${ctx.sslmode !== 'disable' ? ', the server refused TLS' : ''}) and SELECT 1 returned; ${ms} in all. Nothing is encrypted and the server is not authenticated.`,
      'nothing blocks the connection; to protect it, run the cluster in secure mode and use sslmode=verify-full with sslrootcert=<ca.crt>.');
  }
  const leafText = leaf ? `its certificate (CN=${cn(leaf)}, ${sansText(leaf)}, valid until ${leaf.notAfter.slice(0, 10)})` : 'its certificate';
  const verified = ctx.verify === 'full' ? `${leafText} verified against ${ctx.caDesc} and names ${ctx.host}`
    : ctx.verify === 'ca' ? `${leafText} verified against ${ctx.caDesc}; the host name was not checked (sslmode=verify-ca)`
      : `${leafText} was NOT verified (sslmode=${ctx.sslmode})`;
  const cert = a.sentCert && ctx.cert ? `, logged in with the client certificate ${ctx.cert.check.path}` : '';
  const fix = ctx.verify === 'full' ? 'nothing to fix.'
    : `nothing blocks the connection; to also authenticate the server, use sslmode=verify-full${ctx.root ? '' : ' with sslrootcert=<the cluster\'s ca.crt>'}.`;
  return result(details, 'ok', `connected to ${who} over ${a.protocol ?? 'TLS'} (${a.cipher ?? '?'}): ${verified}${cert}, and SELECT 1 returned; ${ms} in all.`, fix);
}


function names(leaf: CertDetails): string[] {
  return [...leaf.sans.dns, ...leaf.sans.ip];
}

function reissueNode(ctx: Ctx, leaf: CertDetails | undefined, add?: string): string {
  const hosts = leaf ? names(leaf) : ['<hosts>'];
  if (add && !hosts.includes(add)) hosts.push(add);
  return `crdb-tls cert create-node ${hosts.join(' ')} --certs-dir ${ctx.certsDir} --ca-key <ca.key> --overwrite, then copy node.crt and node.key to the node and send the cockroach process SIGHUP (kill -HUP <pid>) to load them`;
}

function leafName(leaf: CertDetails): string {
  return `CN=${cn(leaf)}, serial ${leaf.serial}`;
}

/** Cause and fix for a failed attempt, naming the files and hosts; uses the probe when there is one. */
function diagnose(ctx: Ctx, category: Category, a: Attempt): Diagnosis {
  const { hp, details } = ctx;
  const leaf: CertDetails | undefined = details.probe?.chain[0] ?? a.chain?.[0];
  const served = leaf ? `the certificate served by ${hp} (${leafName(leaf)})` : `the certificate served by ${hp}`;
  const msg = errMessage(a.error);
  const code = errnoCode(a.error);
  const ex = explain(msg);
  const clientCert = ctx.cert?.ref.certs[0];
  switch (category) {
    case 'unknown-authority': {
      const issuer = leaf ? dn(leaf.issuer) : 'an unknown issuer';
      const sameName = leaf ? ctx.caCerts.find((k) => k.subject === Object.entries(leaf.issuer).map(([k2, v]) => `${k2}=${v}`).join('\n')) : undefined;
      const pool = ctx.caCerts.length ? ` (${ctx.caCerts.map((k) => `CN=${cn(k)}, serial ${k.serialNumber.toLowerCase()}`).join('; ')})` : '';
      const sent = details.probe?.chain.slice(1).find((x) => x.isCA && x.inCaFile !== true);
      const cause = `${served}, issued by ${issuer}, is not signed by a CA in ${ctx.caDesc}${pool}` +
        (sameName ? `: the CA there has the same name but another key (another cluster's CA, or a CA created again)` : '') + ` (${code ?? msg})` +
        (sent ? `; the server sends its CA along (CN=${cn(sent)}, serial ${sent.serial}, SHA-256 ${sent.fingerprintSha256.slice(0, 23)}...)` : '') + '.';
      const fix = ctx.root
        ? `point sslrootcert at the CA that issued the node certificate: the cluster's ca.crt (its first certificate is "${issuer}"), instead of ${ctx.root.check.path}; for CockroachDB Cloud, download the cluster CA (https://cockroachlabs.cloud/clusters/<cluster-id>/cert). Check a candidate with: crdb-tls probe ${hp} --ca-file <ca.crt>.`
        : `add sslrootcert=<path to the cluster's ca.crt> to the string (the server's certificate comes from "${issuer}", a private CA that public root stores do not hold); check it with: crdb-tls probe ${hp} --ca-file <ca.crt>.`;
      return { category, cause, fix };
    }
    case 'hostname-mismatch': {
      const list = leaf ? sansText(leaf) : 'other names';
      const alt = leaf ? names(leaf)[0] : undefined;
      return {
        category,
        cause: `${served} lists ${list} only, not ${ctx.host}; sslmode=verify-full checks that the host connected to is in the certificate.`,
        fix: `${alt ? `connect to ${alt} instead, or ` : ''}re-issue the node cert with ${ctx.host}: ${reissueNode(ctx, leaf, ctx.host)}.`,
      };
    }
    case 'server-cert-expired': {
      const bad = details.probe?.chain.find((x) => x.validity === 'expired') ?? leaf;
      const isCa = bad && leaf && bad !== leaf;
      return {
        category,
        cause: bad ? `${isCa ? `the CA certificate in the chain of ${hp} (${leafName(bad)})` : served} expired on ${bad.notAfter} (${daysAgo(bad.notAfter, ctx.now)}); this machine's clock says ${ctx.now.toISOString()}.`
          : `the certificate served by ${hp} has expired (${msg}).`,
        fix: isCa ? `rotate the CA: crdb-tls cert create-ca --certs-dir ${ctx.certsDir} --ca-key <ca.key> --overwrite, then re-issue the node and client certificates from it and distribute the new ca.crt.`
          : `re-issue it: ${reissueNode(ctx, leaf)}; if it should still be valid, check this machine's clock.`,
      };
    }
    case 'server-cert-not-yet-valid': {
      const bad = details.probe?.chain.find((x) => x.validity === 'not-yet-valid') ?? leaf;
      return {
        category,
        cause: bad ? `${served} is valid only from ${bad.notBefore} (${until(bad.notBefore, ctx.now)}); this machine's clock says ${ctx.now.toISOString()}.` : `the certificate served by ${hp} is not valid yet (${msg}).`,
        fix: `check the clocks of this machine and of the machine that issued the certificate (NTP); or re-issue it now, backdated as crdb-tls does by 24 hours: ${reissueNode(ctx, leaf)}.`,
      };
    }
    case 'client-cert-rejected': {
      const alert = /ALERT_([A-Z_]+)/.exec(code ?? '')?.[1]?.toLowerCase().replace(/_/g, ' ') ?? /alert ([a-z ]+?)(?:\.|:|$| \()/.exec(msg)?.[1];
      if (!ctx.cert || !clientCert) {
        return {
          category,
          cause: `${hp} requires a client certificate and the string names none (no sslcert/sslkey)${alert ? ` (TLS alert "${alert}")` : ''}.`,
          fix: `add sslcert=client.${ctx.user}.crt and sslkey=client.${ctx.user}.key, issued with: crdb-tls cert create-client ${ctx.user} --certs-dir ${ctx.certsDir} --ca-key <ca.key>.`,
        };
      }
      const path = ctx.cert.check.path;
      const d = certDetails(clientCert);
      const evidence: string[] = [];
      const expired = Date.parse(d.notAfter) < ctx.now.getTime();
      if (expired) evidence.push(`it expired on ${d.notAfter} (${daysAgo(d.notAfter, ctx.now)})`);
      if (Date.parse(d.notBefore) > ctx.now.getTime()) evidence.push(`it is valid only from ${d.notBefore}`);
      const eku = extKeyUsageOf(clientCert);
      if (eku.length && !eku.includes('clientAuth')) evidence.push(`its extended key usage (${eku.join(', ')}) lacks clientAuth`);
      const serverIssuer = details.probe?.chain[0] ? dn(details.probe.chain[0].issuer) : undefined;
      const byServerCa = details.probe?.chain.slice(1).some((ca) => safeIssued(clientCert, ca.pem));
      const byRoot = ctx.caCerts.some((ca) => safeIssued(clientCert, ca.toString()));
      if (!expired && !byServerCa && !byRoot && (ctx.caCerts.length || serverIssuer)) {
        evidence.push(`it is not signed by the CA that signed the server's certificate${serverIssuer ? ` (${serverIssuer})` : ''}${ctx.root ? ` nor by ${ctx.root.check.path}` : ''}`);
      }
      const meaning = alert === 'unknown ca' ? 'the server does not trust the CA that signed it'
        : alert === 'certificate expired' ? 'the server says it has expired'
          : alert === 'unsupported certificate' ? 'the server refuses its key usage'
            : 'the server refused it';
      const cause = `${hp} refused the client certificate ${path} (CN=${cn(clientCert)}, issued by ${dn(d.issuer)}, serial ${d.serial}): ${meaning}${alert ? ` (TLS alert "${alert}")` : ''}${evidence.length ? `; ${evidence.join('; ')}` : ''}.`;
      const fix = expired
        ? `issue a new one: crdb-tls cert create-client ${cn(clientCert)} --certs-dir ${dirname(path)} --ca-key <ca.key> --overwrite (and deploy it where the client runs).`
        : `issue the client certificate from the CA the cluster trusts for clients (ca-client.crt when the cluster has one, else ca.crt): crdb-tls cert create-client ${cn(clientCert)} --certs-dir ${ctx.certsDir} --ca-key <that CA's key>, and point sslcert/sslkey at the new files; for CockroachDB Cloud, upload the CA that signed ${path} as the cluster's client CA.`;
      return { category, cause, fix };
    }
    case 'auth-failed': {
      const certCn = clientCert ? cn(clientCert) : undefined;
      if (/certificate authentication failed/i.test(msg) && clientCert) {
        const mismatch = certCn !== ctx.user;
        return {
          category,
          cause: `${hp} accepted the TLS connection but refused to log in ${ctx.user}: ${mismatch ? `the client certificate ${ctx.cert?.check.path} is for CN=${certCn}, not ${ctx.user} (the certificate's CN must be the SQL user)` : `the server did not accept the certificate ${ctx.cert?.check.path} for ${ctx.user}`} ("${msg}").`,
          fix: mismatch
            ? `connect as ${certCn} (the user in the string), or issue a certificate for ${ctx.user}: crdb-tls cert create-client ${ctx.user} --certs-dir ${ctx.certsDir} --ca-key <ca.key>, and set sslcert=client.${ctx.user}.crt and sslkey=client.${ctx.user}.key.`
            : ex.fix,
        };
      }
      if (/valid client certificate|no client certificates/i.test(msg) || (!clientCert && /certificate/i.test(msg))) {
        return {
          category,
          cause: `${hp} requires a client certificate for ${ctx.user}, and ${clientCert ? 'the certificate was not sent' : 'the string names none (no sslcert/sslkey)'} ("${msg}").`,
          fix: `add sslcert=client.${ctx.user}.crt and sslkey=client.${ctx.user}.key to the string, issued with: crdb-tls cert create-client ${ctx.user} --certs-dir ${ctx.certsDir} --ca-key <ca.key>.`,
        };
      }
      if (/password/i.test(msg)) {
        return {
          category,
          cause: `${hp} refused the password login of ${ctx.user}${clientCert ? ` although the client certificate ${ctx.cert?.check.path} (CN=${certCn}) was sent` : ' and no client certificate was sent'} ("${msg}").`,
          fix: clientCert ? `check the password, or that the cluster allows certificate login for ${ctx.user} (CN=${certCn} must equal the user).`
            : `check the password, or log in with a certificate: sslcert=client.${ctx.user}.crt and sslkey=client.${ctx.user}.key (crdb-tls cert create-client ${ctx.user}).`,
        };
      }
      return { category, cause: `${hp} refused the login of ${ctx.user}: ${ex.matched ? ex.cause : `"${msg}".`}`, fix: ex.fix };
    }
    case 'handshake-eof': {
      const p = details.probe;
      const seen = !p ? '' : p.error ? `; a probe of ${hp} says: ${p.error.message}` : p.acceptsTls && p.protocol
        ? `; a probe without a client certificate completed the handshake (${p.protocol}), so the server objected to something in this client's hello or certificate` : '';
      return {
        category,
        cause: `${hp} closed the connection during the TLS handshake ("${msg}")${seen}.`,
        fix: `check that ${ctx.port} is the SQL port (26257 for CockroachDB) and not a proxy or load balancer that drops TLS, that no firewall cuts the connection, and the server's log at this time for why it closed it.`,
      };
    }
    case 'ssl-not-supported':
      return {
        category,
        cause: `${hp} answered the SSLRequest with 'N': it does not accept TLS connections (a CockroachDB node started with --insecure, or PostgreSQL with ssl=off), and sslmode=${ctx.sslmode} requires TLS.`,
        fix: `connect to the secure cluster (check the host and port); only for an insecure local test cluster, use sslmode=disable (nothing is encrypted and no certificate is checked).`,
      };
    case 'connection-refused':
      return {
        category,
        cause: `nothing accepts connections on ${hp}: the connection was refused (${msg}).`,
        fix: `start the node, or fix the port: CockroachDB's SQL port is 26257 by default (--listen-addr / --sql-addr); a node listening on localhost only refuses connections to its other addresses.`,
      };
    case 'timeout': {
      const stage = a.error instanceof TimeoutError ? a.error.stage : a.stage;
      const limit = formatMs(ctx.timeoutMs);
      const what = stage === 'connect' ? `did not accept the TCP connection within ${limit}`
        : stage === 'ssl-request' ? `accepted the TCP connection but did not answer the SSLRequest within ${limit}: whatever listens there does not speak the PostgreSQL protocol, or it hangs`
          : stage === 'handshake' ? `did not finish the TLS handshake within ${limit}`
            : stage === 'startup' ? `did not finish the login within ${limit}` : `did not return the result of SELECT 1 within ${limit}`;
      return {
        category,
        cause: `${hp} ${what}.`,
        fix: `check the host and port (CockroachDB SQL: 26257), firewalls and security groups, and for CockroachDB Cloud the IP allowlist for this machine's public IP; raise --timeout if the network is just slow.`,
      };
    }
    case 'dns':
      return { category, cause: `the host name ${ctx.host} does not resolve (${code ?? msg}).`, fix: 'check the host name for typos (for CockroachDB Cloud, copy it from the Connect dialog), and this machine\'s DNS or VPN.' };
    default:
      return { category: ex.category === 'ok' ? 'other' : ex.category, cause: `${hp}: "${msg}"${ex.matched ? `: ${ex.cause}` : '.'}`, fix: ex.matched ? ex.fix : `run crdb-tls probe ${hp} --ca-file <ca.crt> to see what the server serves, and check the server's log.` };
  }
}

/** issuedBy (pki/chain.ts) for a CA given as PEM text (a probe's chain); false when it does not parse. */
function safeIssued(cert: X509Certificate, caPem: string): boolean {
  try {
    return issuedBy(cert, new X509Certificate(caPem));
  } catch {
    return false;
  }
}

