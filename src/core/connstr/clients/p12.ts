/**
 * Prisma's PKCS#12 identity, reused: the file the kit wrote before is kept when it opens with the
 * password stored next to the program (the sslpassword of DATABASE_URL in --out's .env) and holds the
 * client certificate and its key; else it is made anew, and the old file is backed up first.
 * node-forge is loaded on first use.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { keyMatchesCert } from '../../pki/keys';

/** The .env the kit writes beside a Prisma program (it holds DATABASE_URL with the PKCS#12 password). */
export const PRISMA_ENV = '.env';

/** The sslpassword that `dir`/.env gives for the identity at `p12`, if it names that file. */
export function storedP12Password(dir: string | undefined, p12: string): string | undefined {
  if (!dir || !existsSync(join(dir, PRISMA_ENV))) return undefined;
  const line = /^DATABASE_URL="([^"]+)"/m.exec(readFileSync(join(dir, PRISMA_ENV), 'utf8'));
  if (!line) return undefined;
  try {
    const q = new URL(line[1]).searchParams;
    return q.get('sslidentity') === p12 ? (q.get('sslpassword') ?? undefined) : undefined;
  } catch {
    return undefined;
  }
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
