/**
 * `cert create-csr`: a key (0600) and a certificate signing request for an outside CA, shaped as
 * create-node and create-client would issue the certificate (pki/csr.ts). The key stays in the
 * certs dir; the CSR goes to the CA; `cert import` brings the certificate back. Replacing a key
 * and CSR (--overwrite, the editor after asking) backs them up first under the certs dir's lock, so
 * `cert backups` lists it and `cert rollback` puts the old key back.
 */
import { join, resolve } from 'node:path';
import { existsSync, statSync } from 'node:fs';
import { UserError, errnoCode, errMessage } from '../errors';
import { buildCsr } from '../pki/csr';
import { KeyType, validateKeyOptions } from '../pki/keys';
import { hostsToSans, validateUserName } from '../pki/names';
import { NODE_KEY, clientKeyName } from '../cockroach/layout';
import { createBackup, defaultBackupRoot } from './rotate/backup';
import { RotationLock } from './rotate/lock';
import { startKeygen } from './create';
import { CERT_MODE, FileWrite, KEY_MODE, assertCanWrite, commitFiles } from './write';

export interface CreateCsrOptions {
  certsDir: string;
  kind: 'node' | 'client';
  /** Node: every host name and IP (as create-node takes them). */
  hosts?: string[];
  /** Client: the SQL user (normalised as create-client does). */
  user?: string;
  keyType?: KeyType;
  keySize?: number;
  /** Replace an existing key and CSR (backed up first). */
  overwrite?: boolean;
  /** Where the backup of replaced files goes (default <certs-dir>.backups). */
  backupDir?: string;
  now?: Date;
}

export interface CreateCsrResult {
  keyPath: string;
  csrPath: string;
  commonName: string;
  sans: { dns: string[]; ip: string[] };
  keyType: KeyType;
  /** The PEM CSR, to hand to the CA (not secret). */
  csr: string;
  files: { path: string; mode: number; what: 'key' | 'csr'; action: 'write' | 'replace' }[];
  /** The backup of the key and CSR replaced (listed by `cert backups`, restored by `cert rollback`). */
  backup?: { id: string; dir: string };
  /** The certificate beside a replaced key: it belongs to the old key until the new one is signed and imported. */
  staleCert?: string;
}

/** Writes node.key + node.csr (CN=node, SANs, serverAuth + clientAuth) or client.USER.key + client.USER.csr (CN=user, clientAuth). */
export async function createCsr(o: CreateCsrOptions): Promise<CreateCsrResult> {
  if (!o.certsDir) throw new UserError('the path to the certs directory is required: pass --certs-dir.');
  const keyType = o.keyType ?? 'rsa';
  const keySize = validateKeyOptions(keyType, o.keySize);
  const sans = o.kind === 'node' ? hostsToSans(o.hosts ?? []) : { dns: [], ip: [] };
  const commonName = o.kind === 'node' ? 'node' : validateUserName(o.user ?? '');
  const pending = startKeygen(keyType, keySize);
  try {
    if (!statSync(o.certsDir).isDirectory()) throw new UserError(`${o.certsDir} is not a directory: pass the certs directory to --certs-dir.`, o.certsDir);
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(
      errnoCode(err) === 'ENOENT'
        ? `certs directory ${o.certsDir} does not exist: create it first (mkdir -m 700 ${o.certsDir}).`
        : `could not check certs directory ${o.certsDir} (${errnoCode(err) ?? errMessage(err)}): check its permissions.`,
      o.certsDir,
    );
  }
  const keyPath = join(o.certsDir, o.kind === 'node' ? NODE_KEY : clientKeyName(commonName));
  const csrPath = keyPath.replace(/\.key$/, '.csr');
  for (const p of [keyPath, csrPath]) assertCanWrite(p, !!o.overwrite);
  const key = await pending;
  const csr = await buildCsr({ kind: o.kind, commonName, dns: sans.dns, ip: sans.ip, key: key.privateKey });
  const writes: FileWrite[] = [
    { path: keyPath, data: key.pem, mode: KEY_MODE },
    { path: csrPath, data: csr, mode: CERT_MODE },
  ];
  const lock = RotationLock.acquire(o.certsDir, 'import', []);
  let backup: CreateCsrResult['backup'];
  let replaced: Set<string>;
  try {
    // Checked again under the lock: what is replaced is what is backed up.
    replaced = new Set(writes.map((w) => w.path).filter((p) => existsSync(p)));
    if (replaced.size > 0) {
      for (const p of replaced) assertCanWrite(p, !!o.overwrite);
      // The manifest records absolute paths (rollback refuses others).
      const created = writes.map((w) => w.path).filter((p) => !replaced.has(p));
      const b = createBackup(
        o.backupDir ?? defaultBackupRoot(o.certsDir),
        resolve(o.certsDir),
        'create-csr',
        [...replaced].map((p) => resolve(p)),
        created.map((p) => resolve(p)),
        o.now,
      );
      backup = { id: b.id, dir: b.dir };
    }
    commitFiles(writes);
  } finally {
    lock.release();
  }
  const certPath = keyPath.replace(/\.key$/, '.crt');
  return {
    keyPath,
    csrPath,
    commonName,
    sans,
    keyType,
    csr,
    files: [
      { path: keyPath, mode: KEY_MODE, what: 'key', action: replaced.has(keyPath) ? 'replace' : 'write' },
      { path: csrPath, mode: CERT_MODE, what: 'csr', action: replaced.has(csrPath) ? 'replace' : 'write' },
    ],
    ...(backup ? { backup } : {}),
    ...(replaced.has(keyPath) && existsSync(certPath) ? { staleCert: certPath } : {}),
  };
}
