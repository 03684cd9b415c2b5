/**
 * The extension facts of a certificate (SANs, key usage, extended key usage, key ids), read once
 * per X509Certificate by the strict DER reader: inspect, lint, the changefeed builder, the
 * diagnosis and issuing all take them from here.
 */
import { X509Certificate } from 'node:crypto';
import {
  Extension,
  OID,
  decodeAuthorityKeyId,
  decodeExtKeyUsageIds,
  decodeKeyUsage,
  decodeSubjectAltName,
  decodeSubjectKeyId,
  readExtensions,
} from './x509der';

export interface Sans {
  dns: string[];
  ip: string[];
  uri: string[];
  email: string[];
}

export interface CertExtFacts {
  /** IP addresses as people write them (::1). */
  sans: Sans;
  /** RFC 5280 ids (digitalSignature, keyCertSign, …). */
  keyUsage: string[];
  /** Short ids (serverAuth, clientAuth, …), else the OID; [] without the extension. */
  extKeyUsage: string[];
  /** Colon hex, as openssl prints it. */
  subjectKeyId?: string;
  authorityKeyId?: string;
}

const CACHE = new WeakMap<X509Certificate, CertExtFacts>();

/** One extension's decoded value, or `fallback` when it is absent or malformed. */
function decoded<T>(exts: Extension[], oid: string, decode: (value: Buffer) => T, fallback: T): T {
  const ext = exts.find((e) => e.oid === oid);
  if (!ext) return fallback;
  try {
    return decode(ext.value);
  } catch {
    return fallback;
  }
}

function sansOf(value: Buffer): Sans {
  const sans: Sans = { dns: [], ip: [], uri: [], email: [] };
  for (const g of decodeSubjectAltName(value)) {
    if (g.type === 'DNS') sans.dns.push(g.value);
    else if (g.type === 'IP Address') sans.ip.push(g.compact ?? g.value);
    else if (g.type === 'URI') sans.uri.push(g.value);
    else if (g.type === 'email') sans.email.push(g.value);
  }
  return sans;
}

/** The facts of `cert`, computed on first use and cached for the object's life. Malformed parts read as absent. */
export function certFacts(cert: X509Certificate): CertExtFacts {
  let f = CACHE.get(cert);
  if (f) return f;
  let exts: Extension[] = [];
  try {
    exts = readExtensions(cert.raw);
  } catch {
    // Node parsed it; our stricter reader did not: report no extension facts.
  }
  f = {
    sans: decoded(exts, OID.subjectAltName, sansOf, { dns: [], ip: [], uri: [], email: [] }),
    keyUsage: decoded(exts, OID.keyUsage, (v) => decodeKeyUsage(v).map((b) => b.id), []),
    extKeyUsage: decoded(exts, OID.extKeyUsage, decodeExtKeyUsageIds, []),
  };
  const ski = decoded<string | undefined>(exts, OID.subjectKeyIdentifier, decodeSubjectKeyId, undefined);
  if (ski) f.subjectKeyId = ski;
  const aki = decoded<string | undefined>(exts, OID.authorityKeyIdentifier, (v) => decodeAuthorityKeyId(v).keyId, undefined);
  if (aki) f.authorityKeyId = aki;
  CACHE.set(cert, f);
  return f;
}
