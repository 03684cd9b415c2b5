import { basename } from 'node:path';
import { isCaUsage } from '../cockroach/layout';
import { DEFAULT_THRESHOLDS } from '../cockroach/expiry';
import { errMessage } from '../errors';
import { parseCertFile } from './inspect';
import { certInfo } from './certinfo';
import { opensslPemProblems, opensslTrip } from './pem';
import { decodeCert, tryDer } from './describeDecode';
import { certFileRole, chainOf, loadCa, roleChecks, roleMeaning, roleTitle } from './describeMeaning';
import { documentText, failText, headLines } from './describeText';
import { CertFileDescription, DescribeInput, Parsed } from './describeTypes';

/**
 * The "Inspect Certificate" document (editor) and `crdb-tls inspect` (CLI): what `openssl x509 -text`
 * shows, plus what the certificate means to CockroachDB, its expiry status and whether the cluster CA signed it.
 * Decoding is in describeDecode.ts, the CockroachDB meaning in describeMeaning.ts, the text in describeText.ts.
 */

export type { CertCheck, CertFileDescription, ChainResult, DescribeInput, DescribedCert, DescribedExtension } from './describeTypes';
export { opensslDate } from './describeText';

/** Never throws: bad input gives a description that says what is wrong and how to fix it. */
export function describeCertFile(input: DescribeInput): CertFileDescription {
  const fileName = basename(input.path);
  const fileRole = certFileRole(fileName);
  const usage = input.usage ?? fileRole.usage;
  const role = roleTitle(usage, fileRole, fileName);
  const head = headLines(input.path, role);
  const fail = (problem: string): CertFileDescription => ({
    text: failText(head, input.now, problem),
    path: input.path,
    usage,
    role,
    ok: false,
    usable: false,
    problems: [problem],
    certs: [],
  });
  try {
    const problems: string[] = [];
    let parsed: Parsed[];
    const r = parseCertFile(input.content, fileName);
    if (r.ok) {
      parsed = r.certs.map((x) => ({ der: x.raw, x509: x }));
      for (const p of opensslPemProblems(input.content.toString('latin1'))) problems.push(opensslTrip(fileName, p));
    } else {
      const der = tryDer(input.content);
      if (!der) return fail(r.error);
      problems.push(
        `${fileName} is a DER (binary) certificate, but CockroachDB reads PEM only: convert it with "openssl x509 -inform der -in ${fileName} -out ${fileName}.pem" and use the PEM file.`,
      );
      parsed = [der];
    }
    const ca = loadCa(input.clusterCa);
    const thresholds = input.thresholds ?? DEFAULT_THRESHOLDS;
    const certs = parsed.map((p, i) => {
      const c = decodeCert(p, i, input.now, usage, thresholds);
      c.checks = roleChecks(certInfo(p.x509), i === 0 || isCaUsage(usage) ? usage : 'Unknown', fileRole);
      c.chain = chainOf(c, p, usage, ca);
      return c;
    });
    const text = documentText({
      head,
      meaning: roleMeaning(usage, fileRole),
      usage,
      now: input.now,
      problems,
      certs,
      ca: ca && { path: ca.path, certCount: ca.certs.length },
    });
    const own = certs[0];
    const usable = !!own && !(own.chain.checked && !own.chain.signedBy) && own.status !== 'expired' && own.status !== 'not-yet-valid';
    return { text, path: input.path, usage, role, ok: true, usable, problems, certs };
  } catch (err) {
    return fail(`${fileName} holds a certificate that cannot be read (${errMessage(err)}): reissue it or restore it from a backup.`);
  }
}
