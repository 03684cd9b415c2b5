/**
 * Proof that a manifest or journal which touches files outside the certs dir (the CA key and its
 * moved-aside names) was written by a run that held that CA key: signatures, by the key at the CA
 * key path before and after the operation, over the whole manifest or journal. Whoever only
 * controls the certs dir and its backups (a cloned repository) cannot make one, so such a file is
 * obeyed only when the key now at that path verifies one of its signatures (or when the user names
 * the CA key: --ca-key).
 */
import { KeyObject, createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { readFileOrThrow } from './files';
import { notRegular } from './confine';

function privateKey(pem: Buffer | string): KeyObject | undefined {
  try {
    return createPrivateKey(pem);
  } catch {
    return undefined;
  }
}

const algorithm = (k: KeyObject) => (k.asymmetricKeyType === 'ed25519' || k.asymmetricKeyType === 'ed448' ? null : 'sha256');

/** Signatures of `data` by each of `keys` that is a private key (the others are skipped). */
export function proofsBy(data: string, keys: (Buffer | string)[]): string[] {
  const out: string[] = [];
  for (const pem of keys) {
    const k = privateKey(pem);
    if (!k) continue;
    const sig = sign(algorithm(k), Buffer.from(data), k).toString('base64');
    if (!out.includes(sig)) out.push(sig);
  }
  return out;
}

/** The private key in the regular file `path`, or undefined (missing, a link, not a key). */
export function readPrivateKey(path: string): KeyObject | undefined {
  try {
    if (notRegular(path)) return undefined;
    return privateKey(readFileOrThrow(path));
  } catch {
    return undefined;
  }
}

/** One of `proofs` is a signature of `data` by the private key now in `keyPath`. */
export function provenBy(data: string, proofs: string[] | undefined, keyPath: string): boolean {
  if (!proofs?.length) return false;
  const k = readPrivateKey(keyPath);
  if (!k) return false;
  const pub = createPublicKey(k);
  return proofs.some((p) => {
    try {
      return verify(algorithm(k), Buffer.from(data), pub, Buffer.from(p, 'base64'));
    } catch {
      return false;
    }
  });
}

/** The bytes are a private key (what a CA key restored by a rollback must be). */
export function isPrivateKey(pem: Buffer): boolean {
  return privateKey(pem) !== undefined;
}
