import { KeyObject, X509Certificate } from 'node:crypto';
import { Stats, statSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { FileCache } from '../certsdir/cache';
import { errnoCode } from '../errors';
import { splitPem } from '../pki/pem';
import { parsePrivateKey } from '../pki/keys';

export interface FileRef {
  /** As written in the string. */
  written: string;
  path: string;
  stat?: Stats;
  error?: 'missing' | 'unreadable' | 'directory';
  errorDetail?: string;
  certs: X509Certificate[];
  key?: KeyObject;
  /** How the key is stored: PEM, or DER (what pgjdbc reads). */
  keyFormat?: 'pem' | 'der';
  /** Why the content is neither certificates nor a key, if so. */
  contentProblem?: string;
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
}

function parseContent(data: Buffer, path: string): Parsed {
  const text = data.toString('latin1');
  const blocks = splitPem(text);
  const certs: X509Certificate[] = [];
  let key: KeyObject | undefined;
  for (const b of blocks) {
    if (b.type === 'CERTIFICATE') {
      try {
        certs.push(new X509Certificate(b.der));
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
        return { certs: [new X509Certificate(data)] };
      } catch {
        return { certs, contentProblem: 'is neither PEM nor a DER certificate or PKCS#8 key' };
      }
    }
  }
  return key ? { certs, key, keyFormat: 'pem' } : { certs };
}

/** Reads a referenced file once per version (through the cache) and says what it holds. */
export function loadRef(written: string, env: FileEnv): FileRef {
  const candidates = resolveRef(written, env);
  for (const path of candidates) {
    let st: Stats;
    try {
      st = statSync(path);
    } catch {
      continue;
    }
    if (st.isDirectory()) return { written, path, stat: st, error: 'directory', certs: [] };
    try {
      const parsed = env.cache ? env.cache.memo(path, 'connstr-ref', (b) => parseContent(b, path), st) : parseContent(readFileSync(path), path);
      return { written, path, stat: st, ...parsed };
    } catch (err) {
      return { written, path, stat: st, error: 'unreadable', errorDetail: errnoCode(err) ?? String(err), certs: [] };
    }
  }
  return { written, path: candidates[0], error: 'missing', certs: [] };
}

export function siblings(path: string, name: string): string {
  return join(dirname(path), name);
}
