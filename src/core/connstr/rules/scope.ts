import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, win32 } from 'node:path';
import { libpqDefaultRootcert, libpqDir } from '../../cockroach/sslmode';
import { ExpiryThresholds } from '../../cockroach/expiry';
import { FileEnv, FileRef, loadRef } from '../files';
import type { ClientId } from '../clients/types';

export interface KnownCa {
  name: string;
  /** ca.crt (or the Cloud cluster CA) */
  path: string;
  /** The CA that signs client certs (ca-client.crt when the cluster has one). */
  clientCaPath?: string;
}

export interface LintEnv extends FileEnv {
  now?: Date;
  thresholds?: ExpiryThresholds;
  knownCas?: KnownCa[];
  /**
   * The client's effective user id; default: this process's (none on Windows: no key-mode check).
   * libpq's verdict on a key's mode depends only on the file's owner (root or not) and mode; the uid
   * only adds a chown to the fix when the key belongs to someone else (cockroach/keymode.ts).
   */
  uid?: number;
  /** The client that will read the strings (crdb-tls connect), for the rules that depend on it. */
  client?: ClientId;
  /** The client's platform and environment (APPDATA) for libpq's default files; default: this process's. */
  platform?: string;
  vars?: Readonly<Record<string, string | undefined>>;
}

/**
 * What the strings of one lint run share: a file named by many strings (the same ca.crt in every
 * line) is looked up once per run, and so are the messages that depend only on such shared
 * inputs (a file, a certificate, a parameter value). The file system is taken as it was when the
 * run began.
 */
export class LintScope {
  private readonly refs = new Map<string, FileRef>();
  private readonly existing = new Map<string, boolean>();
  private readonly memos = new WeakMap<object, Map<string, unknown>>();
  private readonly texts = new Map<string, Map<unknown, unknown>>();
  private readonly maps = new Map<string, Map<unknown, unknown>>();
  private pgDir: string | undefined;
  private pgRoot: string | undefined;
  private readonly pgFiles = new Map<string, string>();
  constructor(readonly env: LintEnv) {}

  /** `fn()` once per run for an object the strings share (a FileRef, a certificate) and a tag. */
  memo<T>(on: object, tag: string, fn: () => T): T {
    let m = this.memos.get(on);
    if (!m) this.memos.set(on, (m = new Map()));
    if (m.has(tag)) return m.get(tag) as T;
    const v = fn();
    m.set(tag, v);
    return v;
  }

  /** `fn(key)` once per run for a value (a parameter value, a port) and a tag. */
  byValue<K, T>(tag: string, key: K, fn: (key: K) => T): T {
    let m = this.texts.get(tag);
    if (!m) this.texts.set(tag, (m = new Map()));
    if (m.has(key)) return m.get(key) as T;
    const v = fn(key);
    m.set(key, v);
    return v;
  }

  /** A map that lives as long as the run, by tag (made on first use). */
  map<K, V>(tag: string): Map<K, V> {
    let m = this.maps.get(tag);
    if (!m) this.maps.set(tag, (m = new Map()));
    return m as Map<K, V>;
  }

  /** The file a parameter value names, resolved and loaded once per run. */
  ref(written: string): FileRef {
    let r = this.refs.get(written);
    if (!r) {
      r = loadRef(written, this.env);
      this.refs.set(written, r);
    }
    return r;
  }

  /** libpq's default files' folder (~/.postgresql, %APPDATA%\postgresql) for this run's home, platform and environment. */
  libpqDir(): string {
    const e = this.env;
    return (this.pgDir ??= libpqDir(e.home ?? homedir(), e.platform ?? process.platform, (e.vars ?? process.env).APPDATA));
  }

  /** libpq's default sslrootcert (~/.postgresql/root.crt, %APPDATA%\postgresql\root.crt) for this run. */
  libpqRootcert(): string {
    const e = this.env;
    return (this.pgRoot ??= libpqDefaultRootcert(e.home ?? homedir(), e.platform ?? process.platform, (e.vars ?? process.env).APPDATA));
  }

  /** A file in libpq's default folder (postgresql.crt, postgresql.key, postgresql.pk8), its path computed once per run. */
  libpqFile(name: string): string {
    let p = this.pgFiles.get(name);
    if (p === undefined) {
      p = ((this.env.platform ?? process.platform) === 'win32' ? win32.join : join)(this.libpqDir(), name);
      this.pgFiles.set(name, p);
    }
    return p;
  }

  exists(path: string): boolean {
    let e = this.existing.get(path);
    if (e === undefined) {
      e = existsSync(path);
      this.existing.set(path, e);
    }
    return e;
  }
}
