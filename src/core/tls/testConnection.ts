import { lookup } from 'node:dns/promises';
import { homedir, userInfo } from 'node:os';
import { isIP } from 'node:net';
import { findConnStrings } from '../connstr/find';
import { FileEnv } from '../connstr/files';
import { isUrlTarget, targetPort } from '../connstr/target';
import { ConnString, paramValue } from '../connstr/types';
import { DEFAULT_SQL_PORT } from '../cockroach/ports';
import { SSLMODES, effectiveSslmode, libpqDir, sslmodeVerification } from '../cockroach/sslmode';
import { UserError, errnoCode, errMessage, quoteInput } from '../errors';
import { MAX_TIMER_MS } from '../pki/duration';
import { attempt } from './attempt';
import { Deadline, TimeoutError, formatMs, isAbortError, race, round, throwIfAborted } from './cancel';
import { classify, diagnose, okResult, probeOnTlsFailure } from './diagnosis';
import { preflight } from './preflight';
import { Attempt, Ctx, SslMode, TestConnectionOptions, TestConnectionResult, TestDetails, hostPort, result, summary } from './testConnectionTypes';

// The connection test, in order: read the string, preflight (the files), DNS, the attempt(s)
// with node-postgres, and the diagnosis of a failure. Each part lives in its own module.

export type { CertSummary, SslMode, TestConnectionOptions, TestConnectionResult, TestDetails } from './testConnectionTypes';
export { classify } from './diagnosis';

function parseTarget(url: string): { c: ConnString; port?: number } {
  // key=value pairs are read by libpq's rules first: a key without "=" is libpq's error, not "no connection string".
  const kvPort = !isUrlTarget(url) && url.includes('=') ? targetPort(url) : undefined;
  const found = findConnStrings(url);
  if (found.length === 0) {
    throw new UserError(
      `${quoteInput(url)} is not a connection string: pass postgresql://user@host:${DEFAULT_SQL_PORT}/db?sslmode=verify-full&sslrootcert=..., a jdbc:postgresql:// URL, or "host=... sslmode=..." key/value pairs.`,
    );
  }
  return { c: found[0], port: isUrlTarget(url) ? targetPort(url, found[0]) : kvPort };
}

function sslmodeOf(c: ConnString, notes: string[]): { mode: SslMode | string; source: 'string' | 'default' } {
  const eff = effectiveSslmode(c, paramValue(c, 'sslmode')?.value, paramValue(c, 'ssl')?.value);
  if (eff.source === 'string') return { mode: eff.mode, source: 'string' };
  if (eff.source === 'pgjdbc-ssl') notes.push('pgjdbc: ssl=true without sslmode means verify-full.');
  else if (eff.source === 'cockroach-cli') notes.push('The cockroach CLI defaults to sslmode=verify-full.');
  else notes.push(`No sslmode in the string: tested as libpq's default, ${eff.mode} (TLS without verification, plain if the server refuses TLS).`);
  return { mode: eff.mode, source: 'default' };
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
    throw new UserError(
      `${quoteInput(pasted.key)} in the connection string holds ${key ? 'a private key' : 'PEM text'}, not a file path (it is not shown): save it to a file${key ? ' (mode 0600)' : ''} and pass the file's path${key ? '; if the string was shared, treat the key as exposed and issue a new one' : ''}.`,
    );
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
  if (bad)
    return done(
      result(
        details,
        'other',
        `parameter ${bad.key} is broken: ${bad.decodeError}.`,
        `fix the encoding of ${bad.key} in the string (a % must be followed by two hex digits; write %25 for a literal %).`,
      ),
    );

  const { mode, source } = sslmodeOf(c, notes);
  details.sslmode = mode;
  details.sslmodeSource = source;
  if (!SSLMODES.includes(mode as SslMode)) {
    return done(
      result(
        details,
        'other',
        `sslmode=${mode} is not a valid sslmode: CockroachDB rejects it ("unrecognized sslmode parameter in URL").`,
        'use sslmode=verify-full (or one of disable, allow, prefer, require, verify-ca).',
      ),
    );
  }
  const sslmode = mode as SslMode;
  const verify = sslmodeVerification(sslmode);
  details.verification = verify;

  // Local files first.
  const ctx: Ctx = {
    c,
    host,
    port,
    hp: hostPort(host, port),
    user,
    database,
    sslmode,
    verify,
    caCerts: [],
    caDesc: '',
    certsDir: '<certs dir>',
    now,
    details,
    env,
    timeoutMs: 0,
  };
  if (sslmode !== 'disable') {
    const local = preflight(ctx, libpqDir(home, process.platform, process.env.APPDATA), o.euid ?? process.geteuid?.());
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
        return done(
          result(
            details,
            'timeout',
            `the DNS lookup of ${host} did not finish within ${formatMs(timeoutMs)}.`,
            `check this machine's DNS servers and VPN; then raise the timeout.`,
          ),
        );
      }
      return done(
        result(
          details,
          'dns',
          `the host name ${host} does not resolve (${errnoCode(err) ?? errMessage(err)} from the system resolver).`,
          `check the host name for typos (for CockroachDB Cloud, copy the host from the cluster's Connect dialog), and this machine's DNS settings or VPN.`,
        ),
      );
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
    const retry =
      i + 1 < plans.length &&
      (useTls ? cat === 'ssl-not-supported' : /no encryption|SSL off|SSL connection required|secure mode/i.test(errMessage(attemptResult.error)));
    if (!retry) break;
    notes.push(
      useTls
        ? `sslmode=${sslmode}: the server refused TLS, so the test retried without it.`
        : `sslmode=${sslmode}: the server refused a plain connection, so the test retried with TLS.`,
    );
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
  await probeOnTlsFailure(ctx, category, deadline, o.signal);
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
