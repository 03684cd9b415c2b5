/**
 * The parts of a certificate or a CSR, written with node-forge's ASN.1 module (its DER writer
 * only: node-forge's pki cannot hold EC keys) and signed with node:crypto, so that RSA and ECDSA
 * (P-256) keys and CAs issue the same way. Only node-forge/lib/asn1 loads, not node-forge: it
 * keeps the issuing processes' start-up small.
 */
import { createHash, createPublicKey, sign, KeyObject } from 'node:crypto';
import type * as Forge from 'node-forge';
import { UserError } from '../errors';
import { readTlv } from './asn1';

export type Asn1 = Forge.asn1.Asn1;
export type Asn1Module = typeof Forge.asn1;
type UtilModule = typeof Forge.util;

/** node-forge's ASN.1 writer, loaded on first use. */
export async function loadDer(): Promise<Der> {
  const [a, u] = await Promise.all([import('node-forge/lib/asn1'), import('node-forge/lib/util')]);
  const unwrap = <T>(m: T): T => (m as unknown as { default?: T }).default ?? m;
  return new Der(unwrap(a) as Asn1Module, unwrap(u) as UtilModule);
}

export const OIDS = {
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  keyUsage: '2.5.29.15',
  basicConstraints: '2.5.29.19',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  sha256WithRSAEncryption: '1.2.840.113549.1.1.11',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  extensionRequest: '1.2.840.113549.1.9.14',
} as const;

/** A tiny façade over node-forge's constructors, so that the builders below read as the ASN.1 they write. */
export class Der {
  constructor(
    readonly a: Asn1Module,
    private readonly util: UtilModule,
  ) {}
  /** IP address bytes (4 or 16) for an IP SAN. */
  ip(address: string): string {
    const b = (this.util as unknown as { bytesFromIP(ip: string): string | null }).bytesFromIP(address);
    if (!b) throw new UserError(`${JSON.stringify(address)} cannot go into an IP SAN: give an IPv4 or IPv6 address.`);
    return b;
  }
  seq(items: Asn1[]): Asn1 {
    return this.a.create(this.a.Class.UNIVERSAL, this.a.Type.SEQUENCE, true, items);
  }
  set(items: Asn1[]): Asn1 {
    return this.a.create(this.a.Class.UNIVERSAL, this.a.Type.SET, true, items);
  }
  oid(oid: string): Asn1 {
    return this.a.create(this.a.Class.UNIVERSAL, this.a.Type.OID, false, this.a.oidToDer(oid).getBytes());
  }
  int(n: number): Asn1 {
    return this.a.create(this.a.Class.UNIVERSAL, this.a.Type.INTEGER, false, this.a.integerToDer(n).getBytes());
  }
  /** A positive INTEGER from minimal hex (randomSerialHex). */
  intHex(hex: string): Asn1 {
    return this.a.create(this.a.Class.UNIVERSAL, this.a.Type.INTEGER, false, Buffer.from(hex, 'hex').toString('binary'));
  }
  bool(v: boolean): Asn1 {
    return this.a.create(this.a.Class.UNIVERSAL, this.a.Type.BOOLEAN, false, String.fromCharCode(v ? 0xff : 0));
  }
  octets(b: Buffer): Asn1 {
    return this.a.create(this.a.Class.UNIVERSAL, this.a.Type.OCTETSTRING, false, b.toString('binary'));
  }
  /** A BIT STRING whose first byte is the count of unused bits. */
  bits(unused: number, b: Buffer): Asn1 {
    return this.a.create(this.a.Class.UNIVERSAL, this.a.Type.BITSTRING, false, String.fromCharCode(unused) + b.toString('binary'));
  }
  null(): Asn1 {
    return this.a.create(this.a.Class.UNIVERSAL, this.a.Type.NULL, false, '');
  }
  ctx(tag: number, constructed: boolean, value: string | Asn1[]): Asn1 {
    return this.a.create(this.a.Class.CONTEXT_SPECIFIC, tag, constructed, value);
  }
  /** Go's pkix marshalling: PrintableString when every character allows it, else UTF8String. */
  str(value: string): Asn1 {
    const printable = /^[A-Za-z0-9 '()+,\-./:=?]*$/.test(value);
    const bytes = printable ? value : Buffer.from(value, 'utf8').toString('binary');
    return this.a.create(this.a.Class.UNIVERSAL, printable ? this.a.Type.PRINTABLESTRING : this.a.Type.UTF8, false, bytes);
  }
  /** UTCTime until 2049, GeneralizedTime from 2050 (RFC 5280 4.1.2.5). */
  time(d: Date): Asn1 {
    return d.getUTCFullYear() < 2050 && d.getUTCFullYear() >= 1950
      ? this.a.create(this.a.Class.UNIVERSAL, this.a.Type.UTCTIME, false, this.a.dateToUtcTime(d))
      : this.a.create(this.a.Class.UNIVERSAL, this.a.Type.GENERALIZEDTIME, false, this.a.dateToGeneralizedTime(d));
  }
  fromDer(b: Buffer): Asn1 {
    return this.a.fromDer(b.toString('binary'));
  }
  toDer(n: Asn1): Buffer {
    return Buffer.from(this.a.toDer(n).getBytes(), 'binary');
  }
}

/** Subject O=Cockroach, CN=<cn>, as cockroach cert writes it. */
export function cockroachName(d: Der, commonName: string): Asn1 {
  return d.seq([d.set([d.seq([d.oid(OIDS.organization), d.str('Cockroach')])]), d.set([d.seq([d.oid(OIDS.commonName), d.str(commonName)])])]);
}

export function extension(d: Der, oid: string, critical: boolean, value: Asn1): Asn1 {
  return d.seq([d.oid(oid), ...(critical ? [d.bool(true)] : []), d.octets(d.toDer(value))]);
}

/** keyUsage digitalSignature + keyEncipherment (+ contentCommitment, keyCertSign for a CA), as a BIT STRING with the unused bits counted. */
export function keyUsage(d: Der, ca: boolean): Asn1 {
  // Bits from the left: digitalSignature 0x80, contentCommitment 0x40, keyEncipherment 0x20, keyCertSign 0x04.
  return ca ? d.bits(2, Buffer.from([0xe4])) : d.bits(5, Buffer.from([0xa0]));
}

export function extKeyUsage(d: Der, usages: ('serverAuth' | 'clientAuth')[]): Asn1 {
  return d.seq(usages.map((u) => d.oid(OIDS[u])));
}

/** subjectAltName: DNS names first, then IP addresses, as create-node takes them. */
export function subjectAltName(d: Der, dns: string[], ip: string[]): Asn1 {
  return d.seq([...dns.map((n) => d.ctx(2, false, n)), ...ip.map((a) => d.ctx(7, false, d.ip(a)))]);
}

/** The DER SubjectPublicKeyInfo of a key (public or private). */
export function spkiDer(key: KeyObject): Buffer {
  return (key.type === 'private' ? createPublicKey(key) : key).export({ type: 'spki', format: 'der' });
}

/** The subject key id as Go and node-forge compute it: SHA-1 of the subjectPublicKey BIT STRING's bytes (RFC 5280 4.2.1.2, method 1). */
export function subjectKeyIdOf(spki: Buffer): Buffer {
  const outer = readTlv(spki);
  const alg = readTlv(outer.value);
  const bits = readTlv(outer.value, alg.raw.length);
  return createHash('sha1').update(bits.value.subarray(1)).digest();
}

/** Signing keys crdb-tls accepts: RSA (sha256WithRSAEncryption) and EC P-256 (ecdsa-with-SHA256). */
export function signatureAlgorithm(d: Der, key: KeyObject): Asn1 {
  if (key.asymmetricKeyType === 'rsa') return d.seq([d.oid(OIDS.sha256WithRSAEncryption), d.null()]);
  if (key.asymmetricKeyType === 'ec') return d.seq([d.oid(OIDS.ecdsaWithSha256)]);
  throw new UserError(`cannot sign with an ${String(key.asymmetricKeyType).toUpperCase()} key: use an RSA or ECDSA P-256 key.`);
}

/** SEQUENCE { tbs, algorithm, BIT STRING signature }: a certificate or a CSR. ECDSA signatures are DER (r, s), as X.509 wants. */
export function signed(d: Der, tbs: Asn1, key: KeyObject): Buffer {
  const alg = signatureAlgorithm(d, key);
  const sig = sign('sha256', d.toDer(tbs), key);
  return d.toDer(d.seq([tbs, alg, d.bits(0, sig)]));
}
