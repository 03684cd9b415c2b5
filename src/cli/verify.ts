import { X509Certificate } from 'node:crypto';
import { basename } from 'node:path';
import { UserError } from '../core/errors';
import { InputFileError, readInputBytes } from '../core/input';
import { parseCertFile } from '../core/pki/inspect';
import { opensslVerifyText, verifyCertificate } from '../core/tls/verify';
import { parseArgs } from './args';
import { commandHelp } from './help';
import { flagSpec } from './spec';
import type { Io } from './io';
import { opensslPemProblems, opensslTrip } from '../core/pki/pem';
import { parseCertificate } from '../core/pki/x509';

export const VERIFY_USAGE = commandHelp('verify');

/** The certificates in `path`, and the notes on its PEM that OpenSSL-based clients would trip on (read once). */
function certsOf(path: string, what: string): { certs: X509Certificate[]; notes: string[] } {
  let content: Buffer;
  try {
    content = readInputBytes(path, { what: `the ${what}` });
  } catch (err) {
    if (!(err instanceof InputFileError)) throw err;
    if (err.problem === 'missing') throw new UserError(`${what} ${path} does not exist: check the path.`, path);
    if (err.problem === 'unreadable') throw new UserError(`cannot read ${what} ${path} (${err.code ?? err.detail}): check its permissions.`, path);
    throw new UserError(`${what} ${path} ${err.detail}: pass the PEM certificate file itself.`, path);
  }
  const notes = opensslPemProblems(content.toString('latin1')).map((x) => opensslTrip(path, x));
  const r = parseCertFile(content, basename(path));
  if (r.ok) return { certs: r.certs, notes };
  try {
    return { certs: [parseCertificate(content)], notes };
  } catch {
    throw new UserError(`${what} ${path}: ${r.error}`, path);
  }
}

export async function runVerify(argv: string[], io: Io): Promise<number> {
  const a = parseArgs(argv, flagSpec('verify'), 'verify');
  if (a.bools.help) {
    io.out(VERIFY_USAGE);
    return 0;
  }
  const caFile = a.values['ca-file'];
  if (!caFile) throw new UserError('verify needs the CA: crdb-tls verify --ca-file certs/ca.crt certs/node.crt.');
  if (a.positionals.length !== 1)
    throw new UserError(`verify takes one CERT file, got ${a.positionals.length}: e.g. crdb-tls verify --ca-file certs/ca.crt certs/node.crt.`);
  const file = a.positionals[0];
  const ca = certsOf(caFile, 'CA file');
  const cert = certsOf(file, 'certificate file');
  const [leaf, ...untrusted] = cert.certs;
  const v = verifyCertificate({ leaf, untrusted, trusted: ca.certs, trustedName: caFile, now: new Date() });
  const notes = [...ca.notes, ...cert.notes];
  if (a.bools.json) io.out(JSON.stringify({ file, ...v, notes }, null, 2) + '\n');
  else io.out(opensslVerifyText(file, v) + (v.ok ? '' : `Reason: ${v.reason}\n`) + notes.map((n) => `Note: ${n}\n`).join(''));
  return v.ok ? 0 : 1;
}
