import { X509Certificate } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { FileEnv, FileRef, loadRef } from '../connstr/files';
import { octalMode } from '../cockroach/keymode';
import { keyMatchesCert } from '../pki/keys';

/** The file parameters of a connection string, as libpq names them. */
export type FileParam = 'sslrootcert' | 'sslcert' | 'sslkey';

export interface FileCheck {
  param: FileParam;
  /** As written in the string, or libpq's default (~/.postgresql/...). */
  written: string;
  path: string;
  source: 'string' | 'default';
  status: 'ok' | 'missing' | 'directory' | 'unreadable' | 'not-cert' | 'not-key';
  /** Permission bits of a key file, e.g. "0600". */
  mode?: string;
  /** What the file holds: "2 certificates (first: CN=Cockroach CA)", "RSA key (PKCS#1 PEM)". */
  what?: string;
}

export interface LoadedFile {
  check: FileCheck;
  ref: FileRef;
}

export function loadFile(param: FileParam, written: string, source: FileCheck['source'], env: FileEnv): LoadedFile {
  const ref = loadRef(written, env);
  let status: FileCheck['status'] = 'ok';
  let what: string | undefined;
  if (ref.error === 'missing') status = 'missing';
  else if (ref.error === 'directory') status = 'directory';
  else if (ref.error === 'unreadable') status = 'unreadable';
  else if (param === 'sslkey') {
    if (!ref.key) status = 'not-key';
    else what = `${String(ref.key.asymmetricKeyType).toUpperCase()} private key (${ref.keyFormat === 'der' ? 'DER PKCS#8' : 'PEM'})`;
  } else if (ref.certs.length === 0) {
    status = 'not-cert';
  } else {
    what = `${ref.certs.length} certificate${ref.certs.length > 1 ? 's' : ''} (first: ${subjectText(ref.certs[0])})`;
  }
  const check: FileCheck = { param, written, path: ref.path, source, status, ...(what ? { what } : {}) };
  if (param === 'sslkey' && ref.stat) check.mode = octalMode(ref.stat.mode);
  return { check, ref };
}

export function subjectText(x: X509Certificate): string {
  return x.subject.split('\n').reverse().join(', ');
}

/** A key next to the certificate that belongs to it (client.alice.crt → client.alice.key), if one does. */
export function matchingSiblingKey(certPath: string, cert: X509Certificate, env: FileEnv): string | undefined {
  const base = basename(certPath).replace(/\.(crt|pem)$/, '');
  for (const name of [`${base}.key`, `${base}.key.pk8`]) {
    const p = join(dirname(certPath), name);
    const r = loadRef(p, env);
    if (r.key) {
      try {
        if (keyMatchesCert(r.key, cert)) return p;
      } catch {
        // not comparable
      }
    }
  }
  return undefined;
}
