/**
 * Prisma's PKCS#12 identity, reused: the file the kit wrote before is kept when it opens with the
 * password stored next to the program (the sslpassword of DATABASE_URL in --out's .env) and holds the
 * client certificate and its key (pki/keys.ts p12Holds); else it is made anew, and the old file is
 * backed up first.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readInputBytes } from '../../input';

/** The .env the kit writes beside a Prisma program (it holds DATABASE_URL with the PKCS#12 password). */
export const PRISMA_ENV = '.env';

/** The sslpassword that `dir`/.env gives for the identity at `p12`, if it names that file. */
export function storedP12Password(dir: string | undefined, p12: string): string | undefined {
  if (!dir || !existsSync(join(dir, PRISMA_ENV))) return undefined;
  const env = join(dir, PRISMA_ENV);
  // Read as every input is (a regular file, capped): a pipe or device there is refused, never read.
  const line = /^DATABASE_URL="([^"]+)"/m.exec(readInputBytes(env, { what: "Prisma's .env" }).toString('utf8'));
  if (!line) return undefined;
  try {
    const q = new URL(line[1]).searchParams;
    return q.get('sslidentity') === p12 ? (q.get('sslpassword') ?? undefined) : undefined;
  } catch {
    return undefined;
  }
}
