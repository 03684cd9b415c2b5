import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { FileCache } from '../core/cache';
import { UserError, errnoCode, errMessage, quoteInput, safeMessage } from '../core/errors';
import { InputFileError, MAX_TEXT_BYTES, readInputBytes, statInput } from '../core/input';
import { LintOptions, lineIndex, lintText } from '../core/connstr/lint';
import { RULES } from '../core/connstr/rules/catalog';
import { Severity } from '../core/connstr/types';
import { parseArgs } from './args';
import { commandHelp } from './help';
import { flagSpec } from './spec';
import type { Io } from './io';

export const LINT_USAGE = commandHelp('lint');

export interface LintIo extends Io {
  /** Notes and per-file errors (default: process.stderr). */
  err?: (s: string) => void;
  cwd?: string;
  /** Standard input, for FILE "-". */
  stdin?: () => string;
}

export interface LintRecord {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  severity: Severity;
  code: string;
  message: string;
  docs: string;
}

const SEVERITY_ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

function parseSize(v: string): number {
  const m = /^(\d+)([KMG])?(?:i?B)?$/i.exec(v.trim());
  if (!m) throw new UserError(`lint: --max-file-size ${quoteInput(v)} is not a size: use bytes, e.g. --max-file-size 1048576 or 1M.`);
  const mult = { K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[(m[2] ?? '').toUpperCase()] ?? 1;
  return Number(m[1]) * mult;
}

/** The rule codes of --disable (repeatable, comma-separated), each one checked. */
function disabledCodes(values: string[]): Set<string> {
  const disabled = new Set<string>();
  for (const v of values) {
    const codes = v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (codes.length === 0) throw new UserError(`lint: --disable ${quoteInput(v)} names no rule code: e.g. --disable port-non-default.`);
    for (const code of codes) {
      if (!Object.hasOwn(RULES, code))
        throw new UserError(`lint: unknown rule code ${quoteInput(code)} for --disable; codes: ${Object.keys(RULES).join(', ')}.`);
      disabled.add(code);
    }
  }
  return disabled;
}

/** Why a file could not be read, and what to do about it (the per-file line of the report). */
function readReason(err: unknown, file: string): string {
  const inDir = `is a directory (EISDIR): pass the files in it, e.g. ${file.replace(/\/+$/, '')}/*.env`;
  if (err instanceof InputFileError) {
    if (err.problem === 'not-regular') return `${err.detail}; only regular files are linted: pass the file itself, not a pipe or device`;
    if (err.problem === 'too-large') return `${err.detail}; pass --max-file-size to skip such files`;
    if (err.problem === 'directory') return inDir;
  }
  const code = errnoCode(err);
  const plain: Record<string, string> = {
    ENOENT: 'no such file (ENOENT): check the path',
    EACCES: 'permission denied (EACCES): make it readable, or run as a user who can read it',
    EISDIR: inDir,
    ENOTDIR: 'a parent is not a directory (ENOTDIR): check the path',
    EPERM: 'operation not permitted (EPERM): make it readable, or run as a user who can read it',
  };
  if (code && plain[code]) return plain[code];
  // A UserError from the reader already says what to do; anything else gets the generic fix.
  return err instanceof UserError ? errMessage(err) : `${errMessage(err)}: check the file`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 || word === 'info' ? '' : 's'}`;
}

export async function runLint(argv: string[], io: LintIo): Promise<number> {
  const err = io.err ?? ((s: string) => void process.stderr.write(s));
  const a = parseArgs(argv, flagSpec('lint'), 'lint');
  const disabled = disabledCodes(a.lists.disable);
  if (a.bools.help) {
    io.out(LINT_USAGE);
    return 0;
  }
  if (a.positionals.length === 0) {
    io.out(LINT_USAGE);
    return 2;
  }
  const maxSize = a.values['max-file-size'] !== undefined ? parseSize(a.values['max-file-size']) : Infinity;
  const cwd = io.cwd ?? process.cwd();
  const base: LintOptions = { workspaceFolders: [cwd], now: new Date(), cache: new FileCache(), disabled };

  const records: LintRecord[] = [];
  const seen = new Set<string>();
  let failed = false;
  let linted = 0;
  let conns = 0;
  for (const file of a.positionals) {
    const abs = file === '-' ? '-' : resolve(cwd, file);
    if (seen.has(abs)) continue;
    seen.add(abs);
    let text: string;
    try {
      if (file === '-') {
        text = io.stdin ? io.stdin() : readFileSync(0, 'utf8');
      } else {
        // Only a regular file is read (a FIFO or /dev/zero is refused, not waited on), at most MAX_TEXT_BYTES.
        const st = statInput(abs, { maxBytes: Number.MAX_SAFE_INTEGER });
        if (st.size > maxSize) {
          err(`crdb-tls: ${safeMessage(`skipped ${file}: ${st.size} bytes, more than --max-file-size ${maxSize}`)}\n`);
          continue;
        }
        text = readInputBytes(abs, { maxBytes: MAX_TEXT_BYTES, what: 'a file to lint' }).toString('utf8');
      }
    } catch (e) {
      err(`crdb-tls: ${safeMessage(`cannot read ${file}: ${readReason(e, file)}`)}\n`);
      failed = true;
      continue;
    }
    // Editors drop the byte order mark; so do we, so that columns match theirs.
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    linted++;
    const results = lintText(text, { ...base, docPath: file === '-' ? undefined : abs });
    conns += results.length;
    const at = lineIndex(text);
    const found = results
      .flatMap((r) => r.findings)
      .sort(
        (x, y) =>
          x.range.start - y.range.start ||
          x.range.end - y.range.end ||
          SEVERITY_ORDER[x.severity] - SEVERITY_ORDER[y.severity] ||
          (x.code < y.code ? -1 : x.code > y.code ? 1 : 0),
      );
    for (const f of found) {
      const s = at(f.range.start);
      const e = at(f.range.end);
      records.push({
        file,
        line: s.line,
        column: s.column,
        endLine: e.line,
        endColumn: e.column,
        severity: f.severity,
        code: f.code,
        message: f.message,
        docs: f.docs,
      });
    }
  }
  // Sorted by file, then position (the sort is stable, so findings keep their order within a file).
  records.sort((x, y) => (x.file < y.file ? -1 : x.file > y.file ? 1 : 0));

  const count = (s: Severity) => records.filter((r) => r.severity === s).length;
  if (a.bools.json) {
    io.out(JSON.stringify(records, null, 2) + '\n');
  } else {
    for (const r of records) io.out(`${r.file}:${r.line}:${r.column}: ${r.severity} ${r.code} ${r.message.replace(/\s*\n\s*/g, ' ')}\n`);
    io.out(
      `${plural(count('error'), 'error')}, ${plural(count('warning'), 'warning')}, ${plural(count('info'), 'info')} in ${plural(linted, 'file')} (${plural(conns, 'connection string')})\n`,
    );
  }
  return failed || count('error') > 0 ? 1 : 0;
}
