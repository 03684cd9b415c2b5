import { KeyObject, X509Certificate } from 'node:crypto';
import { Stats, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { FileCache } from '../cache';
import { errnoCode, errMessage } from '../errors';
import { InputFileError, InputProblem, readInputBytes } from '../input';
import { opensslPemProblems, splitPem } from '../pki/pem';
import { parsePrivateKey } from '../pki/keys';
import { parseCertificate } from '../pki/x509';

export interface FileRef {
  /** As written in the string. */
  written: string;
  path: string;
  stat?: Stats;
  error?: 'missing' | 'unreadable' | 'directory';
  /** Why it is unreadable: "permission denied (EACCES)", "is a FIFO (named pipe), not a regular file", "is 2 MiB, larger than the 1 MiB limit". */
  errorDetail?: string;
  /** With error 'unreadable': the kind of problem (a FIFO or device is 'not-regular', a huge file 'too-large'). */
  inputProblem?: InputProblem;
  certs: X509Certificate[];
  key?: KeyObject;
  /** How the key is stored: PEM, or DER (what pgjdbc reads). */
  keyFormat?: 'pem' | 'der';
  /** Why the content is neither certificates nor a key, if so. */
  contentProblem?: string;
  /** PEM that Go reads but OpenSSL-based clients may not (pem.ts opensslPemProblems). */
  pemNotes?: string[];
}

export interface FileEnv {
  docPath?: string;
  workspaceFolders?: string[];
  home?: string;
  cache?: FileCache;
}

/** Resolves a path as a driver run from the document's folder would, then the workspace folders. */
export function resolveRef(written: string, env: FileEnv): string[] {
  const p = written.replace(/^~(?=$|[\\/])/, env.home ?? homedir());
  if (isAbsolute(p)) return [p];
  const bases = [...(env.docPath ? [dirname(env.docPath)] : []), ...(env.workspaceFolders ?? [])];
  return bases.length ? bases.map((b) => resolve(b, p)) : [resolve(p)];
}

interface Parsed {
  certs: X509Certificate[];
  key?: KeyObject;
  keyFormat?: 'pem' | 'der';
  contentProblem?: string;
  pemNotes?: string[];
}

function parseContent(data: Buffer, path: string): Parsed {
  const text = data.toString('latin1');
  const blocks = splitPem(text);
  const certs: X509Certificate[] = [];
  let key: KeyObject | undefined;
  for (const b of blocks) {
    if (b.type === 'CERTIFICATE') {
      try {
        certs.push(parseCertificate(b.der));
      } catch {
        return { certs, contentProblem: 'holds a CERTIFICATE block that does not parse' };
      }
    } else if (/PRIVATE KEY$/.test(b.type)) {
      try {
        key = parsePrivateKey(text, path);
      } catch (err) {
        return { certs, contentProblem: (err as Error).message };
      }
    }
  }
  if (blocks.length === 0) {
    // A DER file: a PKCS#8 key (.pk8, what pgjdbc reads) or a DER certificate.
    try {
      return { certs, key: parsePrivateKey(data, path, 'der'), keyFormat: 'der' };
    } catch {
      try {
        return { certs: [parseCertificate(data)] };
      } catch {
        return { certs, contentProblem: 'is neither PEM nor a DER certificate or PKCS#8 key' };
      }
    }
  }
  const notes = opensslPemProblems(text);
  return { certs, ...(key ? { key, keyFormat: 'pem' as const } : {}), ...(notes.length ? { pemNotes: notes } : {}) };
}

/** Reads a referenced file once per version (through the cache) and says what it holds. Only regular files within the size cap are read. */
export function loadRef(written: string, env: FileEnv): FileRef {
  const candidates = resolveRef(written, env);
  let denied: FileRef | undefined;
  for (const path of candidates) {
    let st: Stats;
    try {
      st = statSync(path);
    } catch (err) {
      // A folder on the way that cannot be searched hides the file: say so rather than "does not exist".
      const code = errnoCode(err);
      if (code !== 'ENOENT' && code !== 'ENOTDIR')
        denied ??= {
          written,
          path,
          error: 'unreadable',
          errorDetail: code === 'EACCES' ? 'permission denied (EACCES)' : (code ?? errMessage(err)),
          inputProblem: 'unreadable',
          certs: [],
        };
      continue;
    }
    if (st.isDirectory()) return { written, path, stat: st, error: 'directory', certs: [] };
    try {
      const parsed = env.cache ? env.cache.memo(path, 'connstr-ref', (b) => parseContent(b, path), st) : parseContent(readInputBytes(path), path);
      return { written, path, stat: st, ...parsed };
    } catch (err) {
      if (err instanceof InputFileError) {
        if (err.problem === 'missing') continue; // gone between the stat and the read
        return { written, path, stat: st, error: 'unreadable', errorDetail: err.detail, inputProblem: err.problem, certs: [] };
      }
      return { written, path, stat: st, error: 'unreadable', errorDetail: errnoCode(err) ?? errMessage(err), inputProblem: 'unreadable', certs: [] };
    }
  }
  return denied ?? { written, path: candidates[0], error: 'missing', certs: [] };
}

export function siblings(path: string, name: string): string {
  return join(dirname(path), name);
}
