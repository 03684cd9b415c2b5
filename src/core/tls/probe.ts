import { certInfo } from '../pki/certinfo';
import { X509Certificate } from 'node:crypto';
import { Socket, connect as netConnect, isIP } from 'node:net';
import { DetailedPeerCertificate, TLSSocket, checkServerIdentity, connect as tlsConnect } from 'node:tls';
import { DEFAULT_SQL_PORT } from '../cockroach/ports';
import { UserError, errnoCode, errMessage } from '../errors';
import { InputFileError, readInputBytes } from '../input';
import { CertDetails, certDetails } from '../pki/inspect';
import { splitPem, toPem } from '../pki/pem';
import { parseCertificate } from '../pki/x509';
import { Deadline, TimeoutError, abortError, formatMs, race, round, throwIfAborted } from './cancel';
import { X509_ERRORS } from './verify';

/** PostgreSQL's SSLRequest: length 8, code 80877103 (what `openssl s_client -starttls postgres` sends). */
export const SSL_REQUEST = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);

export type ProbeErrorCategory = 'connection-refused' | 'timeout' | 'dns' | 'handshake-eof' | 'ssl-not-supported' | 'other';

export interface ProbeOptions {
  /** The CA file to verify the server's chain with (every certificate in it is trusted). */
  caFile?: string;
  /** The same, as PEM text (read instead of caFile, which then only names it). */
  caPem?: string | Buffer;
  /** Sent as SNI and checked against the certificate instead of the host. */
  servername?: string;
  /** For the whole probe; default 5 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** For the validity of the served certificates; default: the current time. */
  now?: Date;
}

export interface ProbedCert extends CertDetails {
  pem: string;
  validity: 'valid' | 'expired' | 'not-yet-valid';
  /** Whether this very certificate is in the CA file given. */
  inCaFile?: boolean;
}

export interface ProbeResult {
  host: string;
  port: number;
  /** The address connected to. */
  address?: string;
  servername?: string;
  /** Whether the server answered the SSLRequest with 'S'; undefined when it never answered. */
  acceptsTls?: boolean;
  /** The server's answer to the SSLRequest: "S", "N", or the bytes in hex when it is neither. */
  sslResponse?: string;
  /** TLSv1.3, TLSv1.2, ... */
  protocol?: string;
  cipher?: { name: string; standardName: string; version: string };
  /**
   * The certificate chain as the TLS layer built it: the server's certificate first, then its
   * issuers (those the server sent, completed from the CA file when the server sends its own only).
   */
  chain: ProbedCert[];
  /** Whether the CA (file, or Node's public roots when none is given) verifies the chain. */
  verification?: { against: string; ok: boolean; code?: string; reason?: string };
  /** Whether the certificate names the host (tls.checkServerIdentity). */
  hostname?: { name: string; ok: boolean; reason?: string };
  error?: { category: ProbeErrorCategory; code?: string; message: string; stage: ProbeStage };
  timings: { dnsMs?: number; connectMs?: number; sslResponseMs?: number; handshakeMs?: number; totalMs: number };
}

export type ProbeStage = 'dns' | 'connect' | 'ssl-request' | 'handshake';

function readCa(o: ProbeOptions): { pem?: string; name?: string; certs: X509Certificate[] } {
  let pem: string | undefined;
  let name: string | undefined;
  if (o.caPem !== undefined) {
    pem = o.caPem.toString();
    name = o.caFile ?? 'the CA given';
  } else if (o.caFile) {
    try {
      pem = readInputBytes(o.caFile, { what: 'the CA file' }).toString('latin1');
    } catch (err) {
      if (err instanceof InputFileError && err.problem !== 'unreadable')
        throw new UserError(`CA file ${o.caFile} ${err.detail}: pass the cluster's ca.crt.`, o.caFile);
      throw new UserError(`cannot read CA file ${o.caFile} (${errnoCode(err) ?? errMessage(err)}): pass the cluster's ca.crt.`, o.caFile);
    }
    name = o.caFile;
  }
  if (pem === undefined) return { certs: [] };
  const certs: X509Certificate[] = [];
  for (const b of splitPem(pem)) {
    if (b.type !== 'CERTIFICATE') continue;
    try {
      certs.push(parseCertificate(b.der));
    } catch {
      // a broken block: OpenSSL skips it as well
    }
  }
  if (certs.length === 0) throw new UserError(`${name} holds no PEM certificate: pass the cluster's ca.crt.`, o.caFile);
  return { pem, name, certs };
}

function chainOf(peer: DetailedPeerCertificate, ca: X509Certificate[], now: number): ProbedCert[] {
  const out: ProbedCert[] = [];
  const seen = new Set<string>();
  let c: DetailedPeerCertificate | undefined = peer;
  while (c && c.raw && !seen.has(c.fingerprint256)) {
    seen.add(c.fingerprint256);
    const x = new X509Certificate(c.raw);
    const d = certDetails(x);
    const validity = Date.parse(d.notBefore) > now ? 'not-yet-valid' : Date.parse(d.notAfter) < now ? 'expired' : 'valid';
    out.push({ ...d, pem: toPem('CERTIFICATE', c.raw), validity, ...(ca.length ? { inCaFile: ca.some((k) => k.fingerprint256 === x.fingerprint256) } : {}) });
    c = c.issuerCertificate === c ? undefined : c.issuerCertificate;
  }
  return out;
}

/** One sentence on why the CA does not verify the served chain. */
export function verificationReason(code: string, chain: ProbedCert[], against: string, caCerts: X509Certificate[]): string {
  const leaf = chain[0];
  const who = leaf ? `the server's certificate (CN=${leaf.subject.CN ?? '?'}, issued by ${leaf.issuerLine})` : "the server's certificate";
  switch (code) {
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'UNABLE_TO_GET_ISSUER_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'CERT_SIGNATURE_FAILURE': {
      const sameName = leaf ? caCerts.find((k) => certInfo(k).subjectLine === leaf.issuerLine) : undefined;
      const pool = caCerts.length
        ? `${against} (${caCerts.map((k) => `CN=${certInfo(k).commonName ?? '?'}, serial ${certInfo(k).serial}`).join('; ')})`
        : against;
      return (
        `${who} is not signed by a CA in ${pool}` +
        (sameName ? `; ${against} has a CA of the same name, but with another key: the cluster's CA was created again, or this is another cluster's CA` : '') +
        '.'
      );
    }
    case 'CERT_HAS_EXPIRED':
      return `${who} expired on ${leaf?.notAfter ?? '?'}.`;
    case 'CERT_NOT_YET_VALID':
      return `${who} is valid only from ${leaf?.notBefore ?? '?'}.`;
    default:
      return `${X509_ERRORS[code]?.text ?? code} (${code}).`;
  }
}

export function sansText(c: CertDetails): string {
  const all = [...c.sans.dns.map((d) => `DNS:${d}`), ...c.sans.ip.map((i) => `IP:${i}`)];
  return all.length ? all.join(', ') : 'no DNS or IP names';
}

function classifySocketError(err: unknown, stage: ProbeStage): { category: ProbeErrorCategory; code?: string; message: string } {
  const code = errnoCode(err);
  const message = errMessage(err);
  if (code === 'ECONNREFUSED') return { category: 'connection-refused', code, message };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_FAIL' || code === 'ENODATA' || code === 'ESERVFAIL' || code === 'EAI_NONAME')
    return { category: 'dns', code, message };
  if (code === 'ETIMEDOUT') return { category: 'timeout', code, message };
  if (
    (stage === 'handshake' || stage === 'ssl-request') &&
    (code === 'ECONNRESET' || code === 'EPIPE' || code === 'EOF' || /socket disconnected|socket hang up|EOF/i.test(message))
  ) {
    return { category: 'handshake-eof', code, message };
  }
  return { category: 'other', code, message };
}

/**
 * Connects to a PostgreSQL-protocol server (CockroachDB speaks pgwire), sends the SSLRequest,
 * and on 'S' does the TLS handshake without trusting anything, then reports what the server
 * serves and whether the CA verifies it. Failures are part of the result, classified; only
 * cancellation (AbortError) and an unreadable CA file throw.
 */
export async function probe(host: string, port = DEFAULT_SQL_PORT, o: ProbeOptions = {}): Promise<ProbeResult> {
  throwIfAborted(o.signal);
  const ca = readCa(o);
  const deadline = new Deadline(o.timeoutMs ?? 5000);
  const now = (o.now ?? new Date()).getTime();
  const servername = o.servername ?? (isIP(host) ? undefined : host);
  const result: ProbeResult = { host, port, ...(servername ? { servername } : {}), chain: [], timings: { totalMs: 0 } };
  const t = result.timings;
  const since = () => round(deadline.elapsed());
  let stage: ProbeStage = isIP(host) ? 'connect' : 'dns';
  let raw: Socket | undefined;
  let tls: TLSSocket | undefined;
  const destroy = () => {
    tls?.destroy();
    raw?.destroy();
  };
  try {
    // TCP (net.connect resolves the name, and tries IPv4 and IPv6 addresses in turn).
    raw = netConnect({ host, port });
    const sock = raw;
    sock.on('lookup', (err) => {
      if (!err) {
        t.dnsMs = since();
        stage = 'connect';
      }
    });
    await race(
      new Promise<void>((resolve, reject) => {
        sock.once('connect', resolve);
        sock.once('error', reject);
      }),
      deadline.remaining(),
      stage === 'dns' ? 'DNS lookup and TCP connect' : 'TCP connect',
      o.signal,
      destroy,
    );
    t.connectMs = since();
    result.address = sock.remoteAddress;
    stage = 'ssl-request';

    // SSLRequest, then one byte: 'S' (TLS follows) or 'N' (no TLS).
    sock.write(SSL_REQUEST);
    const answer = await race(
      new Promise<Buffer>((resolve, reject) => {
        sock.once('data', resolve);
        sock.once('error', reject);
        sock.once('end', () => reject(Object.assign(new Error('the server closed the connection without answering the SSLRequest'), { code: 'EOF' })));
      }),
      deadline.remaining(),
      'waiting for the answer to the SSLRequest',
      o.signal,
      destroy,
    );
    sock.removeAllListeners('data');
    sock.removeAllListeners('end');
    sock.removeAllListeners('error');
    sock.on('error', () => undefined);
    t.sslResponseMs = since();
    const first = String.fromCharCode(answer[0]);
    if (first === 'N') {
      result.acceptsTls = false;
      result.sslResponse = 'N';
      result.error = { category: 'ssl-not-supported', stage, message: `${host}:${port} answered the SSLRequest with 'N': it does not accept TLS connections` };
      return result;
    }
    if (first !== 'S' || answer.length > 1) {
      result.sslResponse = answer.subarray(0, 16).toString('hex');
      const what =
        answer[0] === 0x15 || answer[0] === 0x16
          ? 'a TLS record: the port expects TLS directly, not the PostgreSQL SSLRequest (a TLS proxy, or an HTTPS port)'
          : answer[0] === 0x45
            ? "'E', a PostgreSQL error: the server may be too old for TLS or refuse the connection"
            : /^HTTP\//.test(answer.toString('latin1'))
              ? 'an HTTP response: this is an HTTP port (the DB Console listens on 8080), not the SQL port'
              : 'neither S nor N: this is not a PostgreSQL or CockroachDB SQL port';
      result.error = { category: 'other', stage, message: `${host}:${port} answered the SSLRequest with ${what}` };
      return result;
    }
    result.acceptsTls = true;
    result.sslResponse = 'S';
    stage = 'handshake';

    // TLS without trusting anything: the verdicts are computed from what the server sends.
    tls = tlsConnect({
      socket: sock,
      ...(servername && !isIP(servername) ? { servername } : {}),
      rejectUnauthorized: false,
      ...(ca.pem ? { ca: ca.pem } : {}),
      checkServerIdentity: () => undefined,
    });
    const secured = tls;
    secured.on('error', () => undefined);
    await race(
      new Promise<void>((resolve, reject) => {
        secured.once('secureConnect', resolve);
        secured.once('error', reject);
        secured.once('close', () => reject(Object.assign(new Error('the server closed the connection during the TLS handshake'), { code: 'EOF' })));
      }),
      deadline.remaining(),
      'TLS handshake',
      o.signal,
      destroy,
    );
    t.handshakeMs = since();
    result.protocol = secured.getProtocol() ?? undefined;
    const cipher = secured.getCipher();
    result.cipher = { name: cipher.name, standardName: cipher.standardName, version: cipher.version };
    result.chain = chainOf(secured.getPeerCertificate(true), ca.certs, now);
    const against = ca.name ?? "Node's built-in public root CAs";
    if (secured.authorized) {
      result.verification = { against, ok: true };
    } else {
      const code = String(secured.authorizationError ?? 'UNKNOWN');
      result.verification = { against, ok: false, code, reason: verificationReason(code, result.chain, against, ca.certs.length ? ca.certs : []) };
    }
    const name = o.servername ?? host;
    const leaf = secured.getPeerCertificate();
    const idErr = checkServerIdentity(name, leaf);
    result.hostname = idErr ? { name, ok: false, reason: idErr.message } : { name, ok: true };
    return result;
  } catch (err) {
    if (err instanceof Error && err.name === 'AbortError') throw err;
    if (o.signal?.aborted) throw abortError(o.signal);
    if (err instanceof TimeoutError) {
      const what =
        stage === 'dns' || stage === 'connect'
          ? `could not connect to ${host}:${port} within ${formatMs(deadline.timeoutMs)}`
          : stage === 'ssl-request'
            ? `${host}:${port} accepted the TCP connection but did not answer the SSLRequest within ${formatMs(deadline.timeoutMs)}`
            : `${host}:${port} did not complete the TLS handshake within ${formatMs(deadline.timeoutMs)}`;
      result.error = { category: 'timeout', stage, message: what };
    } else {
      const c = classifySocketError(err, stage);
      if (c.category === 'dns') stage = 'dns';
      result.error = { ...c, stage };
    }
    return result;
  } finally {
    result.timings.totalMs = since();
    destroy();
  }
}
