import { UserError } from '../core/errors';
import { parseTimeout } from '../core/pki/duration';
import { probe } from '../core/tls/probe';
import { parseHostPort } from '../core/cockroach/ports';
import { probeText } from '../core/tls/report';
import { parseArgs } from './args';
import { commandHelp } from './help';
import { flagSpec } from './spec';
import type { Io } from './io';

export const PROBE_USAGE = commandHelp('probe');

export async function runProbe(argv: string[], io: Io): Promise<number> {
  const a = parseArgs(argv, flagSpec('probe'), 'probe');
  if (a.bools.help) {
    io.out(PROBE_USAGE);
    return 0;
  }
  if (a.positionals.length !== 1)
    throw new UserError(`probe takes one HOST[:PORT], got ${a.positionals.length}: e.g. crdb-tls probe localhost:26257 --ca-file certs/ca.crt.`);
  const { host, port } = parseHostPort(a.positionals[0]);
  const r = await probe(host, port, {
    caFile: a.values['ca-file'],
    servername: a.values.servername,
    timeoutMs: a.values.timeout !== undefined ? parseTimeout(a.values.timeout) : 5000,
  });
  io.out(a.bools.json ? JSON.stringify(r, null, 2) + '\n' : probeText(r));
  const handshake = r.acceptsTls === true && !r.error && r.protocol !== undefined;
  const checks = !a.values['ca-file'] || (r.verification?.ok === true && r.hostname?.ok === true);
  return handshake && checks ? 0 : 1;
}
