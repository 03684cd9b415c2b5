import { existsSync } from 'node:fs';
import { AlertThresholds } from '../../monitor/expiry';
import { FileEnv, FileRef, loadRef } from '../files';
import { RULES } from './catalog';
import { ConnString, Finding, Fix, Span, paramValue } from '../types';

export interface KnownCa {
  name: string;
  /** ca.crt (or the Cloud cluster CA) */
  path: string;
  /** The CA that signs client certs (ca-client.crt when the cluster has one). */
  clientCaPath?: string;
}

export interface LintEnv extends FileEnv {
  now?: Date;
  thresholds?: AlertThresholds;
  knownCas?: KnownCa[];
  /**
   * The client's user id. Not used by the rules: libpq's key-permission check depends only on the
   * file's owner (root or not) and mode, not on who runs the client.
   */
  uid?: number;
}

/**
 * What the strings of one lint run share: a file named by many strings (the same ca.crt in every
 * line) is looked up once per run. The file system is taken as it was when the run began.
 */
export class LintScope {
  private readonly refs = new Map<string, FileRef>();
  private readonly existing = new Map<string, boolean>();
  private readonly memos = new WeakMap<object, Map<string, unknown>>();
  constructor(readonly env: LintEnv) {}

  /** `fn()` once per run for an object the strings share (a FileRef, a certificate) and a tag. */
  memo<T>(on: object, tag: string, fn: () => T): T {
    let m = this.memos.get(on);
    if (!m) this.memos.set(on, (m = new Map()));
    if (!m.has(tag)) m.set(tag, fn());
    return m.get(tag) as T;
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

  exists(path: string): boolean {
    let e = this.existing.get(path);
    if (e === undefined) {
      e = existsSync(path);
      this.existing.set(path, e);
    }
    return e;
  }
}

export class RuleCtx {
  readonly now: Date;
  readonly scope: LintScope;
  constructor(readonly text: string, readonly c: ConnString, readonly env: LintEnv, scope?: LintScope) {
    this.now = env.now ?? new Date();
    this.scope = scope ?? new LintScope(env);
  }

  /** The file a parameter names (none for an empty value or libpq's sslrootcert=system). */
  ref(key: 'sslrootcert' | 'sslcert' | 'sslkey'): FileRef | undefined {
    const p = paramValue(this.c, key);
    return p && p.value && p.value !== 'system' ? this.scope.ref(p.value) : undefined;
  }

  finding(code: string, range: Span, message: string, fixes: Fix[] = []): Finding {
    const info = RULES[code];
    return { code, severity: info.severity, range, message, docs: info.docs, fixes };
  }
}
