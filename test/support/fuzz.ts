/**
 * The bad-input suite's machinery: a seeded random source, a CLI runner with a hard timeout, and the checks every case must pass.
 */
import { spawnSync } from 'node:child_process';
import { CLI } from './exec';

/** mulberry32: small, fast, and the same sequence for the same seed on every machine. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Run {
  status: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
}

/** The CLI under test: dist/cli.js, or $CRDB_TLS_CLI (to measure another build with the same cases). */
export const CLI_UNDER_TEST = process.env.CRDB_TLS_CLI ?? CLI;

export function runCli(args: string[], o: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number; input?: string }): Run {
  const r = spawnSync(process.execPath, [CLI_UNDER_TEST, ...args], {
    cwd: o.cwd,
    env: o.env,
    input: o.input ?? '',
    encoding: 'utf8',
    timeout: o.timeoutMs,
    killSignal: 'SIGKILL',
    maxBuffer: 64 * 1024 * 1024,
  });
  const timedOut = (r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT' || r.signal === 'SIGKILL';
  return { status: r.status, signal: r.signal, timedOut, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

export type Outcome =
  'ok' | 'hang' | 'internal-error' | 'changed-files' | 'key-leak' | 'multi-line-stderr' | 'wrong-exit' | 'unnamed' | 'no-fix' | 'output-too-long';
export const OUTCOMES: Outcome[] = [
  'ok',
  'hang',
  'internal-error',
  'changed-files',
  'key-leak',
  'multi-line-stderr',
  'wrong-exit',
  'unnamed',
  'no-fix',
  'output-too-long',
];

export interface FuzzCase {
  name: string;
  args: string[];
  /** Allowed exit codes (default [1]: a refused input). */
  exits?: number[];
  /** At least one of these must appear: in the stderr line when the case fails, else anywhere in the output. */
  mention?: string[];
  /** Text on standard input. */
  input?: string;
  /** Bytes of output allowed (default 256 KiB): a bad input must not make a huge message. */
  maxOutput?: number;
  /** Set up state before the run (e.g. make a folder immutable); returns the undo. */
  setup?: () => () => void;
  /** Extra environment (the cloud cases: an API key and a closed loopback API). */
  env?: NodeJS.ProcessEnv;
  /**
   * The command succeeds with its lint findings on stderr, one "crdb-tls: warning|note: CODE: ..."
   * line each (connect): on exit 0 every stderr line must be one, and one must name the file.
   */
  warnings?: boolean;
}

/** A lint finding printed as a warning or a note by a command that succeeds (connect). */
const FINDING = /^crdb-tls: (warning|note): [a-z0-9-]+: /;

/**
 * The one stderr line of a refusal says what to do: a clause with a verb of a fix (pass, use,
 * check, remove, ...), an example, the flags that are known, a command to run, or the rule the
 * input breaks ("must ...", "at most ..."), which is the fix for a bad name or value.
 */
const FIX =
  /(?:^|[:;,.(]|\bthen|\bor|\band|\bto) *(?:pass|use|check|fix|remove|rename|move|replace|restore|point|put|make|choose|give|set|try|issue|rerun|run|wait|split|add|drop|delete|copy|list|name|roll back|re-?issue|create|export|download|repair|keep|start|reload|convert|write|ask|look|see|read|sign|generate|renew|install|open|allow|change|correct|unset|omit|leave)\b|e\.g\.|\bfor example\b|\bknown flags\b|\bmust\b|\bat most\b|\bcrdb-tls [a-z]/i;

/** Text that only a crash or an unhandled error prints. */
const INTERNAL =
  /unexpected error|TypeError|RangeError|ReferenceError|SyntaxError|Cannot read propert|is not a function|\bERR_[A-Z][A-Z_]{2,}\b|TimeoutOverflowWarning|DeprecationWarning|\n\s+at .+:\d+:\d+\)?/;

/** The PEM and base64 pieces of every private key in the fixture: none may appear in any output. */
export function keyMaterialProbe(keyTexts: string[]): (out: string) => string | undefined {
  const pieces = new Set<string>();
  for (const t of keyTexts) {
    const body = t.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
    for (let i = 0; i + 32 <= body.length; i += 97) pieces.add(body.slice(i, i + 32));
  }
  return (out) => {
    if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(out)) return 'a PEM private key block';
    for (const p of pieces) if (out.includes(p)) return `key bytes ${p.slice(0, 8)}…`;
    return undefined;
  };
}

/** The first check a run fails, in order of severity, with a short reason. */
export function judge(c: FuzzCase, r: Run, changed: boolean, leak: (out: string) => string | undefined): { outcome: Outcome; detail: string } {
  const out = `${r.stdout}\n${r.stderr}`;
  const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
  const first = lines[0] ?? '';
  if (r.timedOut) return { outcome: 'hang', detail: 'killed at the per-case timeout' };
  const internal = INTERNAL.exec(out);
  if (internal) return { outcome: 'internal-error', detail: (lines.find((l) => INTERNAL.test(l)) ?? internal[0]).slice(0, 300) };
  if (changed) return { outcome: 'changed-files', detail: `exit ${r.status}; ${first.slice(0, 200)}` };
  const leaked = leak(out);
  if (leaked) return { outcome: 'key-leak', detail: leaked };
  if (out.length > (c.maxOutput ?? 256 * 1024)) return { outcome: 'output-too-long', detail: `${out.length} bytes` };
  const findingsOnly = c.warnings && r.status === 0 && lines.every((l) => FINDING.test(l));
  if (lines.length > 1 && !findingsOnly) return { outcome: 'multi-line-stderr', detail: lines.slice(0, 3).join(' | ').slice(0, 300) };
  const exits = c.exits ?? [1];
  if (r.status === null || !exits.includes(r.status))
    return { outcome: 'wrong-exit', detail: `exit ${r.status}, expected ${exits.join('/')}; ${first.slice(0, 200)}` };
  if (c.mention?.length) {
    const where = (r.status !== 0 && lines.length === 1) || findingsOnly ? r.stderr : out;
    if (!c.mention.some((m) => where.includes(m)))
      return { outcome: 'unnamed', detail: `none of ${c.mention.join(', ')} in: ${(first || r.stdout).slice(0, 200)}` };
  }
  if (r.status !== 0 && first && !FIX.test(first.replace(/^crdb-tls: /, ''))) return { outcome: 'no-fix', detail: first.slice(0, 300) };
  return { outcome: 'ok', detail: '' };
}
