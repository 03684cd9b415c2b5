import { createPrivateKey, createPublicKey, generateKeyPair, KeyObject, X509Certificate } from 'node:crypto';
import { promisify } from 'node:util';
import { UserError, errMessage } from '../errors';

const generateKeyPairAsync = promisify(generateKeyPair);

export const DEFAULT_KEY_SIZE = 2048;

export interface GeneratedKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** PKCS#1 `RSA PRIVATE KEY` PEM, the format cockroach cert writes. */
  pkcs1Pem: string;
}

/** Generates an RSA key with Node's native crypto (OpenSSL), off the main thread. */
export async function generateRsaKey(bits: number): Promise<GeneratedKey> {
  const { privateKey, publicKey } = await generateKeyPairAsync('rsa', { modulusLength: bits, publicExponent: 0x10001 });
  return { privateKey, publicKey, pkcs1Pem: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString() };
}

export function pkcs8Der(key: KeyObject): Buffer {
  return key.export({ type: 'pkcs8', format: 'der' });
}

export function validateKeySize(value: number): number {
  if (!Number.isInteger(value) || value < 1024 || value > 16384) {
    throw new UserError(`--key-size ${value} is not supported: use a number of bits from 1024 to 16384 (default ${DEFAULT_KEY_SIZE}).`);
  }
  return value;
}

/** Parses a PEM private key (PKCS#1, PKCS#8 or SEC1), or a DER PKCS#8 key (.pk8), naming the file in the error. */
export function parsePrivateKey(pem: Buffer | string, file: string, format: 'pem' | 'der' = 'pem'): KeyObject {
  if (format === 'der') {
    const der = Buffer.isBuffer(pem) ? pem : Buffer.from(pem, 'latin1');
    for (const type of ['pkcs8', 'pkcs1', 'sec1'] as const) {
      try {
        return createPrivateKey({ key: der, format: 'der', type });
      } catch {
        // try the next encoding
      }
    }
    throw new UserError(`${file} is not a DER private key (PKCS#8, PKCS#1 or SEC1): pass the key file that belongs to the certificate.`, file);
  }
  const text = pem.toString();
  // The common case (cockroach writes PKCS#1): decode the PEM ourselves; OpenSSL's PEM auto-detection is 4× slower.
  const m = /^-----BEGIN RSA PRIVATE KEY-----\r?\n([A-Za-z0-9+/=\r\n]+)-----END RSA PRIVATE KEY-----\s*$/.exec(text);
  if (m) {
    try {
      return createPrivateKey({ key: Buffer.from(m[1], 'base64'), format: 'der', type: 'pkcs1' });
    } catch {
      // fall through to the general parser for its error message
    }
  }
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) {
    throw new UserError(`${file} is not a PEM private key (no "BEGIN ... PRIVATE KEY" block): pass the key file that belongs to the certificate.`, file);
  }
  if (/ENCRYPTED/.test(text)) {
    throw new UserError(`${file} is an encrypted private key: CockroachDB reads unencrypted keys only; decrypt it with "openssl pkey -in ${file} -out <new file>".`, file);
  }
  try {
    return createPrivateKey(text);
  } catch (err) {
    throw new UserError(`${file} holds a private key that cannot be parsed (${errMessage(err)}): restore the original key file.`, file);
  }
}

function spki(key: KeyObject): Buffer {
  return (key.type === 'private' ? createPublicKey(key) : key).export({ type: 'spki', format: 'der' });
}

/** Whether the private key belongs to the certificate (same public key). RSA: compare n and e (JWK export is cheap). */
export function keyMatchesCert(key: KeyObject, cert: X509Certificate): boolean {
  const pub = cert.publicKey;
  if (key.asymmetricKeyType === 'rsa' && pub.asymmetricKeyType === 'rsa') {
    const a = key.export({ format: 'jwk' });
    const b = pub.export({ format: 'jwk' });
    return a.n === b.n && a.e === b.e;
  }
  return spki(key).equals(spki(pub));
}

export function describeKey(key: KeyObject): string {
  const d = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType === 'rsa') return `RSA ${d?.modulusLength ?? '?'} bits`;
  if (key.asymmetricKeyType === 'ec') return `EC ${d?.namedCurve ?? ''}`.trim();
  return String(key.asymmetricKeyType ?? key.type);
}
