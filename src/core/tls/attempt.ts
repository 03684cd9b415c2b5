import { X509Certificate } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { DetailedPeerCertificate, TLSSocket } from 'node:tls';
import type { ClientConfig } from 'pg';
import { paramValue } from '../connstr/types';
import { CertDetails, certDetails } from '../pki/inspect';
import { Deadline, TimeoutError, formatMs, race, round } from './cancel';
import { Attempt, Ctx, Stage } from './testConnectionTypes';

// The attempt: one connection with node-postgres (the pg config from the string and sslmode),
// instrumented for timings and the TLS details, then SELECT 1.

const STAGE_TEXT: Record<Stage, string> = {
  connect: 'TCP connect',
  'ssl-request': 'waiting for the answer to the SSLRequest',
  handshake: 'TLS handshake',
  startup: 'login',
  query: 'SELECT 1',
};

type PgConnection = EventEmitter & { stream: Duplex };

/** One connection with node-postgres, instrumented for timings and the TLS details; never throws except AbortError via `error`. */
export async function attempt(ctx: Ctx, useTls: boolean, deadline: Deadline, signal: AbortSignal | undefined): Promise<Attempt> {
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
    host: ctx.host,
    port: ctx.port,
    user: ctx.user,
    database: ctx.database ?? ctx.user,
    password: ctx.c.password,
    ssl,
    connectionTimeoutMillis: Math.ceil(deadline.remaining()) + 1000,
    application_name: 'crdb-tls test-connection',
    ...(options ? { options } : {}),
    stream: () => socket,
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
