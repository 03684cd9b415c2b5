import { UserError } from '../core/errors';
import { parseTimeout } from '../core/pki/duration';
import { probe } from '../core/tls/probe';
import { parseHostPort } from '../core/cockroach/ports';
import { probeText } from '../core/tls/report';
import { parseArgs } from './args';
import type { Io } from './io';

export const PROBE_USAGE = `Usage: crdb-tls probe HOST[:PORT] [--ca-file F] [--servername N] [--timeout 5s] [--json]

Connects to a CockroachDB (or PostgreSQL) SQL port, sends the PostgreSQL SSLRequest as
"openssl s_client -starttls postgres" does, and on 'S' completes a TLS handshake without
trusting anything, then shows the protocol, the cipher and the server's certificate chain
(subject, SANs, issuer, validity, serial, SHA-256 fingerprint), whether the CA verifies it
(the OpenSSL error when not) and whether the host name matches. PORT defaults to 26257.

  --ca-file F       the CA to verify the chain with (the cluster's ca.crt); default: public roots
  --servername N    SNI name to send, and the name checked against the certificate
  --timeout D       for the whole probe, e.g. 5s (default) or 500ms; a bare number is seconds; at most 2^31-1 ms
  --json            the ProbeResult object

Exit code: 0 when the TLS handshake completed (and, with --ca-file, the CA verifies the chain
and the name matches); 1 otherwise.
`;

export async function runProbe(argv: string[], io: Io): Promise<number> {
  const a = parseArgs(argv, { values: ['ca-file', 'servername', 'timeout'], bools: ['json', 'help'] }, 'probe');
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
