import { X509Certificate } from 'node:crypto';
import { Stats } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { FileEnv, FileRef, loadRef } from '../connstr/files';
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
  if (param === 'sslkey' && ref.stat) check.mode = `0${(ref.stat.mode & 0o777).toString(8).padStart(3, '0')}`;
  return { check, ref };
}

export function subjectText(x: X509Certificate): string {
  return x.subject.split('\n').reverse().join(', ');
}

/**
 * libpq's rule for the client key (fe-secure-openssl.c): a regular file; owned by the user running
 * the client, no group or world access (at most 0600); owned by root, at most 0640. Returns why
 * the key is refused, or undefined. `euid` undefined (Windows) skips the check, as libpq does.
 */
export function libpqKeyModeProblem(st: Pick<Stats, 'mode' | 'uid' | 'isFile'>, euid: number | undefined): string | undefined {
  if (!st.isFile()) return 'is not a regular file';
  if (euid === undefined) return undefined;
  const mode = st.mode & 0o777;
  const octal = `0${mode.toString(8).padStart(3, '0')}`;
  if (st.uid === euid) {
    if (mode & 0o077) return `has mode ${octal}: group or others may access it, and it is owned by the user running the client, so it must be 0600 or less`;
  } else if (st.uid === 0) {
    if (mode & 0o037) return `has mode ${octal}: it is owned by root, so it may be at most 0640 (u=rw,g=r)`;
  }
  return undefined;
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
