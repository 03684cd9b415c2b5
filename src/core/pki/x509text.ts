/** Certificate fields as `openssl x509 -text` prints them: extension values, serial numbers, signature algorithm names. */
import { DerError, TAG, Tlv, childrenOf, colonHex, decodeOid, expectTag, integerValue, readDer } from './asn1';
import {
  Extension,
  GeneralName,
  OID,
  decodeAuthorityKeyId,
  decodeBasicConstraints,
  decodeExtKeyUsage,
  decodeGeneralName,
  decodeGeneralNames,
  decodeKeyUsage,
  decodeSubjectKeyId,
  readCertificate,
} from './x509der';

const SIGNATURE_NAMES: Record<string, string> = {
  '1.2.840.113549.1.1.4': 'md5WithRSAEncryption',
  '1.2.840.113549.1.1.5': 'sha1WithRSAEncryption',
  '1.2.840.113549.1.1.10': 'rsassaPss',
  '1.2.840.113549.1.1.11': 'sha256WithRSAEncryption',
  '1.2.840.113549.1.1.12': 'sha384WithRSAEncryption',
  '1.2.840.113549.1.1.13': 'sha512WithRSAEncryption',
  '1.2.840.113549.1.1.14': 'sha224WithRSAEncryption',
  '1.2.840.10045.4.1': 'ecdsa-with-SHA1',
  '1.2.840.10045.4.3.1': 'ecdsa-with-SHA224',
  '1.2.840.10045.4.3.2': 'ecdsa-with-SHA256',
  '1.2.840.10045.4.3.3': 'ecdsa-with-SHA384',
  '1.2.840.10045.4.3.4': 'ecdsa-with-SHA512',
  '1.3.101.112': 'ED25519',
  '1.3.101.113': 'ED448',
  '1.2.840.10040.4.3': 'dsa_with_SHA1',
  '2.16.840.1.101.3.4.3.1': 'dsa_with_SHA224',
  '2.16.840.1.101.3.4.3.2': 'dsa_with_SHA256',
};

/** openssl's name for a signature algorithm OID, else the OID. */
export function signatureAlgorithmName(oidOrCertDer: string | Buffer): string {
  const oid = typeof oidOrCertDer === 'string' ? oidOrCertDer : readCertificate(oidOrCertDer).signatureAlgorithmOid;
  return SIGNATURE_NAMES[oid] ?? oid;
}

function generalNameText(g: GeneralName): string {
  return `${g.type}:${g.value}`;
}

function decodeCrlDistributionPoints(value: Buffer): string[] {
  const lines: string[] = [];
  for (const dp of childrenOf(expectTag(readDer(value), TAG.SEQUENCE, 'CRLDistributionPoints'))) {
    for (const f of childrenOf(expectTag(dp, TAG.SEQUENCE, 'DistributionPoint'))) {
      if (f.cls !== 'context' || f.tag !== 0) continue;
      const [name] = childrenOf(f);
      if (name?.cls === 'context' && name.tag === 0) {
        lines.push('Full Name:', ...childrenOf(name).map((g) => '  ' + generalNameText(decodeGeneralName(g))));
      }
    }
  }
  return lines;
}

function decodeAuthorityInfoAccess(value: Buffer): string[] {
  const methods: Record<string, string> = { '1.3.6.1.5.5.7.48.1': 'OCSP', '1.3.6.1.5.5.7.48.2': 'CA Issuers' };
  return childrenOf(expectTag(readDer(value), TAG.SEQUENCE, 'AuthorityInfoAccess')).map((ad) => {
    const [m, loc] = childrenOf(expectTag(ad, TAG.SEQUENCE, 'AccessDescription'));
    const oid = decodeOid(expectTag(m, TAG.OID, 'accessMethod').value);
    if (!loc) throw new DerError('bad DER: accessLocation is missing');
    return `${methods[oid] ?? oid} - ${generalNameText(decodeGeneralName(loc))}`;
  });
}

function decodeCertificatePolicies(value: Buffer): string[] {
  return childrenOf(expectTag(readDer(value), TAG.SEQUENCE, 'CertificatePolicies')).map((p) => {
    const [oid] = childrenOf(expectTag(p, TAG.SEQUENCE, 'PolicyInformation'));
    const o = decodeOid(expectTag(oid, TAG.OID, 'policyIdentifier').value);
    return `Policy: ${o === '2.5.29.32.0' ? 'X509v3 Any Policy' : o}`;
  });
}

/** The value lines `openssl x509 -text` prints under an extension's name. Throws DerError when malformed. */
export function extensionText(ext: Extension): string[] {
  switch (ext.oid) {
    case OID.keyUsage:
      return [
        decodeKeyUsage(ext.value)
          .map((b) => b.name)
          .join(', '),
      ];
    case OID.extKeyUsage:
      return [
        decodeExtKeyUsage(ext.value)
          .map((e) => e.name)
          .join(', '),
      ];
    case OID.basicConstraints: {
      const bc = decodeBasicConstraints(ext.value);
      return [`CA:${bc.ca ? 'TRUE' : 'FALSE'}${bc.pathLen !== undefined ? `, pathlen:${bc.pathLen}` : ''}`];
    }
    case OID.subjectKeyIdentifier:
      return [decodeSubjectKeyId(ext.value)];
    case OID.authorityKeyIdentifier: {
      const a = decodeAuthorityKeyId(ext.value);
      // openssl labels the key id only when issuer or serial follow it.
      if (a.keyId && !a.issuer && !a.serial) return [a.keyId];
      return [...(a.keyId ? [`keyid:${a.keyId}`] : []), ...(a.issuer ?? []).map(generalNameText), ...(a.serial ? [`serial:${a.serial}`] : [])];
    }
    case OID.subjectAltName:
    case OID.issuerAltName:
      return [decodeGeneralNames(ext.value).map(generalNameText).join(', ')];
    case OID.crlDistributionPoints:
      return decodeCrlDistributionPoints(ext.value);
    case OID.authorityInfoAccess:
      return decodeAuthorityInfoAccess(ext.value);
    case OID.certificatePolicies:
      return decodeCertificatePolicies(ext.value);
    default:
      return [`<not decoded: ${ext.value.length} bytes> ${colonHex(ext.value.subarray(0, 32), false)}${ext.value.length > 32 ? ':…' : ''}`];
  }
}

/** Serial Number as openssl prints it: "4660 (0x1234)" when it fits in 63 bits, else lowercase colon hex. */
export function serialText(serial: Tlv): string {
  const n = integerValue(serial);
  const neg = n < 0n ? '-' : '';
  const mag = n < 0n ? -n : n;
  if (mag < 1n << 63n && n !== -1n) return `${neg}${mag} (${neg}0x${mag.toString(16)})`;
  return `${neg ? '(Negative)' : ''}${colonHex(magnitudeBytes(mag), false)}`;
}

/** The serial's magnitude as lowercase colon hex ("-" first when negative). */
export function serialColonHex(serial: Tlv): string {
  const n = integerValue(serial);
  return (n < 0n ? '-' : '') + colonHex(magnitudeBytes(n < 0n ? -n : n), false);
}

/** The serial as `openssl x509 -serial` prints it: uppercase hex of the magnitude, "-" when negative. */
export function serialHex(serial: Tlv): string {
  const n = integerValue(serial);
  const mag = n < 0n ? -n : n;
  return (n < 0n ? '-' : '') + magnitudeBytes(mag).toString('hex').toUpperCase();
}

function magnitudeBytes(mag: bigint): Buffer {
  let hex = mag.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  return Buffer.from(hex, 'hex');
}
