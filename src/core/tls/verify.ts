import { certInfo } from '../pki/certinfo';
import { X509Certificate } from 'node:crypto';
import { CertStructure, OID, readCertificate } from '../pki/x509der';
import { formatName } from '../pki/x509name';
import { Category } from './types';

/**
 * OpenSSL's certificate verification errors (X509_V_ERR_*): the names Node uses for
 * `authorizationError` and error codes, the numbers OpenSSL 3 prints (`openssl verify`), and its texts.
 */
export const X509_ERRORS: Record<string, { num: number; text: string; category: Category }> = {
  UNABLE_TO_GET_ISSUER_CERT: { num: 2, text: 'unable to get issuer certificate', category: 'unknown-authority' },
  CERT_SIGNATURE_FAILURE: { num: 7, text: 'certificate signature failure', category: 'unknown-authority' },
  CERT_NOT_YET_VALID: { num: 9, text: 'certificate is not yet valid', category: 'server-cert-not-yet-valid' },
  CERT_HAS_EXPIRED: { num: 10, text: 'certificate has expired', category: 'server-cert-expired' },
  DEPTH_ZERO_SELF_SIGNED_CERT: { num: 18, text: 'self-signed certificate', category: 'unknown-authority' },
  SELF_SIGNED_CERT_IN_CHAIN: { num: 19, text: 'self-signed certificate in certificate chain', category: 'unknown-authority' },
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: { num: 20, text: 'unable to get local issuer certificate', category: 'unknown-authority' },
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: { num: 21, text: 'unable to verify the first certificate', category: 'unknown-authority' },
  CERT_CHAIN_TOO_LONG: { num: 22, text: 'certificate chain too long', category: 'unknown-authority' },
  INVALID_CA: { num: 79, text: 'invalid CA certificate', category: 'unknown-authority' },
  PATH_LENGTH_EXCEEDED: { num: 25, text: 'path length constraint exceeded', category: 'unknown-authority' },
  INVALID_PURPOSE: { num: 26, text: 'unsupported certificate purpose', category: 'other' },
  CERT_UNTRUSTED: { num: 27, text: 'certificate not trusted', category: 'unknown-authority' },
  CERT_REJECTED: { num: 28, text: 'certificate rejected', category: 'unknown-authority' },
  KEYUSAGE_NO_CERTSIGN: { num: 32, text: 'key usage does not include certificate signing', category: 'unknown-authority' },
  HOSTNAME_MISMATCH: { num: 62, text: 'hostname mismatch', category: 'hostname-mismatch' },
  IP_ADDRESS_MISMATCH: { num: 64, text: 'IP address mismatch', category: 'hostname-mismatch' },
};

export interface ChainLink {
  depth: number;
  subject: string;
  issuer: string;
  serial: string;
  fingerprintSha256: string;
  notBefore: string;
  notAfter: string;
  /** From the trusted CA file (else from the certificate file itself). */
  trusted: boolean;
}

export interface VerifyError {
  code: string;
  errorNumber: number;
  errorText: string;
  depth: number;
  subject: string;
  reason: string;
}

export interface VerifyOutcome {
  ok: boolean;
  /** OpenSSL's error name (Node's code), e.g. UNABLE_TO_GET_ISSUER_CERT_LOCALLY. */
  code?: string;
  /** The number `openssl verify` prints ("error 20 at 0 depth lookup: ..."). */
  errorNumber?: number;
  /** OpenSSL's text for the error. */
  errorText?: string;
  /** Depth of the certificate the error is about (0 = the certificate verified). */
  depth?: number;
  /** Subject of that certificate, openssl one-line style ("O = Cockroach, CN = node"). */
  errorSubject?: string;
  /** A sentence: why, naming the certificates and the CA file. */
  reason: string;
  /** Every error, in the order openssl verify prints them (it goes on after a few, such as invalid CA). */
  errors: VerifyError[];
  chain: ChainLink[];
}

/** Errors after which `openssl verify` goes on checking (its callback accepts them and reports the rest). */
const CONTINUE = new Set(['INVALID_CA', 'PATH_LENGTH_EXCEEDED', 'INVALID_PURPOSE']);

interface Cert {
  x: X509Certificate;
  s: CertStructure;
  subject: string;
  issuer: string;
  ski?: string;
  aki?: string;
  basic?: { ca: boolean; pathLen?: number };
  keyCertSign?: boolean;
  trusted: boolean;
}

function load(x: X509Certificate, trusted: boolean): Cert {
  const s = readCertificate(x.raw);
  const f = certInfo(x);
  const hasKeyUsage = s.extensions.some((e) => e.oid === OID.keyUsage);
  return {
    x,
    s,
    trusted,
    subject: formatName(f.subjectRdns),
    issuer: formatName(f.issuerRdns),
    ski: f.subjectKeyId,
    aki: f.authorityKeyId,
    basic: f.basicConstraints,
    keyCertSign: hasKeyUsage ? f.keyUsage.includes('keyCertSign') : undefined,
  };
}

/** OpenSSL's "likely issued": the issuer name matches the subject, and the key identifiers agree when both are present. */
function likelyIssued(child: Cert, parent: Cert): boolean {
  if (!child.s.issuer.raw.equals(parent.s.subject.raw) && child.x.issuer !== parent.x.subject) return false;
  return !(child.aki && parent.ski && child.aki !== parent.ski);
}

function signedBy(child: Cert, parent: Cert): boolean {
  try {
    return child.x.verify(parent.x.publicKey);
  } catch {
    return false;
  }
}

function cn(c: Cert): string {
  return `"${certInfo(c.x).commonName ?? c.subject}"`;
}

function day(d: Date): string {
  return d.toISOString().replace('.000Z', 'Z');
}

export interface VerifyInput {
  /** The certificate to verify. */
  leaf: X509Certificate;
  /** Intermediates sent along (the rest of the certificate file, or of the server's chain). */
  untrusted?: X509Certificate[];
  /** The trust pool: every certificate of the CA file. */
  trusted: X509Certificate[];
  /** Named in the reasons, e.g. "certs/ca.crt". */
  trustedName: string;
  now: Date;
}

/**
 * Verifies a certificate the way `openssl verify -CAfile` does (OpenSSL 3: build the chain by name
 * and key identifier, then check CA flags, path length, key usage, signatures and validity from the
 * top down), stopping at the first error as openssl verify does. Revocation is not checked.
 */
export function verifyCertificate(input: VerifyInput): VerifyOutcome {
  const trusted = input.trusted.map((x) => load(x, true));
  const untrusted = (input.untrusted ?? []).map((x) => load(x, false));
  const leaf = load(
    input.leaf,
    trusted.some((t) => t.x.fingerprint256 === input.leaf.fingerprint256),
  );
  const chain: Cert[] = [leaf];
  const links = (): ChainLink[] =>
    chain.map((c, depth) => ({
      depth,
      subject: c.subject,
      issuer: c.issuer,
      serial: certInfo(c.x).serial,
      fingerprintSha256: c.x.fingerprint256,
      notBefore: day(c.s.notBefore),
      notAfter: day(c.s.notAfter),
      trusted: c.trusted,
    }));
  const errors: VerifyError[] = [];
  const outcome = (): VerifyOutcome => {
    const e = errors[0];
    return {
      ok: false,
      code: e.code,
      errorNumber: e.errorNumber,
      errorText: e.errorText,
      depth: e.depth,
      errorSubject: e.subject,
      reason: errors.map((x) => x.reason).join(' '),
      errors,
      chain: links(),
    };
  };
  /** Records an error; returns the outcome when openssl verify would stop here. */
  const fail = (code: string, depth: number, reason: string): VerifyOutcome | undefined => {
    const e = X509_ERRORS[code];
    errors.push({ code, errorNumber: e.num, errorText: e.text, depth, subject: chain[depth]?.subject ?? leaf.subject, reason });
    return CONTINUE.has(code) ? undefined : outcome();
  };
  const stop = (code: string, depth: number, reason: string): VerifyOutcome => fail(code, depth, reason) ?? outcome();
  const pool = `${input.trustedName} (${trusted.length === 0 ? 'no certificates' : trusted.map((t) => cn(t)).join(', ')})`;

  // Build the chain: trusted certificates first, as OpenSSL prefers them.
  for (;;) {
    const cur = chain[chain.length - 1];
    const depth = chain.length - 1;
    if (depth > 10) return stop('CERT_CHAIN_TOO_LONG', depth, `the chain is longer than 10 certificates.`);
    if (likelyIssued(cur, cur)) {
      if (cur.trusted || trusted.some((t) => t.x.fingerprint256 === cur.x.fingerprint256)) {
        cur.trusted = true;
        break;
      }
      if (depth === 0) {
        return stop(
          'DEPTH_ZERO_SELF_SIGNED_CERT',
          0,
          `${cn(cur)} is self-signed and is not in ${pool}: trust it by adding it to the CA file, or verify against the CA file it belongs to.`,
        );
      }
      return stop('SELF_SIGNED_CERT_IN_CHAIN', depth, `the chain ends at the self-signed ${cn(cur)}, which is not in ${pool}.`);
    }
    const t = trusted.find((c) => likelyIssued(cur, c) && !chain.includes(c));
    if (t) {
      chain.push(t);
      continue;
    }
    const u = untrusted.find((c) => likelyIssued(cur, c) && !chain.includes(c));
    if (u) {
      chain.push(u);
      continue;
    }
    if (chain.some((c) => c.trusted)) {
      return stop(
        'UNABLE_TO_GET_ISSUER_CERT',
        depth,
        `${cn(cur)} from ${input.trustedName} is not a root: its issuer "${cur.issuer}" is missing; add that CA to ${input.trustedName}.`,
      );
    }
    const sameName = trusted.find((c) => c.s.subject.raw.equals(cur.s.issuer.raw));
    const why = sameName
      ? `${input.trustedName} holds a CA with the same name, ${cn(sameName)}, but with another key: ${cn(cur)} comes from a different CA of that name (for example a CA created again).`
      : `its issuer "${cur.issuer}" is not in ${pool}.`;
    return stop('UNABLE_TO_GET_ISSUER_CERT_LOCALLY', depth, `${cn(cur)} was not issued by a CA in ${input.trustedName}: ${why}`);
  }

  // Issuers must be CAs, within their path length, allowed to sign certificates.
  for (let i = 1; i < chain.length; i++) {
    const c = chain[i];
    if (!c.basic?.ca) {
      const r = fail(
        'INVALID_CA',
        i,
        `${cn(c)} signed ${cn(chain[i - 1])} but is not a CA (no basicConstraints CA:TRUE): only a CA may sign certificates; issue ${cn(chain[i - 1])} from the cluster CA.`,
      );
      if (r) return r;
      continue;
    }
    if (c.basic.pathLen !== undefined && i - 1 > c.basic.pathLen) {
      const r = fail('PATH_LENGTH_EXCEEDED', i, `${cn(c)} allows ${c.basic.pathLen} intermediate CA(s) below it (pathlen), but the chain has ${i - 1}.`);
      if (r) return r;
    }
  }
  // From the top down: signature, then validity.
  const now = input.now.getTime();
  for (let i = chain.length - 1; i >= 0; i--) {
    const c = chain[i];
    const issuer = chain[i + 1] ?? c;
    if (issuer !== c) {
      if (issuer.keyCertSign === false) {
        return stop('KEYUSAGE_NO_CERTSIGN', i + 1, `${cn(issuer)} has a key usage without Certificate Sign, so it may not sign ${cn(c)}.`);
      }
      if (!signedBy(c, issuer)) {
        return stop(
          'CERT_SIGNATURE_FAILURE',
          i,
          `the signature on ${cn(c)} does not verify with the key of ${cn(issuer)}: the certificate is damaged, or was signed by another key with the same CA name.`,
        );
      }
    }
    if (c.s.notBefore.getTime() > now) {
      return stop('CERT_NOT_YET_VALID', i, `${cn(c)} is valid only from ${day(c.s.notBefore)}: check the clock of this machine and of the one that issued it.`);
    }
    if (c.s.notAfter.getTime() < now) {
      return stop(
        'CERT_HAS_EXPIRED',
        i,
        `${cn(c)} expired on ${day(c.s.notAfter)}: issue it again${i === chain.length - 1 && i > 0 ? ' (the CA itself has expired: rotate the CA)' : ''}.`,
      );
    }
  }
  if (errors.length) return outcome();
  const top = chain[chain.length - 1];
  const via = chain.length === 1 ? 'it is in' : `signed by ${cn(top)} from`;
  return {
    ok: true,
    reason: `${cn(leaf)} verifies: ${via} ${input.trustedName}, and every certificate in the chain is within its validity period.`,
    errors: [],
    chain: links(),
  };
}

/** The `openssl verify` output for one file. */
export function opensslVerifyText(file: string, v: VerifyOutcome): string {
  if (v.ok) return `${file}: OK\n`;
  return (
    v.errors.map((e) => `${e.subject}\nerror ${e.errorNumber} at ${e.depth} depth lookup: ${e.errorText}\n`).join('') + `error ${file}: verification failed\n`
  );
}
