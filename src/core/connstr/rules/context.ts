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
  /** The client's effective user id (default: this process's), for libpq's key-permission rule. */
  uid?: number;
}

export class RuleCtx {
  private readonly refs = new Map<string, FileRef | undefined>();
  readonly now: Date;
  constructor(readonly text: string, readonly c: ConnString, readonly env: LintEnv) {
    this.now = env.now ?? new Date();
  }

  /** The file a parameter names, loaded once per lint. */
  ref(key: 'sslrootcert' | 'sslcert' | 'sslkey'): FileRef | undefined {
    if (!this.refs.has(key)) {
      const p = paramValue(this.c, key);
      this.refs.set(key, p && p.value && p.value !== 'system' ? loadRef(p.value, this.env) : undefined);
    }
    return this.refs.get(key);
  }

  finding(code: string, range: Span, message: string, fixes: Fix[] = []): Finding {
    const info = RULES[code];
    return { code, severity: info.severity, range, message, docs: info.docs, fixes };
  }
}
