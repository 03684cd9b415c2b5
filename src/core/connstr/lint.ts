import { findConnStrings } from './find';
import { LintEnv, LintScope, RuleCtx } from './rules/context';
import { sslmodeRules } from './rules/sslmode';
import { paramRules } from './rules/params';
import { fileRules } from './rules/files';
import { clientRules } from './rules/clients';
import { cloudRules } from './rules/cloud';
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

/** The findings of the context's current string, after the user's rule settings. */
function lintCurrent(ctx: RuleCtx, o: LintOptions): Finding[] {
  sslmodeRules(ctx);
  paramRules(ctx);
  fileRules(ctx);
  clientRules(ctx);
  cloudRules(ctx);
  const all = ctx.out.slice(0, ctx.nOut);
  const { disabled, severities } = o;
  if (!disabled?.size && !severities) return all;
  return all
    .filter((f) => !disabled?.has(f.code))
    .map((f): Finding => {
      const s = severities && Object.hasOwn(severities, f.code) ? severities[f.code] : undefined;
      return s ? f.withSeverity(s) : f;
    });
}

/** The findings for one connection string, after the user's rule settings. */
export function lintConn(text: string, c: ConnString, o: LintOptions = {}, scope?: LintScope): Finding[] {
  return lintCurrent(new RuleCtx(text, c, o, scope), o);
}

/** Every connection string in the text with its findings. */
export function lintText(text: string, o: LintOptions = {}): LintedConn[] {
  const conns = findConnStrings(text);
  const out: LintedConn[] = new Array(conns.length);
  if (conns.length === 0) return out;
  const scope = new LintScope(o);
  const env = o.now ? o : { ...o, now: new Date() };
  const ctx = new RuleCtx(text, conns[0], env, scope);
  for (let i = 0; i < conns.length; i++) {
    const conn = conns[i];
    ctx.reset(conn);
    out[i] = { conn, findings: lintCurrent(ctx, env) };
  }
  return out;
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
