import { readFileSync } from 'node:fs';
import { UserError } from '../core/errors';
import { explain } from '../core/tls/explain';
import { parseArgs } from './args';
import type { Io } from './io';

export const EXPLAIN_USAGE = `Usage: crdb-tls explain "ERROR TEXT" [--json]

Explains a TLS or connection error message as printed by psql/libpq, psycopg, the cockroach
CLI, Go (pgx, lib/pq), Java (pgjdbc, DBeaver), Node (pg, TypeORM): the category (the same as
test-connection's), the cause and the fix. TEXT "-" reads standard input.

  --json   {category, cause, fix}

Exit code: 0 when the message is recognised, 1 when it is not (category other, "not recognised").
`;

export interface ExplainIo extends Io {
  stdin?: () => string;
}

export async function runExplain(argv: string[], io: ExplainIo): Promise<number> {
  // An error message may start with "-" ("--- FATAL ..."): only explain's own flags are flags.
  const a = parseArgs(argv, { values: [], bools: ['json', 'help'], dashIsText: true }, 'explain');
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
  if (a.bools.json) io.out(JSON.stringify({ category: r.category, cause: r.cause, fix: r.fix }, null, 2) + '\n');
  else io.out(`Category: ${r.category}\nCause: ${r.cause}\nFix: ${r.fix}\n${r.matched ? `Matched: "${r.matched.text}" (${r.matched.clients})\n` : ''}`);
  return r.matched ? 0 : 1;
}
