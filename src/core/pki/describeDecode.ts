import { certInfo } from './certinfo';
import { X509Certificate } from 'node:crypto';
import { Usage } from '../cockroach/layout';
import { ExpiryThresholds, daysLeft, expiryStatus, statusText } from '../cockroach/expiry';
import { colonHex } from './asn1';
import { KEY_USAGE_BITS, PublicKeyInfo, decodePublicKeyInfo, extKeyUsageName, readCertificate } from './x509der';
import { formatName } from './x509name';
import { extensionText, serialColonHex, serialHex, serialText, signatureAlgorithmName } from './x509text';
import { errMessage } from '../errors';
import { issuedBy } from './chain';
import { parseCertificate } from './x509';
import { CertCheck, DecodedFields, DescribedCert, Parsed } from './describeTypes';

/** Decoding for describe.ts: the fields of one certificate, with its expiry status; no CockroachDB role checks. */

function iso(d: Date): string {
  return d.toISOString().replace('.000Z', 'Z');
}

export function publicKeySummary(k: PublicKeyInfo): string {
  if (k.algorithm === 'rsaEncryption' || k.algorithm === 'rsassaPss') return `RSA ${k.bits ?? '?'} bit`;
  if (k.algorithm === 'id-ecPublicKey') return `EC ${k.nistCurve ?? k.curve ?? ''} (${k.bits ?? '?'} bit)`.replace('  ', ' ');
  return k.bits ? `${k.algorithm} (${k.bits} bit)` : k.algorithm;
}

function safeLines(f: () => string[]): string[] {
  try {
    return f();
  } catch (err) {
    return [`<could not decode: ${errMessage(err)}>`];
  }
}

/** The fields `openssl x509 -text` shows, decoded from the DER; falls back to Node's view when the DER reader refuses it. */
export function decodeCert(p: Parsed, index: number, now: Date, usage: Usage, thresholds: ExpiryThresholds): DescribedCert {
  const x = p.x509;
  const base = {
    index,
    fingerprintSha256: x.fingerprint256,
    isCA: x.ca,
    selfSigned: issuedBy(x, x),
    checks: [] as CertCheck[],
    chain: { checked: false, text: '' },
  };
  let d: DecodedFields;
  let nb: Date;
  let na: Date;
  try {
    const s = readCertificate(p.der);
    nb = s.notBefore;
    na = s.notAfter;
    // The names and the extensions' facts come from the one model; here only what openssl's text adds.
    const info = certInfo(x);
    let pk: PublicKeyInfo;
    try {
      pk = decodePublicKeyInfo(s.spki);
    } catch {
      pk = { algorithm: String(x.publicKey.asymmetricKeyType) };
    }
    d = {
      version: s.version,
      serial: serialColonHex(s.serial),
      serialText: serialText(s.serial),
      serialHex: serialHex(s.serial),
      signatureAlgorithm: signatureAlgorithmName(s.signatureAlgorithmOid),
      issuer: formatName(info.issuerRdns),
      subject: formatName(info.subjectRdns),
      commonName: info.commonName,
      notBefore: iso(nb),
      notAfter: iso(na),
      publicKey: { ...pk, summary: publicKeySummary(pk) },
      extensions: s.extensions.map((e) => ({ oid: e.oid, name: e.name, critical: e.critical, lines: safeLines(() => extensionText(e)) })),
      keyUsage: KEY_USAGE_BITS.filter((b) => info.keyUsage.includes(b.id)).map((b) => b.name),
      extKeyUsage: info.extKeyUsageOids.map(extKeyUsageName),
      extKeyUsageOids: [...info.extKeyUsageOids],
      basicConstraints: info.basicConstraints,
      subjectKeyId: info.subjectKeyId,
      authorityKeyId: info.authorityKeyId,
      sans: [...info.altNames],
    };
  } catch (err) {
    nb = new Date(x.validFrom);
    na = new Date(x.validTo);
    if (Number.isNaN(nb.getTime()) || Number.isNaN(na.getTime())) throw new Error(`certificate ${index + 1} cannot be decoded: ${errMessage(err)}`);
    d = nodeView(
      x,
      `some fields could not be decoded (${errMessage(err)}); the values shown come from Node's X.509 parser. Reissue the certificate if CockroachDB rejects it.`,
    );
  }
  const certUsage: Usage = usage === 'Unknown' && x.ca ? 'CA' : usage;
  const status = expiryStatus(certUsage, nb, na, now, thresholds);
  const left = daysLeft(na, now);
  const span = na.getTime() - nb.getTime();
  const used = span > 0 ? Math.min(100, Math.max(0, ((now.getTime() - nb.getTime()) / span) * 100)) : 100;
  return { ...base, ...d, status, daysLeft: left, statusText: statusText(status, left), lifetimeUsedPercent: Math.round(used * 10) / 10 };
}

/** What Node's X509Certificate tells, for a certificate our strict DER reader refuses. */
function nodeView(x: X509Certificate, problem: string): DecodedFields {
  const serial = colonHex(Buffer.from(x.serialNumber.length % 2 ? '0' + x.serialNumber : x.serialNumber, 'hex'), false);
  const d = x.publicKey.asymmetricKeyDetails;
  const bits = d?.modulusLength;
  return {
    version: 3,
    serial,
    serialText: serial,
    serialHex: x.serialNumber.toUpperCase(),
    signatureAlgorithm: '?',
    issuer: formatName(certInfo(x).issuerRdns),
    subject: formatName(certInfo(x).subjectRdns),
    commonName: certInfo(x).commonName,
    notBefore: iso(certInfo(x).notBefore),
    notAfter: iso(certInfo(x).notAfter),
    publicKey: {
      algorithm: String(x.publicKey.asymmetricKeyType),
      bits,
      curve: d?.namedCurve,
      summary: `${String(x.publicKey.asymmetricKeyType).toUpperCase()}${bits ? ` ${bits} bit` : d?.namedCurve ? ` ${d.namedCurve}` : ''}`,
    },
    extensions: [],
    keyUsage: [],
    extKeyUsage: [],
    extKeyUsageOids: [],
    sans: [],
    problem,
  };
}

/** A file that is one DER (binary) certificate, as `openssl x509 -inform der` reads it. */
export function tryDer(content: Buffer): Parsed | undefined {
  if (content.length === 0 || content[0] !== 0x30) return undefined;
  try {
    const x = parseCertificate(content);
    return { der: x.raw, x509: x };
  } catch {
    return undefined;
  }
}
