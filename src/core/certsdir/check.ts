/**
 * `cert check`: a certificate from any issuer against CockroachDB's rules for a role, with each
 * failure a sentence naming the field and the fix at the issuing CA. Pure: the caller reads the
 * files (the CLI with readInput, the editor from its documents), so the editor can show the same
 * failures before anything is written (see import.ts's planImport).
 */
import { X509Certificate } from 'node:crypto';
import { basename } from 'node:path';
import { UserError, errMessage } from '../errors';
import { certInfo } from '../pki/certinfo';
import { issuedBy, findIssuer, notSignedText } from '../pki/chain';
import { parseCertFile } from '../pki/inspect';
import { csrPublicKey, readCsrFile, requestedExtensions } from '../pki/csrread';
import { keyMatchesCert, parsePrivateKey } from '../pki/keys';
import { sansCoverHost } from '../pki/names';
import { readCertificate } from '../pki/x509der';
import { CertRole, roleProblems } from '../cockroach/certrules';
import { CA_CERT, CLIENT_CA_CERT, NODE_CERT, clientCertName, roleFromFilename } from '../cockroach/layout';
import { CheckCode, FixExtra, fixText } from './fixes';

export interface CheckInput {
  /** The certificate file as named to the user. */
  certFile: string;
  cert: Buffer;
  /** Default: the role the file name gives (node.crt, client.USER.crt, ca.crt, ca-client.crt), else what the certificate looks like. */
  role?: CertRole;
  /** Hosts clients and nodes dial: each must be covered by a SAN (Go's VerifyHostname). */
  hosts?: string[];
  /** The CA file the certificate must chain to (the whole file is the trust pool). */
  ca?: { file: string; bytes: Buffer };
  key?: { file: string; bytes: Buffer };
  /** The name it is (or will be) installed under; default: the certificate file's base name. */
  installName?: string;
  /** The name the key is (or will be) installed under; default: the key file's base name. */
  keyInstallName?: string;
  now?: Date;
  /** The certs dir has client.node.crt (then node.crt need not name the node user). */
  hasClientNodeCert?: boolean;
  /**
   * The request create-csr wrote for this certificate (node.csr, client.USER.csr): the certificate
   * must be for its key and keep every DNS and IP name it requested (a CA that replaces the SANs
   * is caught even without --host).
   */
  csr?: { file: string; bytes: Buffer };
}

export interface CheckFailure {
  code: CheckCode;
  /** The certificate field or file the failure is about: "extendedKeyUsage", "subjectAltName", "file name". */
  field: string;
  /** One sentence: the file, the field, what is wrong, and the fix at the issuing CA. */
  message: string;
}

export interface CheckResult {
  file: string;
  role: CertRole;
  ok: boolean;
  failures: CheckFailure[];
  subject?: string;
  issuer?: string;
  notAfter?: string;
  publicKey?: string;
  /** With `ca`: which certificate of the CA file signed it (0-based; through the file's intermediates), or null. */
  chain?: { caFile: string; signedBy: number | null };
}

/** The name CockroachDB loads a certificate of `role` under. */
export function installNameFor(role: CertRole): string {
  if (role.as === 'node') return NODE_CERT;
  if (role.as === 'client') return clientCertName(role.user);
  return role.as === 'ca' ? CA_CERT : CLIENT_CA_CERT;
}

export function roleText(role: CertRole): string {
  return role.as === 'client' ? `client ${role.user}` : role.as;
}

/** The role a file name gives, else what the certificate looks like (a CA, a node's server cert, a client's CN). */
export function inferRole(name: string, cert: X509Certificate | undefined): CertRole {
  const r = roleFromFilename(name);
  if (!r.badName) {
    if (r.usage === 'Node') return { as: 'node' };
    if (r.usage === 'Client' && r.name) return { as: 'client', user: r.name };
    if (r.usage === 'CA') return { as: 'ca' };
    if (r.usage === 'Client CA') return { as: 'client-ca' };
  }
  const info = cert ? certInfo(cert) : undefined;
  if (!info) return { as: 'node' };
  if (info.isCA) return { as: 'ca' };
  if (info.commonName === 'node' || info.extKeyUsage.includes('serverAuth') || info.sans.ip.length > 0) return { as: 'node' };
  return { as: 'client', user: info.commonName ?? '' };
}

const WEAK_SIGNATURES: Record<string, string> = {
  '1.2.840.113549.1.1.4': 'md5WithRSAEncryption',
  '1.2.840.113549.1.1.5': 'sha1WithRSAEncryption',
  '1.2.840.10045.4.1': 'ecdsa-with-SHA1',
};

/** Which certificate of `pool` the leaf chains to, through the intermediates (the rest of its file), as Go's Verify does with ca.crt as roots. */
function chainIndex(leaf: X509Certificate, intermediates: X509Certificate[], pool: X509Certificate[]): number | null {
  let cur = leaf;
  for (let depth = 0; depth <= intermediates.length; depth++) {
    const i = pool.findIndex((ca) => issuedBy(cur, ca));
    if (i >= 0) return i;
    const next = intermediates.find((c) => c !== cur && issuedBy(cur, c));
    if (!next) return null;
    cur = next;
  }
  return null;
}

/** Checks one certificate against CockroachDB's rules for its role; never throws for bad input (it is a failure). */
export function checkCertificate(input: CheckInput): CheckResult {
  const file = input.certFile;
  const now = input.now ?? new Date();
  const failures: CheckFailure[] = [];
  const fail = (code: CheckCode, field: string, problem: string, role: CertRole, extra: FixExtra = {}) =>
    failures.push({ code, field, message: `${file}: ${field} ${problem}. ${fixText(code, role, extra)}.` });
  const parsed = parseCertFile(input.cert, file);
  const installName = input.installName ?? basename(file);
  if (!parsed.ok) {
    const role = input.role ?? inferRole(installName, undefined);
    failures.push({ code: 'parse', field: 'certificate', message: parsed.error });
    return { file, role, ok: false, failures };
  }
  const [leaf, ...rest] = parsed.certs;
  const role = input.role ?? inferRole(installName, leaf);
  const info = certInfo(leaf);
  for (const p of roleProblems(info, role, { now, hasClientNodeCert: input.hasClientNodeCert })) fail(p.code, p.field, p.problem, role, { missing: p.missing });

  const uncovered = (input.hosts ?? []).filter((h) => !sansCoverHost(info.sans, h));
  const has = [...info.sans.dns, ...info.sans.ip];
  if (uncovered.length > 0) {
    fail(
      'host',
      'subjectAltName',
      `${has.length ? `is ${has.join(', ')}` : 'is empty'}, which does not cover ${uncovered.join(', ')} (matched as Go matches it: "*.example.com" covers one label): clients dialling ${uncovered.length === 1 ? 'it' : 'them'} fail with "certificate is valid for ..., not ${uncovered[0]}"`,
      role,
      { hosts: uncovered },
    );
  }
  try {
    const weak = WEAK_SIGNATURES[readCertificate(leaf.raw).signatureAlgorithmOid];
    if (weak) fail('signature', 'signatureAlgorithm', `is ${weak}: Go (CockroachDB) refuses ${weak.startsWith('md5') ? 'MD5' : 'SHA-1'} signatures`, role);
  } catch {
    // the strict reader refused it; Node parsed it: the other checks still apply
  }

  if (input.csr && (role.as === 'node' || role.as === 'client')) {
    const csrName = basename(input.csr.file);
    const read = readCsrFile(input.csr.bytes);
    let csrKey: Buffer | undefined;
    try {
      if (read.ok) csrKey = csrPublicKey(read.csr).export({ type: 'spki', format: 'der' });
    } catch {
      // an unusable key is reported with the unreadable request below
    }
    if (!read.ok || !csrKey)
      fail('csr', 'certificate request', `${input.csr.file} cannot be read (${read.ok ? 'its public key cannot be used' : read.error})`, role, {
        csr: csrName,
      });
    else if (!csrKey.equals(leaf.publicKey.export({ type: 'spki', format: 'der' })))
      fail('csr-key', 'public key', `is not the key ${csrName} requests a certificate for: the CA signed another request`, role, { csr: csrName });
    else {
      // Only a request signed as it was made counts: the names it asked for, each covered as Go's VerifyHostname decides.
      const asked = requestedExtensions(read.csr)
        .sans.filter((n) => n.type === 'DNS' || n.type === 'IP Address')
        .map((n) => n.compact ?? n.value);
      const dropped = asked.filter((h) => !sansCoverHost(info.sans, h) && !uncovered.includes(h));
      if (dropped.length > 0)
        fail(
          'csr-sans',
          'subjectAltName',
          `${has.length ? `is ${has.join(', ')}` : 'is empty'}, which drops ${dropped.join(', ')} that ${csrName} requested (the CA replaced or left out the request's SANs): clients dialling ${dropped.length === 1 ? 'it' : 'them'} fail with "certificate is valid for ${has.length ? has.join(', ') : '...'}, not ${dropped[0]}"`,
          role,
          { csr: csrName, hosts: dropped },
        );
    }
  }

  let chain: CheckResult['chain'];
  if (input.ca) {
    const pool = parseCertFile(input.ca.bytes, input.ca.file);
    if (!pool.ok) fail('chain', 'issuer', `cannot be checked: ${pool.error.replace(/\.$/, '')}`, role);
    else {
      const signedBy = chainIndex(leaf, rest, pool.certs);
      chain = { caFile: input.ca.file, signedBy };
      if (signedBy === null) {
        const m = findIssuer(leaf, pool.certs);
        const why = m.signed ? 'it is signed, but not through a chain this file completes' : notSignedText(leaf, input.ca.file, pool.certs, m);
        fail(
          'chain',
          'issuer',
          `${info.issuerLine} does not chain to ${input.ca.file}: ${why}; CockroachDB and its clients refuse it (unknown authority)`,
          role,
        );
      }
    }
  }

  if (input.key) {
    try {
      const key = parsePrivateKey(input.key.bytes, input.key.file);
      if (!keyMatchesCert(key, leaf)) fail('key', 'public key', `does not match ${input.key.file} (a different key pair)`, role);
    } catch (err) {
      fail('key', 'private key', `cannot be checked: ${err instanceof UserError ? err.message.replace(/\.$/, '') : errMessage(err)}`, role);
    }
  }

  const expected = installNameFor(role);
  if (installName !== expected) {
    const r = roleFromFilename(installName);
    const why = !installName.endsWith('.crt')
      ? 'CockroachDB loads only .crt files'
      : r.badName
        ? `CockroachDB skips it as a bad filename (${r.badName})`
        : `CockroachDB loads it as another role (${r.usage}${r.name ? ` ${r.name}` : ''})`;
    fail('file-name', 'file name', `${installName} is not ${expected}, the name a ${roleText(role)} certificate needs: ${why}`, role, { expected });
  }
  if (input.key) {
    const keyName = input.keyInstallName ?? basename(input.key.file);
    const expectedKey = expected.replace(/\.crt$/, '.key');
    if (!(role.as === 'ca' || role.as === 'client-ca') && keyName !== expectedKey)
      fail('file-name', 'key file name', `${keyName} is not ${expectedKey}: CockroachDB pairs a certificate with its key by name only`, role, {
        expected: expectedKey,
      });
  }
  return {
    file,
    role,
    ok: failures.length === 0,
    failures,
    subject: info.subjectLine,
    issuer: info.issuerLine,
    notAfter: info.notAfter.toISOString(),
    publicKey: info.publicKey,
    ...(chain ? { chain } : {}),
  };
}
