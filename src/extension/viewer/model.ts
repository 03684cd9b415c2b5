/**
 * The certificate viewer's content as plain data (no vscode import): the provider posts it to the
 * webview, whose script only sets text. Built from the core's descriptions: describeCertFile for
 * certificates (fields, CockroachDB role and checks, chain to the cluster CA, expiry) and
 * describeKeyFile for keys (type, format, the permission rules of libpq and cockroach, the match).
 */
import type { Stats } from 'node:fs';
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { CA_CERT, Usage, signingCaFile, signingCaFileFor } from '../../core/cockroach/layout';
import { expiryPhrase } from '../../core/cockroach/expiry';
import { errMessage } from '../../core/errors';
import { readInput, readInputBytes } from '../../core/input';
import type { CertFileDescription, DescribedCert } from '../../core/pki/describeTypes';
import type { KeyFileInfo } from '../../core/tls/keyfile';
import type { CsrFileDescription } from '../../core/pki/describeCsr';

export type Tone = 'ok' | 'warning' | 'error';

export interface ViewerRow {
  label: string;
  value: string;
  tone?: Tone;
}

export interface ViewerSection {
  title: string;
  tone?: Tone;
  rows: ViewerRow[];
}

export interface ViewerModel {
  kind: 'certificate' | 'key' | 'csr' | 'unreadable';
  path: string;
  /** "Node certificate (node.crt)", "Private key (client.root.key)". */
  title: string;
  /** One line under the title: the verdict. */
  summary: string;
  tone: Tone;
  /** What is wrong and how to fix it, each a sentence. */
  problems: string[];
  sections: ViewerSection[];
}

export interface ViewerInput {
  path: string;
  now: Date;
  /** The file's role when the tree knows it (else from the file name). */
  usage?: Usage;
  /** The certs dir it belongs to (else its folder). */
  certsDir?: string;
  euid?: number;
  gid?: number;
}

const toneOf = (ok: boolean, warn = false): Tone => (ok ? (warn ? 'warning' : 'ok') : 'error');

function certSection(c: DescribedCert, of: number, now: Date): ViewerSection {
  const sans = c.sans.map((s) => `${s.type === 'IP Address' ? 'IP' : s.type}:${s.compact ?? s.value}`).join(', ');
  const expiryTone: Tone = c.status === 'ok' ? 'ok' : c.status === 'expiring' ? 'warning' : 'error';
  const rows: ViewerRow[] = [
    { label: 'Subject', value: c.subject },
    { label: 'Issuer', value: `${c.issuer}${c.selfSigned ? ' (self-signed)' : ''}` },
    { label: 'Status', value: `${c.statusText}; ${expiryPhrase(new Date(c.notBefore), new Date(c.notAfter), now)}`, tone: expiryTone },
    { label: 'Valid', value: `${c.notBefore} to ${c.notAfter} (${c.lifetimeUsedPercent}% of its lifetime used)` },
    { label: 'Serial', value: c.serialHex },
    { label: 'Public key', value: c.publicKey.summary },
    { label: 'Signature', value: c.signatureAlgorithm },
  ];
  if (sans) rows.push({ label: 'SANs', value: sans });
  if (c.basicConstraints)
    rows.push({
      label: 'CA',
      value: c.basicConstraints.ca ? `yes${c.basicConstraints.pathLen !== undefined ? `, path length ${c.basicConstraints.pathLen}` : ''}` : 'no',
    });
  if (c.keyUsage.length) rows.push({ label: 'Key usage', value: c.keyUsage.join(', ') });
  if (c.extKeyUsage.length) rows.push({ label: 'Extended key usage', value: c.extKeyUsage.join(', ') });
  if (c.subjectKeyId) rows.push({ label: 'Subject key id', value: c.subjectKeyId });
  if (c.authorityKeyId) rows.push({ label: 'Authority key id', value: c.authorityKeyId });
  rows.push({ label: 'SHA-256', value: c.fingerprintSha256 });
  for (const check of c.checks) rows.push({ label: check.ok ? 'Check ✓' : 'Check ✗', value: check.text, tone: toneOf(check.ok) });
  if (c.chain.checked || c.chain.text) rows.push({ label: 'Chain', value: c.chain.text, tone: c.chain.checked ? toneOf(!!c.chain.signedBy) : undefined });
  if (c.problem) rows.push({ label: 'Problem', value: c.problem, tone: 'error' });
  const bad = c.checks.some((k) => !k.ok) || (c.chain.checked && !c.chain.signedBy) || expiryTone === 'error';
  return {
    title: of > 1 ? `Certificate ${c.index + 1} of ${of}${c.commonName ? `: ${c.commonName}` : ''}` : `Certificate${c.commonName ? `: ${c.commonName}` : ''}`,
    tone: bad ? 'error' : expiryTone,
    rows,
  };
}

export function certificateModel(d: CertFileDescription, now: Date): ViewerModel {
  const sections = d.certs.map((c) => certSection(c, d.certs.length, now));
  const tone: Tone = !d.ok || !d.usable ? 'error' : sections.some((s) => s.tone !== 'ok') || d.problems.length ? 'warning' : 'ok';
  return {
    kind: 'certificate',
    path: d.path,
    title: d.role.charAt(0).toUpperCase() + d.role.slice(1),
    summary: !d.ok
      ? 'CockroachDB cannot read this file.'
      : d.usable
        ? d.problems.length
          ? 'Usable, with warnings.'
          : 'CockroachDB and its clients can use it.'
        : 'Not usable as it is: see the problems.',
    tone,
    problems: d.problems,
    sections,
  };
}

export function keyModel(k: KeyFileInfo): ViewerModel {
  const rows: ViewerRow[] = [];
  if (k.type) rows.push({ label: 'Type', value: `${k.type}${k.bits ? ` ${k.bits} bits` : ''}${k.curve ? ` ${k.curve}` : ''}` });
  if (k.format) rows.push({ label: 'Format', value: k.format });
  if (k.mode) rows.push({ label: 'Mode', value: k.mode });
  if (k.libpqPermissions)
    rows.push({
      label: 'libpq (psql, psycopg)',
      value: k.libpqPermissions.ok ? 'accepts its permissions' : `refuses it: ${k.libpqPermissions.reason}`,
      tone: toneOf(k.libpqPermissions.ok),
    });
  if (k.cockroachPermissions)
    rows.push({
      label: 'cockroach (certs dir)',
      value: k.cockroachPermissions.ok ? 'accepts its permissions' : `refuses it: ${k.cockroachPermissions.reason}`,
      tone: toneOf(k.cockroachPermissions.ok),
    });
  if (k.cert)
    rows.push({
      label: 'Certificate',
      value: k.cert.matches
        ? `matches ${k.cert.path} (${k.cert.subject})`
        : `does NOT match ${k.cert.path} (${k.cert.subject}): pair the certificate with the key issued with it`,
      tone: toneOf(k.cert.matches),
    });
  const problems = [
    ...(k.problem ? [k.problem] : []),
    ...(k.libpqPermissions && !k.libpqPermissions.ok ? [`libpq refuses it: ${k.libpqPermissions.reason}`] : []),
    ...(k.cockroachPermissions && !k.cockroachPermissions.ok ? [`cockroach refuses it: ${k.cockroachPermissions.reason}`] : []),
    ...(k.cert && !k.cert.matches ? [`it is not the key of ${k.cert.path}.`] : []),
  ];
  return {
    kind: 'key',
    path: k.path,
    title: `Private key (${basename(k.path)})`,
    summary:
      k.ok && problems.length === 0 ? 'A private key CockroachDB and libpq accept. Its contents are never shown.' : 'Not usable as it is: see the problems.',
    tone: k.ok ? (problems.length ? 'warning' : 'ok') : 'error',
    problems,
    sections: [{ title: 'Key', rows }],
  };
}

export function csrModel(d: CsrFileDescription): ViewerModel {
  const sections = d.requests.map((r) => {
    const sans = r.sans.map((s) => `${s.type === 'IP Address' ? 'IP' : s.type}:${s.compact ?? s.value}`).join(', ');
    const rows: ViewerRow[] = [
      { label: 'Subject', value: r.subject },
      { label: 'Signature', value: r.signatureText, tone: r.signatureValid === false ? 'error' : r.signatureValid ? 'ok' : undefined },
      { label: 'Public key', value: r.publicKey.summary },
      { label: 'Requested role', value: r.requestedRole },
    ];
    if (sans) rows.push({ label: 'SANs', value: sans });
    if (r.keyUsage.length) rows.push({ label: 'Key usage', value: r.keyUsage.join(', ') });
    if (r.extKeyUsage.length) rows.push({ label: 'Extended key usage', value: r.extKeyUsage.join(', ') });
    for (const check of r.checks) rows.push({ label: check.ok ? 'Check ✓' : 'Check ✗', value: check.text, tone: toneOf(check.ok) });
    if (r.problem) rows.push({ label: 'Problem', value: r.problem, tone: 'error' });
    const bad = r.signatureValid === false || r.checks.some((k) => !k.ok) || !!r.problem;
    return { title: `Certificate signing request${r.commonName ? `: ${r.commonName}` : ''}`, tone: (bad ? 'error' : 'ok') as Tone, rows };
  });
  const bad = !d.ok || sections.some((s) => s.tone === 'error');
  return {
    kind: 'csr',
    path: d.path,
    title: `Certificate signing request (${basename(d.path)})`,
    summary: bad
      ? 'Your CA should not sign it as it is: see the problems.'
      : 'A request your CA can sign; import the certificate it returns with Import Certificate.',
    tone: bad ? 'error' : 'ok',
    problems: d.problems,
    sections,
  };
}

export function unreadableModel(path: string, message: string): ViewerModel {
  return {
    kind: 'unreadable',
    path,
    title: basename(path),
    summary: 'Could not read this file.',
    tone: 'error',
    problems: [`${message}: check that the file exists, is a regular file and is readable.`],
    sections: [],
  };
}

/**
 * Reads the file (regular files within the PEM cap only: a FIFO or device must not block the
 * extension host) and describes it: a key with its sibling certificate, or a certificate with the
 * CA file beside it that must sign it.
 */
export async function loadViewerModel(i: ViewerInput): Promise<ViewerModel> {
  let content: Buffer;
  let stat: Stats;
  try {
    ({ data: content, stat } = readInput(i.path, { what: 'a certificate or key file' }));
  } catch (err) {
    return unreadableModel(i.path, errMessage(err));
  }
  const dir = i.certsDir ?? dirname(i.path);
  const { isKeyContent, describeKeyFile } = await import('../../core/tls/keyfile');
  const { describeCsr, isCsrContent } = await import('../../core/pki/describeCsr');
  if (isCsrContent(content)) return csrModel(describeCsr(content, i.path));
  if (isKeyContent(content)) {
    const certPath = i.path.replace(/\.(key|pem|pk8|key\.pk8)$/, '.crt');
    let cert: { path: string; cert: import('node:crypto').X509Certificate } | undefined;
    if (certPath !== i.path && existsSync(certPath)) {
      try {
        const { parseCertFile } = await import('../../core/pki/inspect');
        const r = parseCertFile(readInputBytes(certPath), basename(certPath));
        if (r.ok) cert = { path: certPath, cert: r.certs[0] };
      } catch {
        // No readable sibling certificate: describe the key alone.
      }
    }
    return keyModel(describeKeyFile({ path: i.path, content, stat, euid: i.euid, gid: i.gid, cert }));
  }
  const has = (n: string) => existsSync(join(dir, n));
  const caName = (i.usage ? signingCaFile(i.usage, has) : signingCaFileFor(basename(i.path), has)) ?? CA_CERT;
  const caFile = join(dir, caName);
  const { describeCertFile } = await import('../../core/pki/describe');
  let clusterCa: { path: string; content: Buffer } | undefined;
  try {
    if (existsSync(caFile)) clusterCa = { path: caFile, content: readInputBytes(caFile, { what: 'the cluster CA' }) };
  } catch {
    clusterCa = undefined;
  }
  return certificateModel(describeCertFile({ path: i.path, content, now: i.now, usage: i.usage, clusterCa }), i.now);
}
