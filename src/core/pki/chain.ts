/**
 * Whether a CA certificate signed a certificate, written once: cert list, inspect, lint, rotation
 * (prune-ca, rollback), test-connection and the changefeed builder all ask this.
 */
import { X509Certificate } from 'node:crypto';
import { certInfo } from './certinfo';

/**
 * `ca` issued `cert`: the issuer name is the CA's subject and the key ids do not disagree
 * (OpenSSL's X509_check_issued, which Node's checkIssued calls), and the signature verifies with
 * the CA's public key. A name alone proves nothing: a CA created again has the same name.
 */
export function issuedBy(cert: X509Certificate, ca: X509Certificate): boolean {
  try {
    return cert.checkIssued(ca) && cert.verify(ca.publicKey);
  } catch {
    return false;
  }
}

/** The subject key id of a certificate and the authority key id it names, colon hex ("AB:CD:..."), when present and readable. */
export function keyIds(cert: X509Certificate): { subjectKeyId?: string; authorityKeyId?: string } {
  const { subjectKeyId, authorityKeyId } = certInfo(cert);
  return { ...(subjectKeyId ? { subjectKeyId } : {}), ...(authorityKeyId ? { authorityKeyId } : {}) };
}

export type IssuerMatch =
  /** Certificate `index` of the pool signed it. */
  | { signed: true; index: number }
  /**
   * No certificate of the pool signed it. `sameName`: the index of one whose subject is the
   * certificate's issuer name (another CA with the same name, e.g. one created again), with what
   * shows that its key did not sign: the key ids, when both are there and differ, else the signature.
   */
  | { signed: false; sameName?: { index: number; authorityKeyId?: string; subjectKeyId?: string; by: 'key id' | 'signature' } };

/** Which certificate of `pool` (a CA file's trust pool) signed `cert`, or why none did. */
export function findIssuer(cert: X509Certificate, pool: readonly X509Certificate[]): IssuerMatch {
  const index = pool.findIndex((ca) => issuedBy(cert, ca));
  if (index >= 0) return { signed: true, index };
  const named = pool.findIndex((ca) => ca.subject === cert.issuer);
  if (named < 0) return { signed: false };
  const { authorityKeyId } = keyIds(cert);
  const { subjectKeyId } = keyIds(pool[named]);
  const byKeyId = !!authorityKeyId && !!subjectKeyId && authorityKeyId !== subjectKeyId;
  return {
    signed: false,
    sameName: { index: named, ...(authorityKeyId ? { authorityKeyId } : {}), ...(subjectKeyId ? { subjectKeyId } : {}), by: byKeyId ? 'key id' : 'signature' },
  };
}

/**
 * What to say of a certificate no certificate of `caFile` signed, naming what differs: "its issuer
 * O=Cockroach, CN=Cockroach CA is the name of the CA certificate in ca.crt, but not its key: its
 * authority key id A is not that CA's subject key id B; ...". Without the fix: that is the
 * caller's, which knows what the certificate is for.
 */
export function notSignedText(cert: X509Certificate, caFile: string, pool: readonly X509Certificate[], m: IssuerMatch & { signed: false }): string {
  const issuer = certInfo(cert).issuerLine;
  const n = pool.length;
  if (!m.sameName) return `no certificate in ${caFile} signed it (its issuer ${issuer} is ${n === 1 ? 'not that CA' : `none of its ${n} CAs`})`;
  const s = m.sameName;
  const which = n === 1 ? `the CA certificate in ${caFile}` : `certificate ${s.index + 1} of ${n} in ${caFile}`;
  return `its issuer ${issuer} is the name of ${which}, but not its key: ${keyEvidence(s)}; it comes from another CA with the same name, such as one created again`;
}

/** What shows that the CA of the same name did not sign: the key ids when they differ, else the signature. */
export function keyEvidence(s: NonNullable<(IssuerMatch & { signed: false })['sameName']>): string {
  return s.by === 'key id'
    ? `its authority key id ${s.authorityKeyId} is not that CA's subject key id ${s.subjectKeyId}`
    : `its signature does not verify with that CA's key`;
}
