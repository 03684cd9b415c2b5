import { connect, TLSSocket } from 'node:tls';
import { isIP } from 'node:net';
import { certInfo } from '../pki/certinfo';
import { parseCertificate } from '../pki/x509';
import { errnoCode, errMessage } from '../errors';
import { timerMs } from '../pki/duration';

export interface LiveCheckInput {
  host: string;
  port: number;
  /** PEM CA certificates to verify the server with; absent: the system's roots (as CockroachDB does). */
  ca?: Buffer;
  /** PEM client certificate and key presented to the server. */
  cert?: Buffer;
  key?: Buffer;
  /** Whole check, connection included (default 5 s). */
  timeoutMs?: number;
  /**
   * How long to wait after the handshake for the server to refuse the client certificate (with
   * TLS 1.3 the refusal arrives after the client has finished): at least this (default 400 ms),
   * and at least twice the time the handshake took.
   */
  graceMs?: number;
}

export type LiveCategory =
  'ok' | 'server-unverified' | 'client-cert-rejected' | 'client-cert-required' | 'refused' | 'dns' | 'unreachable' | 'timeout' | 'not-tls' | 'tls-error';

export interface LiveResult {
  /** The TLS handshake completed. */
  connected: boolean;
  /** The server accepted the connection, with the client certificate when one was presented; undefined when the handshake never got that far. */
  authorized?: boolean;
  /** The CA verifies the server's certificate, host name included. */
  serverVerified: boolean;
  /** Why the server's certificate was not verified (OpenSSL's code, e.g. UNABLE_TO_VERIFY_LEAF_SIGNATURE). */
  serverError?: string;
  category: LiveCategory;
  /** One sentence with the fix. */
  message: string;
  /** The low-level error code (ECONNREFUSED, ERR_SSL_TLSV1_ALERT_UNKNOWN_CA...). */
  code?: string;
  protocol?: string;
  server?: { subject: string; issuer: string; notAfter: string };
}

const REJECTION_ALERTS =
  /ALERT_(UNKNOWN_CA|BAD_CERTIFICATE|CERTIFICATE_UNKNOWN|UNSUPPORTED_CERTIFICATE|CERTIFICATE_EXPIRED|CERTIFICATE_REVOKED|ACCESS_DENIED|DECRYPT_ERROR)/;
const REQUIRED_ALERTS = /ALERT_(CERTIFICATE_REQUIRED|HANDSHAKE_FAILURE)/;

function serverSummary(raw: Buffer): LiveResult['server'] {
  try {
    const f = certInfo(parseCertificate(raw));
    return { subject: f.subjectLine, issuer: f.issuerLine, notAfter: f.notAfter.toISOString() };
  } catch {
    return undefined;
  }
}

function addr(i: LiveCheckInput): string {
  return `${i.host.includes(':') ? `[${i.host}]` : i.host}:${i.port}`;
}

function serverVerifyFix(code: string | undefined, input: LiveCheckInput): string {
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID')
    return `the server's certificate does not name ${input.host}: connect with a host name it lists, or have it re-issued with ${input.host}.`;
  if (code === 'CERT_HAS_EXPIRED') return "the server's certificate has expired: have it re-issued.";
  if (input.ca) return `the CA in ca_cert did not issue the server's certificate (${code ?? 'unverified'}): embed the CA that signed the server's certificate.`;
  return `the system's CAs do not verify the server's certificate (${code ?? 'unverified'}): embed its CA with ca_cert.`;
}

function classifyFailure(err: unknown, input: LiveCheckInput, handshakeDone: boolean): Pick<LiveResult, 'category' | 'message' | 'code'> {
  const code = errnoCode(err) ?? '';
  const msg = errMessage(err);
  const where = addr(input);
  if (REJECTION_ALERTS.test(code) || REJECTION_ALERTS.test(msg.toUpperCase().replace(/ /g, '_'))) {
    return {
      code,
      category: 'client-cert-rejected',
      message: input.cert
        ? `${where} refused the client certificate (${code || msg}): present a certificate issued by a CA the server trusts for clients, valid now, with clientAuth.`
        : `${where} refused the connection (${code || msg}): it requires a client certificate; embed client_cert and client_key.`,
    };
  }
  if (REQUIRED_ALERTS.test(code)) {
    return input.cert
      ? {
          code,
          category: 'client-cert-rejected',
          message: `${where} ended the handshake (${code}): it did not accept the client certificate or the TLS settings; check the certificate's CA and key usage.`,
        }
      : { code, category: 'client-cert-required', message: `${where} requires a client certificate (${code}): embed client_cert and client_key.` };
  }
  switch (code) {
    case 'ECONNREFUSED':
      return { code, category: 'refused', message: `nothing listens on ${where} (connection refused): check the host and port of the broker's listener.` };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return { code, category: 'dns', message: `cannot resolve ${input.host} (${code}): check the host name.` };
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'ETIMEDOUT':
      return { code, category: 'unreachable', message: `cannot reach ${where} (${code}): check the address and the firewall.` };
    case 'ERR_SSL_WRONG_VERSION_NUMBER':
    case 'ERR_SSL_PACKET_LENGTH_TOO_LONG':
    case 'ERR_SSL_HTTP_REQUEST':
      return {
        code,
        category: 'not-tls',
        message: `${where} does not speak TLS (${code}): use the broker's TLS listener (SSL:// or SASL_SSL://), or leave out tls_enabled.`,
      };
    case 'ECONNRESET':
    case 'EPIPE':
      if (!handshakeDone && input.cert === undefined)
        return {
          code,
          category: 'tls-error',
          message: `${where} closed the connection during the TLS handshake (${code}): it may require a client certificate, or not speak TLS on this port.`,
        };
      return {
        code,
        category: 'client-cert-rejected',
        message: `${where} closed the connection ${handshakeDone ? 'after' : 'during'} the handshake (${code}): it most likely refused the client certificate; check the CA the server trusts for clients.`,
      };
    default:
      return { code, category: 'tls-error', message: `TLS to ${where} failed: ${msg}.` };
  }
}

/** A TLS handshake to host:port presenting the client certificate: did the server accept it, does the CA verify the server? */
export function liveCheck(input: LiveCheckInput): Promise<LiveResult> {
  const timeoutMs = timerMs(input.timeoutMs ?? 5000);
  const graceMin = input.graceMs ?? 400;
  return new Promise((resolve) => {
    const t0 = Date.now();
    let settled = false;
    let socket: TLSSocket | undefined;
    let handshake: Omit<LiveResult, 'category' | 'message'> | undefined;
    let graceTimer: NodeJS.Timeout | undefined;
    const finish = (r: LiveResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(overall);
      if (graceTimer) clearTimeout(graceTimer);
      socket?.removeAllListeners('data');
      socket?.on('error', () => undefined);
      socket?.destroy();
      resolve(r);
    };
    const accepted = () => {
      const h = handshake as Omit<LiveResult, 'category' | 'message'>;
      const who = input.cert ? 'accepted the client certificate' : 'accepted the connection without a client certificate';
      if (!h.serverVerified) {
        finish({ ...h, authorized: true, category: 'server-unverified', message: `${addr(input)} ${who}, but ${serverVerifyFix(h.serverError, input)}` });
      } else {
        finish({ ...h, authorized: true, category: 'ok', message: `${addr(input)} ${who} and its certificate verifies${input.ca ? ' with the CA' : ''}.` });
      }
    };
    const overall = setTimeout(() => {
      if (handshake) accepted();
      else
        finish({
          connected: false,
          serverVerified: false,
          category: 'timeout',
          code: 'ETIMEDOUT',
          message: `no TLS handshake with ${addr(input)} within ${timeoutMs} ms: check the address, the firewall, and that the port is the broker's TLS listener.`,
        });
    }, timeoutMs);
    try {
      socket = connect({
        host: input.host.replace(/^\[|\]$/g, ''),
        port: input.port,
        servername: isIP(input.host.replace(/^\[|\]$/g, '')) ? undefined : input.host,
        ca: input.ca,
        cert: input.cert,
        key: input.key,
        // Verify ourselves, so that a server we do not trust still tells whether it accepts the client certificate.
        rejectUnauthorized: false,
      });
    } catch (err) {
      // Bad PEM for cert/key/ca throws synchronously.
      finish({
        connected: false,
        serverVerified: false,
        category: 'tls-error',
        code: errnoCode(err),
        message: `cannot use the certificates for TLS: ${errMessage(err)}.`,
      });
      return;
    }
    socket.on('secureConnect', () => {
      const s = socket as TLSSocket;
      const peer = s.getPeerCertificate();
      handshake = {
        connected: true,
        serverVerified: s.authorized,
        serverError: s.authorized ? undefined : String(s.authorizationError ?? 'unverified'),
        protocol: s.getProtocol() ?? undefined,
        server: peer?.raw ? serverSummary(peer.raw) : undefined,
      };
      // A TLS 1.3 server refuses the client certificate after our Finished: wait for its alert.
      const grace = Math.max(graceMin, 2 * (Date.now() - t0));
      graceTimer = setTimeout(accepted, Math.min(grace, Math.max(0, timeoutMs - (Date.now() - t0))));
    });
    socket.on('data', () => undefined);
    socket.on('error', (err) => {
      const c = classifyFailure(err, input, !!handshake);
      finish({
        ...(handshake ?? { connected: false, serverVerified: false }),
        authorized: handshake || /client-cert/.test(c.category) ? false : undefined,
        ...c,
      });
    });
    socket.on('close', () => {
      if (settled) return;
      if (handshake) {
        // Closed right after the handshake without a word: a refusal (servers that do not alert).
        finish({
          ...handshake,
          authorized: false,
          category: 'client-cert-rejected',
          message: `${addr(input)} closed the connection right after the handshake: it most likely refused the client certificate.`,
        });
      } else {
        finish({ connected: false, serverVerified: false, category: 'tls-error', message: `${addr(input)} closed the connection during the TLS handshake.` });
      }
    });
  });
}
