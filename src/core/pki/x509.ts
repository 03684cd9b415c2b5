/** One way to turn DER or PEM into a certificate, with the checks Go's x509.ParseCertificate makes and Node skips. */
import { X509Certificate } from 'node:crypto';

/** Why bytes are not a certificate CockroachDB would load. */
export class CertParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CertParseError';
  }
}

/**
 * A certificate, or a CertParseError. Node parses a certificate whose validity times are not
 * dates (its validFrom is then "Bad time value"); Go refuses it, and so do we, here, once.
 */
export function parseCertificate(input: Buffer | string): X509Certificate {
  let x: X509Certificate;
  try {
    x = new X509Certificate(input);
  } catch (err) {
    throw new CertParseError(`not a valid X.509 certificate (${err instanceof Error ? err.message.replace(/^error:[0-9A-F]+:/, '') : String(err)})`);
  }
  for (const [field, value] of [
    ['notBefore', x.validFrom],
    ['notAfter', x.validTo],
  ] as const) {
    if (Number.isNaN(Date.parse(value))) throw new CertParseError(`its ${field} time is not a valid date`);
  }
  return x;
}

/** The validity of a parsed certificate as dates. */
export function validity(x: X509Certificate): { notBefore: Date; notAfter: Date } {
  return { notBefore: new Date(x.validFrom), notAfter: new Date(x.validTo) };
}
