import { certInfo } from '../pki/certinfo';
import { X509Certificate } from 'node:crypto';
import { dirname } from 'node:path';
import { errMessage, errnoCode } from '../errors';
import { issuedBy } from '../pki/chain';
import { CertDetails, certDetails } from '../pki/inspect';
import { Deadline, TimeoutError, formatMs, isAbortError } from './cancel';
import { explain } from './explain';
import { probe, sansText } from './probe';
import { Attempt, Ctx, TestConnectionResult, cn, result, summary } from './testConnectionTypes';
import { Category, Diagnosis } from './types';
import { X509_ERRORS } from './verify';
import { DEFAULT_SQL_PORT } from '../cockroach/ports';
import { CLOUD_CA_CERT_COMMAND, cloudCaUrl, isCloudHost } from '../cockroach/cloud';

// Diagnosis: a failed attempt becomes one category, a cause and a fix that name the files and
// hosts (a TLS failure first probes the server for what it serves); a good one, the ok sentence.

const CLIENT_ALERT =
  /ERR_SSL_(?:SSLV3|TLSV1|TLSV13)_ALERT_(UNKNOWN_CA|BAD_CERTIFICATE|CERTIFICATE_EXPIRED|CERTIFICATE_REQUIRED|CERTIFICATE_UNKNOWN|UNSUPPORTED_CERTIFICATE|CERTIFICATE_REVOKED|ACCESS_DENIED)/;

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
  if (
    (stage === 'ssl-request' || stage === 'handshake') &&
    (['ECONNRESET', 'EPIPE'].includes(code) || /Connection terminated unexpectedly|socket disconnected|socket hang up/i.test(msg))
  )
    return 'handshake-eof';
  // The text of one attempt: a text that fits several causes takes the first (test-connection then says more from what it knows).
  const ex = explain(msg);
  return ex.category === 'ambiguous' ? (ex.candidates?.[0] ?? 'other') : ex.category;
}

/** The categories after which a probe of the server says what it serves and why the CA does not verify it. */
const PROBED: readonly Category[] = [
  'unknown-authority',
  'hostname-mismatch',
  'server-cert-expired',
  'server-cert-not-yet-valid',
  'client-cert-rejected',
  'handshake-eof',
];

/** Probes the server after a TLS failure into details.probe (and serverChain when the attempt saw none); a probe failure becomes a note. */
export async function probeOnTlsFailure(ctx: Ctx, category: Category, deadline: Deadline, signal: AbortSignal | undefined): Promise<void> {
  if (!PROBED.includes(category)) return;
  const { details } = ctx;
  try {
    details.probe = await probe(ctx.host, ctx.port, {
      caPem: ctx.caPem,
      caFile: ctx.root?.check.path,
      timeoutMs: Math.min(5000, Math.max(1500, deadline.remaining())),
      signal,
      now: ctx.now,
    });
    if (details.probe.chain.length && !details.serverChain) details.serverChain = details.probe.chain.map(summary);
  } catch (err) {
    if (isAbortError(err)) throw err;
    details.notes.push(`The follow-up probe failed: ${errMessage(err)}`);
  }
}

export function okResult(ctx: Ctx, a: Attempt): TestConnectionResult {
  const { details } = ctx;
  const leaf = a.chain?.[0];
  const who = `${ctx.hp} as ${ctx.user}${ctx.database ? ` (database ${ctx.database})` : ''}`;
  const ms = formatMs((a.timings.connectMs ?? 0) + (a.timings.tlsMs ?? 0) + (a.timings.authMs ?? 0) + (a.timings.queryMs ?? 0));
  if (!details.tls) {
    return result(
      details,
      'ok',
      `connected to ${who} WITHOUT TLS (sslmode=${ctx.sslmode}${ctx.sslmode !== 'disable' ? ', the server refused TLS' : ''}) and SELECT 1 returned; ${ms} in all. Nothing is encrypted and the server is not authenticated.`,
      'nothing blocks the connection; to protect it, run the cluster in secure mode and use sslmode=verify-full with sslrootcert=<ca.crt>.',
    );
  }
  const leafText = leaf ? `its certificate (CN=${cn(leaf)}, ${sansText(leaf)}, valid until ${leaf.notAfter.slice(0, 10)})` : 'its certificate';
  const verified =
    ctx.verify === 'full'
      ? `${leafText} verified against ${ctx.caDesc} and names ${ctx.host}`
      : ctx.verify === 'ca'
        ? `${leafText} verified against ${ctx.caDesc}; the host name was not checked (sslmode=verify-ca)`
        : `${leafText} was NOT verified (sslmode=${ctx.sslmode})`;
  const cert = a.sentCert && ctx.cert ? `, logged in with the client certificate ${ctx.cert.check.path}` : '';
  const fix =
    ctx.verify === 'full'
      ? 'nothing to fix.'
      : `nothing blocks the connection; to also authenticate the server, use sslmode=verify-full${ctx.root ? '' : " with sslrootcert=<the cluster's ca.crt>"}.`;
  return result(
    details,
    'ok',
    `connected to ${who} over ${a.protocol ?? 'TLS'} (${a.cipher ?? '?'}): ${verified}${cert}, and SELECT 1 returned; ${ms} in all.`,
    fix,
  );
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

/** sslcert was configured, and the server asked for a certificate (or a password) as if none had come. */
function notSent(ctx: Ctx, msg: string, asksCert: boolean): Diagnosis {
  const path = ctx.cert?.check.path ?? 'the client certificate';
  return {
    category: 'client-cert-not-sent',
    cause: `${ctx.hp} ${asksCert ? 'requires a client certificate' : 'asked for a password'} for ${ctx.user} as if none had been sent, although sslcert names ${path}: the library did not send it ("${msg}").`,
    fix: `issue the client certificate from a CA the server lists for clients (its ssl_ca_file / the cluster's ca-client.crt or ca.crt): crdb-tls cert create-client ${ctx.user} --certs-dir ${ctx.certsDir} --ca-key <that CA's key>; Java and Go send a certificate only when its issuer is in that list, and pgjdbc only with a .pk8 key (crdb-tls lint the string).`,
  };
}

/** Cause and fix for a failed attempt, naming the files and hosts; uses the probe when there is one. */
export function diagnose(ctx: Ctx, category: Category, a: Attempt): Diagnosis {
  const { hp, details } = ctx;
  const leaf: CertDetails | undefined = details.probe?.chain[0] ?? a.chain?.[0];
  const served = leaf ? `the certificate served by ${hp} (${leafName(leaf)})` : `the certificate served by ${hp}`;
  const msg = errMessage(a.error);
  const code = errnoCode(a.error);
  const ex = explain(msg);
  const clientCert = ctx.cert?.ref.certs[0];
  switch (category) {
    case 'unknown-authority': {
      const issuer = leaf ? leaf.issuerLine : 'an unknown issuer';
      const sameName = leaf
        ? ctx.caCerts.find(
            (k) =>
              k.subject ===
              Object.entries(leaf.issuer)
                .map(([k2, v]) => `${k2}=${v}`)
                .join('\n'),
          )
        : undefined;
      const pool = ctx.caCerts.length ? ` (${ctx.caCerts.map((k) => `CN=${cn(k)}, serial ${certInfo(k).serial}`).join('; ')})` : '';
      const sent = details.probe?.chain.slice(1).find((x) => x.isCA && x.inCaFile !== true);
      const cause =
        `${served}, issued by ${issuer}, is not signed by a CA in ${ctx.caDesc}${pool}` +
        (sameName ? `: the CA there has the same name but another key (another cluster's CA, or a CA created again)` : '') +
        ` (${code ?? msg})` +
        (sent ? `; the server sends its CA along (CN=${cn(sent)}, serial ${sent.serial}, SHA-256 ${sent.fingerprintSha256.slice(0, 23)}...)` : '') +
        '.';
      const cloudDefault = ctx.root?.check.source === 'default' && isCloudHost(ctx.host);
      const fix = cloudDefault
        ? `${ctx.host} is a CockroachDB Cloud host and ${ctx.root!.check.path} (libpq's default CA file, used because the string has no sslrootcert) holds another CA (another cluster's?): download this cluster's CA with ${CLOUD_CA_CERT_COMMAND} --overwrite (it backs up ${ctx.root!.check.path} first), or name the right file in sslrootcert; on a Basic or Standard cluster, sslrootcert=system also works with libpq 16+ and pgx v5.`
        : ctx.root
          ? `point sslrootcert at the CA that issued the node certificate: the cluster's ca.crt (its first certificate is "${issuer}"), instead of ${ctx.root.check.path}; for CockroachDB Cloud, download the cluster CA (${cloudCaUrl('<cluster-id>')}). Check a candidate with: crdb-tls probe ${hp} --ca-file <ca.crt>.`
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
        cause: bad
          ? `${isCa ? `the CA certificate in the chain of ${hp} (${leafName(bad)})` : served} expired on ${bad.notAfter} (${daysAgo(bad.notAfter, ctx.now)}); this machine's clock says ${ctx.now.toISOString()}.`
          : `the certificate served by ${hp} has expired (${msg}).`,
        fix: isCa
          ? `rotate the CA: crdb-tls cert create-ca --certs-dir ${ctx.certsDir} --ca-key <ca.key> --overwrite, then re-issue the node and client certificates from it and distribute the new ca.crt.`
          : `re-issue it: ${reissueNode(ctx, leaf)}; if it should still be valid, check this machine's clock.`,
      };
    }
    case 'server-cert-not-yet-valid': {
      const bad = details.probe?.chain.find((x) => x.validity === 'not-yet-valid') ?? leaf;
      return {
        category,
        cause: bad
          ? `${served} is valid only from ${bad.notBefore} (${until(bad.notBefore, ctx.now)}); this machine's clock says ${ctx.now.toISOString()}.`
          : `the certificate served by ${hp} is not valid yet (${msg}).`,
        fix: `check the clocks of this machine and of the machine that issued the certificate (NTP); or re-issue it now, backdated as crdb-tls does by 24 hours: ${reissueNode(ctx, leaf)}.`,
      };
    }
    case 'client-cert-rejected': {
      const alert =
        /ALERT_([A-Z_]+)/
          .exec(code ?? '')?.[1]
          ?.toLowerCase()
          .replace(/_/g, ' ') ?? /alert ([a-z ]+?)(?:\.|:|$| \()/.exec(msg)?.[1];
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
      const eku = d.extKeyUsage;
      if (eku.length && !eku.includes('clientAuth')) evidence.push(`its extended key usage (${eku.join(', ')}) lacks clientAuth`);
      const serverIssuer = details.probe?.chain[0]?.issuerLine;
      const byServerCa = details.probe?.chain.slice(1).some((ca) => safeIssued(clientCert, ca.pem));
      const byRoot = ctx.caCerts.some((ca) => safeIssued(clientCert, ca.toString()));
      if (!expired && !byServerCa && !byRoot && (ctx.caCerts.length || serverIssuer)) {
        evidence.push(
          `it is not signed by the CA that signed the server's certificate${serverIssuer ? ` (${serverIssuer})` : ''}${ctx.root ? ` nor by ${ctx.root.check.path}` : ''}`,
        );
      }
      const meaning =
        alert === 'unknown ca'
          ? 'the server does not trust the CA that signed it'
          : alert === 'certificate expired'
            ? 'the server says it has expired'
            : alert === 'unsupported certificate'
              ? 'the server refuses its key usage'
              : 'the server refused it';
      const cause = `${hp} refused the client certificate ${path} (CN=${cn(clientCert)}, issued by ${d.issuerLine}, serial ${d.serial}): ${meaning}${alert ? ` (TLS alert "${alert}")` : ''}${evidence.length ? `; ${evidence.join('; ')}` : ''}.`;
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
      // The server asked for a certificate, or for a password from the certificate's own user, although
      // sslcert was configured: the library did not send it (Java and Go drop one whose issuer is not in
      // the server's CA list; pgjdbc skips a key it cannot read).
      const asksCert = /valid client certificate|no client certificates/i.test(msg);
      if (clientCert && (asksCert || (/password/i.test(msg) && certCn === ctx.user))) return notSent(ctx, msg, asksCert);
      if (asksCert || (!clientCert && /certificate/i.test(msg))) {
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
          fix: clientCert
            ? `check the password, or that the cluster allows certificate login for ${ctx.user} (CN=${certCn} must equal the user).`
            : `check the password, or log in with a certificate: sslcert=client.${ctx.user}.crt and sslkey=client.${ctx.user}.key (crdb-tls cert create-client ${ctx.user}).`,
        };
      }
      return { category, cause: `${hp} refused the login of ${ctx.user}: ${ex.matched ? ex.cause : `"${msg}".`}`, fix: ex.fix };
    }
    case 'handshake-eof': {
      const p = details.probe;
      const seen = !p
        ? ''
        : p.error
          ? `; a probe of ${hp} says: ${p.error.message}`
          : p.acceptsTls && p.protocol
            ? `; a probe without a client certificate completed the handshake (${p.protocol}), so the server objected to something in this client's hello or certificate`
            : '';
      return {
        category,
        cause: `${hp} closed the connection during the TLS handshake ("${msg}")${seen}.`,
        fix: `check that ${ctx.port} is the SQL port (${DEFAULT_SQL_PORT} for CockroachDB) and not a proxy or load balancer that drops TLS, that no firewall cuts the connection, and the server's log at this time for why it closed it.`,
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
        fix: `start the node, or fix the port: CockroachDB's SQL port is ${DEFAULT_SQL_PORT} by default (--listen-addr / --sql-addr); a node listening on localhost only refuses connections to its other addresses.`,
      };
    case 'timeout': {
      const stage = a.error instanceof TimeoutError ? a.error.stage : a.stage;
      const limit = formatMs(ctx.timeoutMs);
      const what =
        stage === 'connect'
          ? `did not accept the TCP connection within ${limit}`
          : stage === 'ssl-request'
            ? `accepted the TCP connection but did not answer the SSLRequest within ${limit}: whatever listens there does not speak the PostgreSQL protocol, or it hangs`
            : stage === 'handshake'
              ? `did not finish the TLS handshake within ${limit}`
              : stage === 'startup'
                ? `did not finish the login within ${limit}`
                : `did not return the result of SELECT 1 within ${limit}`;
      return {
        category,
        cause: `${hp} ${what}.`,
        fix: `check the host and port (CockroachDB SQL: ${DEFAULT_SQL_PORT}), firewalls and security groups, and for CockroachDB Cloud the IP allowlist for this machine's public IP; raise --timeout if the network is just slow.`,
      };
    }
    case 'dns':
      return {
        category,
        cause: `the host name ${ctx.host} does not resolve (${code ?? msg}).`,
        fix: "check the host name for typos (for CockroachDB Cloud, copy it from the Connect dialog), and this machine's DNS or VPN.",
      };
    default:
      return {
        category: ex.category === 'ok' ? 'other' : ex.category,
        cause: `${hp}: "${msg}"${ex.matched ? `: ${ex.cause}` : '.'}`,
        fix: ex.matched ? ex.fix : `run crdb-tls probe ${hp} --ca-file <ca.crt> to see what the server serves, and check the server's log.`,
      };
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
