/**
 * The cluster CA download (`cloud ca-cert`): GET <server>/clusters/<id>/cert (no auth), checked to be
 * CA certificates that have not expired, written atomically (0644) to the file given or libpq's
 * default root.crt. A file holding a different CA is replaced only with `overwrite`, after a backup.
 */
import { mkdirSync, lstatSync } from 'node:fs';
import { dirname } from 'node:path';
import { UserError, errnoCode, errMessage } from '../errors';
import { readInputBytes } from '../input';
import { libpqDefaultRootcert } from '../cockroach/sslmode';
import { CERT_MODE, FileWrite, commitFiles } from '../certsdir/write';
import { cloudCaUrl } from '../cockroach/cloud';
import { ClusterRef, clusterText } from './api';
import { CaEntry, caEntry, parseApiBundle } from './bundle';
import { CloudClient } from './client';
import { CloudEnv, SERVER_ENV } from './config';

/** libpq's default CA file: ~/.postgresql/root.crt, or %APPDATA%\postgresql\root.crt on Windows. */
export function defaultCaCertPath(env: CloudEnv, platform: string, home: string): string {
  return libpqDefaultRootcert(home, platform, env.APPDATA);
}

export interface CaCertOptions {
  client: CloudClient;
  cluster: ClusterRef;
  /** Where to write: --out, else defaultCaCertPath. */
  file: string;
  overwrite?: boolean;
  dryRun?: boolean;
  now: Date;
}

export type CaCertAction = 'written' | 'unchanged' | 'replaced' | 'would-write' | 'would-replace';

export interface CaCertResult {
  cluster: ClusterRef;
  file: string;
  action: CaCertAction;
  /** The backup of the replaced file (replaced, would-replace). */
  backup?: string;
  cas: CaEntry[];
  warnings: string[];
}

/** What the file at `file` holds now: absent, the same CAs as `pem`, or something else. */
export function localCaState(file: string, fingerprints: readonly string[]): 'absent' | 'same' | 'different' {
  try {
    lstatSync(file);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return 'absent';
    throw new UserError(`could not check ${file} (${errnoCode(err) ?? errMessage(err)}): check the permissions of its folder.`, file);
  }
  const have = parseApiBundle(readInputBytes(file, { what: 'the CA certificate file' }).toString('latin1')).certs.map((c) => c.fingerprint256);
  const same = have.length === fingerprints.length && have.every((f) => fingerprints.includes(f));
  return same ? 'same' : 'different';
}

/** `<file>.<time>.bak`, or `<file>.<time>-N.bak` when that name is taken (two replacements within one second). */
function backupPath(file: string, now: Date): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  for (let n = 0; ; n++) {
    const p = `${file}.${stamp}${n ? `-${n}` : ''}.bak`;
    if (!pathExists(p)) return p;
  }
}

function pathExists(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return false;
    throw new UserError(`could not check ${p} (${errnoCode(err) ?? errMessage(err)}): check the permissions of its folder.`, p);
  }
}

/** The downloaded text's certificates, or the error: no certificate, not a CA, expired (then the server or the id is wrong). */
function checkDownloaded(text: string, o: CaCertOptions): { pem: string; cas: CaEntry[]; fingerprints: string[]; warnings: string[] } {
  const where = `the CA certificate of cluster ${clusterText(o.cluster)} from ${cloudCaUrl(o.cluster.id, o.client.server)}`;
  const { certs, pem } = parseApiBundle(text);
  if (certs.length === 0) throw new UserError(`${where} is not a PEM certificate: check the cluster id and ${SERVER_ENV}; nothing was written.`);
  const cas = certs.map((c) => caEntry(c, o.now));
  const bad = cas.find((e) => !e.isCA || e.status === 'expired');
  if (bad)
    throw new UserError(
      `${where} holds ${bad.isCA ? `a CA that expired on ${bad.notAfter}` : `a certificate that is not a CA (${bad.subject})`}: check the cluster id and ${SERVER_ENV}, or ask Cockroach Labs support; nothing was written.`,
    );
  const warnings = cas.filter((e) => e.status === 'expiring').map((e) => `the cluster CA ${e.subject} expires in ${e.daysLeft} d (${e.notAfter}).`);
  return { pem, cas, fingerprints: certs.map((c) => c.fingerprint256), warnings };
}

export async function downloadCaCert(o: CaCertOptions): Promise<CaCertResult> {
  const got = checkDownloaded(await o.client.clusterCaPem(o.cluster), o);
  const base = { cluster: o.cluster, file: o.file, cas: got.cas, warnings: got.warnings };
  const state = localCaState(o.file, got.fingerprints);
  if (state === 'same') return { ...base, action: 'unchanged' };
  if (state === 'different' && !o.overwrite)
    throw new UserError(
      `${o.file} holds a different CA than cluster ${clusterText(o.cluster)} (a self-hosted cluster's, or another cluster's?): it was not replaced; rerun with --overwrite to replace it (the old file is backed up first), or write elsewhere with --out FILE.`,
      o.file,
    );
  const backup = state === 'different' ? backupPath(o.file, o.now) : undefined;
  if (o.dryRun) return { ...base, action: backup ? 'would-replace' : 'would-write', ...(backup ? { backup } : {}) };
  try {
    mkdirSync(dirname(o.file), { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new UserError(`could not create ${dirname(o.file)} (${errnoCode(err) ?? errMessage(err)}): check its permissions, or pass --out FILE.`, o.file);
  }
  const writes: FileWrite[] = [];
  // The backup lands first (commitFiles renames in order), then the new file.
  if (backup) writes.push({ path: backup, data: readInputBytes(o.file, { what: 'the CA certificate file' }), mode: CERT_MODE });
  writes.push({ path: o.file, data: got.pem, mode: CERT_MODE });
  commitFiles(writes);
  return { ...base, action: backup ? 'replaced' : 'written', ...(backup ? { backup } : {}) };
}
