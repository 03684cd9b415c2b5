/**
 * What a rollback may do with a backup whose manifest passed its schema (manifest.ts): every file
 * it restores or removes is directly in the certs dir, or is the CA key of a rotate-ca and the
 * names that key was moved aside to. Outside the certs dir it acts only when
 *  - the user names that CA key (--ca-key; in the editor, the cluster's CA key setting), or
 *  - the manifest records that CA key and is signed by the key now at that path (proof.ts),
 * so a crafted backup (a cloned repository carries the certs dir and its backups) can neither
 * overwrite nor delete anything outside the certs dir. A CA key restored must be a private key
 * that signs the first certificate of ca.crt after the rollback; an old key, a private key.
 * Targets must be regular files (or absent), never links. Copies: see readBackupFiles.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { basename, join } from 'node:path';
import { UserError } from '../../errors';
import { splitPem } from '../../pki/pem';
import { CA_CERT } from '../../cockroach/layout';
import { readBackupFiles } from './backup';
import { inCertsDir, isOldKeyPathOf, notRegular } from './confine';
import { readFileOrThrow } from './files';
import { manifestProofData } from './manifest';
import { isPrivateKey, provenBy } from './proof';
import { BackupInfo } from './types';
import { parseCertificate } from '../../pki/x509';

export interface Restorable {
  /** The CA key the rollback may touch outside the certs dir (undefined: it touches nothing there). */
  caKey?: string;
  /** The checked bytes of each copy, by original path. */
  data: Map<string, Buffer>;
}

const list = (paths: string[]) => (paths.length > 3 ? `${paths.slice(0, 3).join(', ')} and ${paths.length - 3} more` : paths.join(', '));

/** The CA key that lets `b` touch `outside`, or a UserError. */
function authorize(b: BackupInfo, certsDir: string, outside: string[], given: string | undefined): string {
  const refuse = (why: string) => new UserError(`backup ${b.id} in ${b.dir} ${why}; nothing was changed.`, b.dir);
  let caKey: string;
  if (given) {
    if (b.caKey && b.caKey !== given)
      throw refuse(`was made for the CA key ${b.caKey}, not ${given}: check which is your CA key and pass that one with --ca-key`);
    caKey = given;
  } else if (b.caKey && provenBy(manifestProofData(b), b.proof, b.caKey)) {
    caKey = b.caKey;
  } else {
    throw refuse(
      `restores or removes ${list(outside)}, outside the certs dir ${certsDir}, and nothing shows it was made with the CA key there: ` +
        `if ${b.caKey ?? outside[0]} is your CA key, pass it with --ca-key to roll back`,
    );
  }
  const created = new Set(b.created);
  for (const p of outside) {
    if (isOldKeyPathOf(p, caKey) || (p === caKey && !created.has(p))) continue;
    throw refuse(
      `names ${p}: outside the certs dir ${certsDir} a rollback touches only the CA key ${caKey} and the names rotate-ca moves it to (${basename(caKey)} → *.old*); use another backup`,
    );
  }
  return caKey;
}

/**
 * The key restored to `caKey` signs the first certificate of ca.crt as it is after the rollback:
 * `caCrt` gives those bytes (the backup's copy, else the current file; rollback.ts: the combined
 * result of several backups).
 */
export function checkCaKey(b: Pick<BackupInfo, 'id' | 'dir'>, certsDir: string, caKey: string, key: Buffer, caCrt: () => Buffer): void {
  const caPath = join(certsDir, CA_CERT);
  let first: X509Certificate | undefined;
  try {
    const pem = caCrt();
    const der = splitPem(pem.toString('latin1')).find((x) => x.type === 'CERTIFICATE')?.der;
    first = der ? parseCertificate(der) : undefined;
  } catch {
    first = undefined;
  }
  let match = false;
  try {
    match = !!first && first.checkPrivateKey(createPrivateKey(key));
  } catch {
    match = false;
  }
  if (!match) {
    throw new UserError(
      `backup ${b.id} in ${b.dir} would restore ${caKey} with a key that does not sign the first certificate of ${caPath} after the rollback: ` +
        `it is not a CA key this certs dir can use; nothing was changed. Use another backup.`,
      b.dir,
    );
  }
}

/** Checks `b` for a rollback of `certsDir` (see the module comment); `givenCaKey`: the CA key the user named. */
export function checkRestorable(b: BackupInfo, certsDir: string, givenCaKey?: string): Restorable {
  if (b.certsDir !== certsDir) throw new UserError(`backup ${b.id} in ${b.dir} is of ${b.certsDir}, not of ${certsDir}; nothing was changed.`, b.dir);
  const paths = [...b.files.map((f) => f.path), ...b.created];
  const outside = paths.filter((p) => !inCertsDir(p, certsDir));
  const caKey = outside.length ? authorize(b, certsDir, outside, givenCaKey) : undefined;
  for (const p of paths) {
    const why = notRegular(p);
    if (why) throw new UserError(`${p} is ${why}: a rollback replaces or removes only regular files; move it away (backup ${b.id}); nothing was changed.`, p);
  }
  const data = readBackupFiles(b);
  for (const f of b.files) {
    if (inCertsDir(f.path, certsDir)) continue;
    const bytes = data.get(f.path) ?? Buffer.alloc(0);
    if (f.path === caKey) checkCaKey(b, certsDir, caKey, bytes, () => data.get(join(certsDir, CA_CERT)) ?? readFileOrThrow(join(certsDir, CA_CERT)));
    else if (!isPrivateKey(bytes)) {
      throw new UserError(
        `backup ${b.id} in ${b.dir} would restore ${f.path} with something that is not a private key; nothing was changed. Use another backup.`,
        b.dir,
      );
    }
  }
  return { ...(caKey ? { caKey } : {}), data };
}
