/**
 * `cert create-csr`: a key (0600) and a certificate signing request for an outside CA, shaped as
 * create-node and create-client would issue the certificate (pki/csr.ts). The key stays in the
 * certs dir; the CSR goes to the CA; `cert import` brings the certificate back.
 */
import { join } from 'node:path';
import { statSync } from 'node:fs';
import { UserError, errnoCode, errMessage } from '../errors';
import { buildCsr } from '../pki/csr';
import { KeyType, validateKeyOptions } from '../pki/keys';
import { hostsToSans, validateUserName } from '../pki/names';
import { NODE_KEY, clientKeyName } from '../cockroach/layout';
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
  overwrite?: boolean;
}

export interface CreateCsrResult {
  keyPath: string;
  csrPath: string;
  commonName: string;
  sans: { dns: string[]; ip: string[] };
  keyType: KeyType;
  /** The PEM CSR, to hand to the CA (not secret). */
  csr: string;
  files: { path: string; mode: number; what: 'key' | 'csr' }[];
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
  commitFiles(writes);
  return {
    keyPath,
    csrPath,
    commonName,
    sans,
    keyType,
    csr,
    files: [
      { path: keyPath, mode: KEY_MODE, what: 'key' },
      { path: csrPath, mode: CERT_MODE, what: 'csr' },
    ],
  };
}
