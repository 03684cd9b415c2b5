import { certInfo } from '../../pki/certinfo';
import { X509Certificate } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { UserError, errnoCode, errMessage } from '../../errors';
import { issuedBy } from '../../pki/chain';
import { splitPem } from '../../pki/pem';
import { readInputBytes } from '../../input';
import { parseCertificate } from '../../pki/x509';

/** Every certificate block of a PEM file that parses. */
export function readCerts(path: string): X509Certificate[] {
  // A regular file within the certificate cap, or an InputFileError naming it (a FIFO is never opened).
  const text = readInputBytes(path).toString('latin1');
  const out: X509Certificate[] = [];
  for (const b of splitPem(text)) {
    if (b.type !== 'CERTIFICATE') continue;
    try {
      out.push(parseCertificate(b.der));
    } catch {
      // unparseable block: not a dependency of anything
    }
  }
  return out;
}

export interface CaDependent {
  path: string;
  subject: string;
  serial: string;
  /** Serials of the bundle certificates that signed it (all old ones). */
  issuers: string[];
}

export function cnOf(c: X509Certificate): string {
  const f = certInfo(c);
  return f.commonName ?? f.subjectLine;
}

/**
 * The leaf certificates (the first certificate of every `.crt`/`.pem` file that is not a CA) in
 * `dirs` that chain only to the old CAs of the bundle (`bundle[1..]`), not to the one kept (`bundle[0]`).
 */
export function oldCaDependents(bundle: X509Certificate[], dirs: string[]): CaDependent[] {
  const [kept, ...old] = bundle;
  const out: CaDependent[] = [];
  for (const dir of dirs) {
    let names: string[];
    try {
      names = readdirSync(dir, { withFileTypes: true })
        .filter((d) => d.isFile() && /\.(crt|pem)$/.test(d.name))
        .map((d) => d.name)
        .sort();
    } catch (err) {
      throw new UserError(`could not read ${dir} (${errnoCode(err) ?? errMessage(err)}): --also-check must name a folder of client certificates.`, dir);
    }
    for (const name of names) {
      const path = join(dir, name);
      const leaf = readCerts(path)[0];
      if (!leaf || certInfo(leaf).isCA) continue;
      const by = old.filter((ca) => issuedBy(leaf, ca));
      if (by.length > 0 && !issuedBy(leaf, kept)) {
        out.push({ path, subject: cnOf(leaf), serial: certInfo(leaf).serial, issuers: by.map((c) => certInfo(c).serial) });
      }
    }
  }
  return out;
}
