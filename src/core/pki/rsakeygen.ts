/**
 * RSA key generation with its two primes searched at the same time. OpenSSL's RSA keygen (what
 * generateKeyPair runs) finds p, then q, on one thread; the prime search is nearly all of the
 * time, so two concurrent crypto.generatePrime calls (OpenSSL's BN_generate_prime_ex on libuv's
 * thread pool, top two bits set) halve it on any machine with two cores. The key is then built as
 * OpenSSL builds it: e = 65537 coprime to p-1 and q-1, n of exactly `bits` bits, |p-q| and d of the
 * sizes FIPS 186-4 (B.3.1) asks, d = e^-1 mod lcm(p-1, q-1), and the CRT values; a sign/verify
 * round trip checks the result before it is used.
 */
import { KeyObject, createPrivateKey, createPublicKey, generatePrime, sign, verify } from 'node:crypto';

function primeOf(bits: number): Promise<bigint> {
  return new Promise((resolve, reject) => generatePrime(bits, { bigint: true }, (err, prime) => (err ? reject(err) : resolve(prime))));
}
const E = 65537n;

function bitLength(x: bigint): number {
  return x.toString(2).length;
}

function mod(a: bigint, m: bigint): bigint {
  const r = a % m;
  return r < 0n ? r + m : r;
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/** a^-1 mod m (extended Euclid); throws when they are not coprime. */
function modInverse(a: bigint, m: bigint): bigint {
  let [r0, r1, s0, s1] = [mod(a, m), m, 1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  if (r0 !== 1n) throw new Error('not invertible');
  return mod(s0, m);
}

function b64url(x: bigint): string {
  const hex = x.toString(16);
  return Buffer.from(hex.length % 2 ? '0' + hex : hex, 'hex').toString('base64url');
}

/** d = e^-1 mod lcm(p-1, q-1), e = 65537, as OpenSSL computes it. */
export function rsaPrivateExponent(p: bigint, q: bigint): bigint {
  return modInverse(E, ((p - 1n) * (q - 1n)) / gcd(p - 1n, q - 1n));
}

/** The RSA private key of the primes p and q (e = 65537; d and the CRT values computed), with no size checks. */
export function rsaKeyFromPrimes(p: bigint, q: bigint, d = rsaPrivateExponent(p, q)): KeyObject {
  const jwk = {
    kty: 'RSA',
    n: b64url(p * q),
    e: b64url(E),
    d: b64url(d),
    p: b64url(p),
    q: b64url(q),
    dp: b64url(d % (p - 1n)),
    dq: b64url(d % (q - 1n)),
    qi: b64url(modInverse(q, p)),
  };
  return createPrivateKey({ key: jwk, format: 'jwk' });
}

/** An RSA private key of exactly `bits` bits with e = 65537, and its public half. */
export async function generateRsaKeyPair(bits: number): Promise<{ privateKey: KeyObject; publicKey: KeyObject }> {
  const pBits = Math.ceil(bits / 2);
  const qBits = bits - pBits;
  for (let attempt = 0; attempt < 100; attempt++) {
    const [p, q] = await Promise.all([primeOf(pBits), primeOf(qBits)]);
    if ((p - 1n) % E === 0n || (q - 1n) % E === 0n) continue; // e must be coprime to p-1 and q-1 (e is prime)
    const n = p * q;
    if (bitLength(n) !== bits) continue;
    const diff = p > q ? p - q : q - p;
    if (bitLength(diff) <= bits / 2 - 100) continue; // FIPS 186-4: |p-q| > 2^(nlen/2-100)
    const d = rsaPrivateExponent(p, q);
    if (bitLength(d) <= bits / 2) continue; // FIPS 186-4: d > 2^(nlen/2)
    const privateKey = rsaKeyFromPrimes(p, q, d);
    const publicKey = createPublicKey(privateKey);
    const probe = Buffer.from('crdb-tls rsa keygen self-test');
    if (!verify('sha256', probe, publicKey, sign('sha256', probe, privateKey))) throw new Error('RSA key self-test failed');
    return { privateKey, publicKey };
  }
  throw new Error(`no RSA ${bits} key after 100 prime pairs`);
}
