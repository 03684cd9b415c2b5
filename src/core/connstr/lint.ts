import { findConnStrings } from './find';
import { LintEnv, LintScope, RuleCtx } from './rules/context';
import { sslmodeRules } from './rules/sslmode';
import { paramRules } from './rules/params';
import { fileRules } from './rules/files';
import { ConnString, Finding, Severity } from './types';

export interface LintOptions extends LintEnv {
  /** Rule codes turned off. */
  disabled?: ReadonlySet<string>;
  /** Per-code severity overrides. */
  severities?: Readonly<Record<string, Severity>>;
}

export interface LintedConn {
  conn: ConnString;
  findings: Finding[];
}

/** The findings for one connection string, after the user's rule settings. */
export function lintConn(text: string, c: ConnString, o: LintOptions = {}, scope?: LintScope): Finding[] {
  const ctx = new RuleCtx(text, c, o, scope);
  const all = sslmodeRules(ctx).concat(paramRules(ctx), fileRules(ctx));
  const { disabled, severities } = o;
  if (!disabled?.size && !severities) return all;
  return all.filter((f) => !disabled?.has(f.code)).map((f) => {
    const s = severities && Object.hasOwn(severities, f.code) ? severities[f.code] : undefined;
    return s ? { ...f, severity: s } : f;
  });
}

/** Every connection string in the text with its findings. */
export function lintText(text: string, o: LintOptions = {}): LintedConn[] {
  const scope = new LintScope(o);
  const now = o.now ?? new Date();
  const env = o.now ? o : { ...o, now };
  return findConnStrings(text).map((conn) => ({ conn, findings: lintConn(text, conn, env, scope) }));
}

/** 1-based line and column of an offset, via a precomputed table of line starts. */
export function lineIndex(text: string): (offset: number) => { line: number; column: number } {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo] + 1 };
  };
}
