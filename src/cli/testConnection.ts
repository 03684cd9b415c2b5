import { UserError } from '../core/errors';
import { parseTimeout } from '../core/pki/duration';
import { testConnectionText } from '../core/tls/report';
import { testConnection } from '../core/tls/testConnection';
import { parseArgs } from './args';
import { commandHelp } from './help';
import { flagSpec } from './spec';
import type { Io } from './io';

export const TEST_CONNECTION_USAGE = commandHelp('test-connection');

export interface TestConnectionIo extends Io {
  cwd?: string;
}

export async function runTestConnection(argv: string[], io: TestConnectionIo): Promise<number> {
  const a = parseArgs(argv, flagSpec('test-connection'), 'test-connection');
  if (a.bools.help) {
    io.out(TEST_CONNECTION_USAGE);
    return 0;
  }
  if (a.positionals.length !== 1) {
    throw new UserError(
      `test-connection takes one connection string, got ${a.positionals.length}: quote it, e.g. crdb-tls test-connection "postgresql://root@localhost:26257/defaultdb?sslmode=verify-full&sslrootcert=certs/ca.crt".`,
    );
  }
  const r = await testConnection(a.positionals[0], {
    timeoutMs: a.values.timeout !== undefined ? parseTimeout(a.values.timeout) : undefined,
    cwd: io.cwd ?? process.cwd(),
    home: io.env.HOME,
  });
  io.out(
    a.bools.json ? JSON.stringify({ ok: r.ok, category: r.category, cause: r.cause, fix: r.fix, details: r.details }, null, 2) + '\n' : testConnectionText(r),
  );
  return r.ok ? 0 : 1;
}
