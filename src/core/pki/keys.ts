import { createHash, createHmac, createPrivateKey, createPublicKey, generateKeyPair, KeyObject, X509Certificate, randomBytes, sign, verify } from 'node:crypto';
import { promisify } from 'node:util';
import { UserError, errMessage, quoteInput } from '../errors';
import { splitPem } from './pem';
import { generateRsaKeyPair } from './rsakeygen';

const generateKeyPairAsync = promisify(generateKeyPair);

export const DEFAULT_KEY_SIZE = 2048;

/** The key types crdb-tls generates: RSA (cockroach cert's only kind) and ECDSA on P-256. */
export type KeyType = 'rsa' | 'ecdsa';
export const KEY_TYPES: readonly KeyType[] = ['rsa', 'ecdsa'];
/** The one ECDSA curve crdb-tls generates: P-256 (OpenSSL's prime256v1), which Go, OpenSSL, Java and Node all speak. */
export const ECDSA_CURVE = 'P-256';
export const ECDSA_BITS = 256;

export interface GeneratedKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  type: KeyType;
  /**
   * The key file as CockroachDB reads it (security.PEMToPrivateKey): PKCS#1 `RSA PRIVATE KEY` for
   * RSA, as cockroach cert writes it; SEC1 `EC PRIVATE KEY` for ECDSA, as Go's
   * x509.MarshalECPrivateKey and openssl ecparam write it. libpq, node-postgres and psycopg read both.
   */
  pem: string;
}

/** Generates an RSA key with Node's native crypto (OpenSSL), off the main thread, its two primes searched at once (rsakeygen.ts). */
export async function generateRsaKey(bits: number): Promise<GeneratedKey> {
  const { privateKey, publicKey } = await generateRsaKeyPair(bits);
  return { privateKey, publicKey, type: 'rsa', pem: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString() };
}

/** Generates a key of `type`: RSA of `bits`, or ECDSA P-256 (`bits` is then ignored: validateKeyOptions has checked it). */
export async function generateKey(type: KeyType, bits: number): Promise<GeneratedKey> {
  if (type === 'rsa') return generateRsaKey(bits);
  const { privateKey, publicKey } = await generateKeyPairAsync('ec', { namedCurve: ECDSA_CURVE });
  return { privateKey, publicKey, type: 'ecdsa', pem: privateKey.export({ type: 'sec1', format: 'pem' }).toString() };
}

/** The KeyType of a key crdb-tls can generate again (rotation keeps it), or undefined for any other key. */
export function keyTypeOf(key: KeyObject): KeyType | undefined {
  if (key.asymmetricKeyType === 'rsa') return 'rsa';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ecdsa';
  return undefined;
}

/** --key-type as typed. */
export function parseKeyType(text: string, flag = '--key-type'): KeyType {
  const t = text.trim().toLowerCase();
  if (t === 'rsa' || t === 'ecdsa') return t;
  if (t === 'ec' || t === 'p-256' || t === 'p256' || t === 'prime256v1') return 'ecdsa';
  throw new UserError(`${flag} ${quoteInput(text)} is not a key type: use ${flag} rsa (the default, as cockroach cert) or ${flag} ecdsa (P-256).`);
}

/** The key size to generate: RSA checks --key-size; ECDSA is P-256, so a --key-size other than 256 is refused rather than ignored. */
export function validateKeyOptions(type: KeyType, keySize: number | undefined): number {
  if (type === 'rsa') return validateKeySize(keySize ?? DEFAULT_KEY_SIZE);
  if (keySize !== undefined && keySize !== ECDSA_BITS)
    throw new UserError(`--key-size ${keySize} does not apply to --key-type ecdsa: ECDSA keys are P-256 (256 bits); drop --key-size, or use --key-type rsa.`);
  return ECDSA_BITS;
}

export function pkcs8Der(key: KeyObject): Buffer {
  return key.export({ type: 'pkcs8', format: 'der' });
}

export const MIN_KEY_SIZE = 1024;
/**
 * RSA key generation time grows with about the fourth power of the size and varies a lot from key
 * to key: 8192 bits takes a few seconds, 16384 bits from 20 s to minutes (and every handshake with
 * such a key is slow). 4096 bits already exceeds every current guideline; 8192 is the ceiling.
 */
export const MAX_KEY_SIZE = 8192;

export function validateKeySize(value: number): number {
  if (!Number.isInteger(value) || value < MIN_KEY_SIZE || value > MAX_KEY_SIZE) {
    throw new UserError(
      `--key-size ${value} is not supported: use a number of bits from ${MIN_KEY_SIZE} to ${MAX_KEY_SIZE} (default ${DEFAULT_KEY_SIZE}; ` +
        `larger RSA keys take minutes to generate and slow every handshake, and 4096 is already beyond current guidelines).`,
    );
  }
  return value;
}

/** --key-size as typed: decimal digits, then validateKeySize. */
export function parseKeySize(text: string, flag = '--key-size'): number {
  if (!/^\d+$/.test(text.trim())) throw new UserError(`${flag} ${quoteInput(text)} is not a number of bits: use e.g. ${flag} 2048.`);
  const n = Number(text.trim());
  if (!Number.isSafeInteger(n))
    throw new UserError(
      `${flag} ${quoteInput(text)} is not supported: use a number of bits from ${MIN_KEY_SIZE} to ${MAX_KEY_SIZE} (default ${DEFAULT_KEY_SIZE}).`,
    );
  return validateKeySize(n);
}

/** A short reason for an OpenSSL decoding error, without its internal codes. */
function opensslReason(err: unknown): string {
  const m = /routines::(.+)$/.exec(errMessage(err));
  return m ? `damaged or truncated: ${m[1].replace(/_/g, ' ')}` : 'damaged or truncated';
}

/** Parses a PEM private key (PKCS#1, PKCS#8 or SEC1), or a DER PKCS#8 key (.pk8), naming the file in the error. */
export function parsePrivateKey(pem: Buffer | string, file: string, format: 'pem' | 'der' = 'pem'): KeyObject {
  if (format === 'der') {
    const der = Buffer.isBuffer(pem) ? pem : Buffer.from(pem, 'latin1');
    for (const type of ['pkcs8', 'pkcs1', 'sec1'] as const) {
      try {
        return intact(createPrivateKey({ key: der, format: 'der', type }), file);
      } catch (err) {
        if (err instanceof UserError) throw err;
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
      return intact(createPrivateKey({ key: Buffer.from(m[1], 'base64'), format: 'der', type: 'pkcs1' }), file);
    } catch (err) {
      if (err instanceof UserError) throw err;
      // fall through to the general parser for its error message
    }
  }
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) {
    throw new UserError(`${file} is not a PEM private key (no "BEGIN ... PRIVATE KEY" block): pass the key file that belongs to the certificate.`, file);
  }
  if (/ENCRYPTED/.test(text)) {
    throw new UserError(
      `${file} is an encrypted private key: CockroachDB reads unencrypted keys only; decrypt it with "openssl pkey -in ${file} -out <new file>".`,
      file,
    );
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(text);
  } catch (err) {
    // OpenSSL's own text ("error:1E08010C:DECODER routines::unsupported") means nothing to a user: say what it is.
    throw new UserError(`${file} holds a private key that cannot be parsed (${opensslReason(err)}): restore the original key file.`, file);
  }
  return intact(key, file);
}

/**
 * A key file damaged by a few bytes often still parses; an RSA key whose numbers disagree then
 * signs garbage or fails in the handshake. Checked on every parse (cheap: no signature).
 */
function intact(key: KeyObject, file: string): KeyObject {
  if (key.asymmetricKeyType === 'rsa' && !rsaNumbersAgree(key)) {
    throw new UserError(
      `${file} is a damaged RSA private key: its numbers do not belong together (n is not p·q, or the CRT values disagree); restore it from a backup, or issue a new key and certificate.`,
      file,
    );
  }
  return key;
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

/** An RSA key's numbers (JWK fields) as BigInts; undefined when a field is absent. */
function rsaNumbers(key: KeyObject): Record<'n' | 'e' | 'd' | 'p' | 'q' | 'dp' | 'dq' | 'qi', bigint | undefined> {
  const j = key.export({ format: 'jwk' }) as Record<string, string | undefined>;
  const big = (f: string) => (j[f] === undefined ? undefined : BigInt(`0x${Buffer.from(j[f] as string, 'base64url').toString('hex') || '0'}`));
  return { n: big('n'), e: big('e'), d: big('d'), p: big('p'), q: big('q'), dp: big('dp'), dq: big('dq'), qi: big('qi') };
}

/**
 * Whether an RSA private key's numbers belong together (n = p·q, d and the CRT values agree): a
 * damaged key file often still parses, and OpenSSL then signs with whichever numbers it uses,
 * silently falling back when the CRT values are wrong.
 */
function rsaNumbersAgree(key: KeyObject): boolean {
  const { n, e, d, p, q, dp, dq, qi } = rsaNumbers(key);
  if (n === undefined || e === undefined || d === undefined) return false;
  if (p === undefined || q === undefined || dp === undefined || dq === undefined || qi === undefined) return true; // no CRT values to check
  if (p < 3n || q < 3n || p * q !== n) return false;
  return d % (p - 1n) === dp && d % (q - 1n) === dq && (e * dp) % (p - 1n) === 1n && (e * dq) % (q - 1n) === 1n && (qi * q) % p === 1n;
}

/**
 * Refuses a private key that cannot be trusted to sign (a damaged file still parses when only the
 * private numbers changed): for RSA its numbers must agree, and for every key a signature over a
 * probe must verify with the key's own public half. OpenSSL errors on the way are refused the same.
 * `what` names the key in the message ("CA key ca.key").
 */
export function assertKeySigns(key: KeyObject, what: string): void {
  const probe = Buffer.from('crdb-tls key check');
  let ok = false;
  try {
    ok = (key.asymmetricKeyType !== 'rsa' || rsaNumbersAgree(key)) && verify('sha256', probe, createPublicKey(key), sign('sha256', probe, key));
  } catch {
    ok = false;
  }
  if (!ok) {
    throw new UserError(
      `${what} is a damaged private key: its numbers do not belong together, so it cannot be trusted to sign; restore the key from a backup, or create a new CA with a new --ca-key path.`,
    );
  }
}

/**
 * A PKCS#12 file (DER) holding the key and its certificate chain, encrypted with `password`:
 * what Prisma reads as `sslidentity` and Java as a keystore (pgjdbc: sslkey=*.p12). 3DES and a
 * SHA-1 MAC: what Java's, OpenSSL 3's default provider and native-tls all read. The key goes in as
 * the PKCS#8 that node:crypto exports, so RSA and EC keys take the same path (node-forge's pki
 * reads RSA only; its ASN.1 writer, PBE and PKCS#12 MAC key derivation are used). The layout is
 * what forge.pkcs12.toPkcs12Asn1 writes: a plain certificate SafeContents, a shrouded key bag,
 * the localKeyId (SHA-1 of the first certificate) and friendlyName on the key and that certificate.
 * node-forge is loaded on first use.
 */
export async function pkcs12Der(key: KeyObject, certsPem: string, password: string, friendlyName: string): Promise<Buffer> {
  const certs = splitPem(certsPem)
    .filter((b) => b.type === 'CERTIFICATE')
    .map((b) => b.der);
  if (certs.length === 0) throw new UserError(`no certificate to put into the PKCS#12 file for ${friendlyName}: pass the client certificate.`);
  const mod = await import('node-forge');
  const forge = ((mod as unknown as { default?: typeof mod }).default ?? mod) as typeof mod;
  const { asn1, pki } = forge;
  type Node = ReturnType<typeof asn1.create>;
  const U = asn1.Class.UNIVERSAL;
  const T = asn1.Type;
  const bytes = (b: Buffer) => b.toString('binary');
  const seq = (v: Node[]) => asn1.create(U, T.SEQUENCE, true, v);
  const set = (v: Node[]) => asn1.create(U, T.SET, true, v);
  const oid = (o: string) => asn1.create(U, T.OID, false, asn1.oidToDer(o).getBytes());
  const octets = (b: string) => asn1.create(U, T.OCTETSTRING, false, b);
  const explicit0 = (v: Node) => asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [v]);
  const data = (content: Node) => seq([oid(pki.oids.data), explicit0(octets(asn1.toDer(content).getBytes()))]);
  const attrs = set([
    seq([oid(pki.oids.localKeyId), set([octets(bytes(createHash('sha1').update(certs[0]).digest()))])]),
    seq([oid(pki.oids.friendlyName), set([asn1.create(U, T.BMPSTRING, false, friendlyName)])]),
  ]);
  const certBags = certs.map((der, i) =>
    seq([oid(pki.oids.certBag), explicit0(seq([oid(pki.oids.x509Certificate), explicit0(octets(bytes(der)))])), ...(i === 0 ? [attrs] : [])]),
  );
  const keyInfo = asn1.fromDer(bytes(pkcs8Der(key)));
  const shrouded = pki.encryptPrivateKeyInfo(keyInfo, password, { algorithm: '3des', count: 2048, saltSize: 8 });
  const keyBag = seq([oid(pki.oids.pkcs8ShroudedKeyBag), explicit0(shrouded), attrs]);
  const safe = seq([data(seq(certBags)), data(seq([keyBag]))]);
  const safeDer = asn1.toDer(safe).getBytes();
  // MacData: HMAC-SHA-1 over the AuthenticatedSafe with a key from the PKCS#12 KDF (ID 3, 160 bits).
  const salt = randomBytes(8);
  const count = 2048;
  const macKey = Buffer.from(forge.pkcs12.generateKey(password, forge.util.createBuffer(bytes(salt)), 3, count, 20).getBytes(), 'binary');
  const mac = createHmac('sha1', macKey).update(Buffer.from(safeDer, 'binary')).digest();
  const macData = seq([
    seq([seq([oid(pki.oids.sha1), asn1.create(U, T.NULL, false, '')]), octets(bytes(mac))]),
    octets(bytes(salt)),
    asn1.create(U, T.INTEGER, false, asn1.integerToDer(count).getBytes()),
  ]);
  const pfx = seq([asn1.create(U, T.INTEGER, false, asn1.integerToDer(3).getBytes()), data(safe), macData]);
  return Buffer.from(asn1.toDer(pfx).getBytes(), 'binary');
}

/** Whether the PKCS#12 file opens with `password` (its MAC) and holds `cert` with the key that belongs to it. */
export async function p12Holds(file: Buffer, password: string, cert: X509Certificate): Promise<boolean> {
  const mod = await import('node-forge');
  const forge = ((mod as unknown as { default?: typeof mod }).default ?? mod) as typeof mod;
  try {
    const p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(file.toString('binary')), password);
    const { asn1, pki } = forge;
    const der = (node: ReturnType<typeof asn1.fromDer>) => Buffer.from(asn1.toDer(node).getBytes(), 'binary');
    // node-forge parses RSA certificates and keys only; the others come as their ASN.1.
    const certBag = p12.getBags({ bagType: pki.oids.certBag })[pki.oids.certBag]?.[0];
    const certAsn1 = certBag?.cert ? pki.certificateToAsn1(certBag.cert) : certBag?.asn1;
    if (!certAsn1 || !der(certAsn1).equals(cert.raw)) return false;
    const keyBag = p12.getBags({ bagType: pki.oids.pkcs8ShroudedKeyBag })[pki.oids.pkcs8ShroudedKeyBag]?.[0];
    const info = keyBag?.key ? pki.wrapRsaPrivateKey(pki.privateKeyToAsn1(keyBag.key)) : keyBag?.asn1;
    if (!info) return false;
    const key = createPrivateKey({ key: der(info), format: 'der', type: 'pkcs8' });
    return keyMatchesCert(key, cert);
  } catch {
    // A wrong password (the MAC), or not a PKCS#12 file.
    return false;
  }
}
