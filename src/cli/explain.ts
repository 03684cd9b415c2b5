import { readFileSync } from 'node:fs';
import { UserError } from '../core/errors';
import { candidatesLine, explain } from '../core/tls/explain';
import { parseArgs } from './args';
import { commandHelp } from './help';
import { flagSpec } from './spec';
import type { Io } from './io';

export const EXPLAIN_USAGE = commandHelp('explain');

export interface ExplainIo extends Io {
  stdin?: () => string;
}

export async function runExplain(argv: string[], io: ExplainIo): Promise<number> {
  // An error message may start with "-" ("--- FATAL ..."): only explain's own flags are flags.
  const a = parseArgs(argv, flagSpec('explain'), 'explain');
  if (a.bools.help) {
    io.out(EXPLAIN_USAGE);
    return 0;
  }
  if (a.positionals.length === 0)
    throw new UserError(
      'explain needs the error text: crdb-tls explain "x509: certificate signed by unknown authority" (or "-" to read it from standard input).',
    );
  const text = a.positionals.length === 1 && a.positionals[0] === '-' ? (io.stdin ?? (() => readFileSync(0, 'utf8')))() : a.positionals.join(' ');
  const r = explain(text);
  // An ambiguous text: the candidate causes, which explain does not pick from.
  const candidates = r.category === 'ambiguous' && r.candidates ? r.candidates : undefined;
  if (a.bools.json) io.out(JSON.stringify({ category: r.category, cause: r.cause, fix: r.fix, ...(candidates ? { candidates } : {}) }, null, 2) + '\n');
  else
    io.out(
      `Category: ${r.category}\nCause: ${r.cause}\n${candidates ? `Candidates: ${candidatesLine(candidates)}\n` : ''}Fix: ${r.fix}\n${r.matched ? `Matched: "${r.matched.text}" (${r.matched.clients})\n` : ''}`,
    );
  return r.matched ? 0 : 1;
}
