/**
 * A certificate signing request file described as `crdb-tls inspect FILE.csr` prints it and the
 * editor's certificate viewer shows it: what `openssl req -text -noout` shows, whether the
 * self-signature verifies, and what CockroachDB's rules (cockroach/certrules) say about the
 * certificate it asks for, so that a CA that copies the request issues a certificate CockroachDB loads.
 */
import { basename } from 'node:path';
import { roleFromFilename } from '../cockroach/layout';
import { RuleCert, RuleRole, roleResults } from '../cockroach/certrules';
import { errMessage } from '../errors';
import { splitPem } from './pem';
import { CsrAttribute, CsrStructure, readCsr, requestedExtensions, verifyCsrSignature } from './csrread';
import { publicKeySummary } from './describeDecode';
import { CertCheck, DescribedExtension } from './describeTypes';
import { GeneralName, PublicKeyInfo } from './x509der';
import { formatName } from './x509name';
import { extensionText, signatureAlgorithmName } from './x509text';

/** One request of the file. */
export interface DescribedCsr {
  /** Position in the file, from 0. */
  index: number;
  /** 1 (encoded 0), the only PKCS#10 version. */
  version: number;
  /** As openssl prints it: "O = Cockroach, CN = node". */
  subject: string;
  commonName?: string;
  publicKey: PublicKeyInfo & { summary: string };
  signatureAlgorithm: string;
  /** true: signed by the key it asks a certificate for; false: it does not verify (CAs refuse it); null: not checked (see signatureText). */
  signatureValid: boolean | null;
  signatureText: string;
  /** The requested extensions (extensionRequest), as openssl prints them. */
  extensions: DescribedExtension[];
  /** Requested SANs, in order. */
  sans: GeneralName[];
  /** openssl names ("Digital Signature"); [] when not requested. */
  keyUsage: string[];
  /** openssl names ("TLS Web Server Authentication"); [] when not requested. */
  extKeyUsage: string[];
  /** Short ids (serverAuth, clientAuth), else the OID. */
  extKeyUsageIds: string[];
  /** Whether it asks for a CA certificate (basicConstraints CA:TRUE requested). */
  requestsCa: boolean;
  /** Other attributes (challengePassword's value is never shown). */
  attributes: CsrAttribute[];
  /** "node certificate", "client certificate for SQL user \"root\"": what the checks took it for. */
  requestedRole: string;
  /** CockroachDB's rules for the certificate it asks for (CN, EKUs, SANs, key type). */
  checks: CertCheck[];
  /** Set when some requested extensions could not be decoded. */
  problem?: string;
}

export interface CsrFileDescription {
  kind: 'csr';
  path: string;
  /** The document, one line each, as `crdb-tls inspect` prints it. */
  text: string;
  /** Read as requests, and each one's signature verifies. `inspect` exits 1 when not. */
  ok: boolean;
  /** What is wrong with the file, each a sentence naming the file and the fix. */
  problems: string[];
  requests: DescribedCsr[];
}

/** Whether `content` holds a PEM certificate signing request (or is one in DER): then describeCsr, not describeCertFile, reads it. */
export function isCsrContent(content: Buffer): boolean {
  if (splitPem(content.toString('latin1')).some((b) => /^(NEW )?CERTIFICATE REQUEST$/.test(b.type))) return true;
  if (content[0] !== 0x30) return false;
  try {
    readCsr(content);
    return true;
  } catch {
    return false;
  }
}

/** "RSA 2048", "EC prime256v1", "ed25519": the form certrules' key rule reads. */
function ruleKeyText(k: PublicKeyInfo): string {
  if (k.algorithm === 'rsaEncryption' || k.algorithm === 'rsassaPss') return `RSA ${k.bits ?? '?'}`;
  if (k.algorithm === 'id-ecPublicKey') return `EC ${k.curve ?? ''}`.trim();
  return k.algorithm.toLowerCase();
}

/** The role the request is for: by its file name (node.csr, client.USER.csr), else by what it asks for. */
function roleOf(fileName: string, cn: string | undefined, ekus: string[], hasIpSan: boolean): { rule: RuleRole; title: string } {
  const r = roleFromFilename(fileName.replace(/\.(csr|req|pem)$/, '.crt'));
  if (!r.badName && r.usage === 'Node') return { rule: { as: 'node' }, title: 'node certificate' };
  if (!r.badName && r.usage === 'Client' && r.name)
    return { rule: { as: 'client', user: r.name }, title: `client certificate for SQL user ${JSON.stringify(r.name)}` };
  if (cn === 'node' || ekus.includes('serverAuth') || hasIpSan) return { rule: { as: 'node' }, title: 'node certificate' };
  return { rule: { as: 'client', user: cn ?? '' }, title: `client certificate for SQL user ${JSON.stringify(cn ?? '')}` };
}

function describeOne(s: CsrStructure, index: number, fileName: string): DescribedCsr {
  const x = requestedExtensions(s);
  const cn = s.subject
    .flat()
    .filter((a) => a.name === 'CN')
    .pop()?.value;
  const sig = verifyCsrSignature(s);
  const sigName = signatureAlgorithmName(s.signatureAlgorithmOid);
  const role = roleOf(
    fileName,
    cn,
    x.extKeyUsageIds,
    x.sans.some((g) => g.type === 'IP Address'),
  );
  const rule: RuleCert = {
    ...(cn !== undefined ? { commonName: cn } : {}),
    sans: {
      dns: x.sans.filter((g) => g.type === 'DNS').map((g) => g.value),
      ip: x.sans.filter((g) => g.type === 'IP Address').map((g) => g.compact ?? g.value),
    },
    extKeyUsage: x.extKeyUsageIds,
    keyUsage: x.keyUsage.map((b) => b.id),
    isCA: x.basicConstraints?.ca ?? false,
    publicKey: ruleKeyText(s.publicKeyInfo),
    notBefore: new Date(0),
    notAfter: new Date(8.64e15),
  };
  const checks = roleResults(rule, role.rule, { now: new Date(1) })
    .filter((r) => r.code !== 'expired' && r.code !== 'not-yet-valid')
    .map((r) => ({
      ok: r.ok,
      text: `requested ${r.field} ${r.text}${r.ok ? '' : `; make the request again with "${role.rule.as === 'node' ? 'crdb-tls cert create-csr node <hosts>' : `crdb-tls cert create-csr client ${role.rule.as === 'client' ? role.rule.user : '<user>'}`} --certs-dir <dir>", or have the CA set it`}`,
    }));
  const d: DescribedCsr = {
    index,
    version: s.version,
    subject: formatName(s.subject),
    ...(cn !== undefined ? { commonName: cn } : {}),
    publicKey: { ...s.publicKeyInfo, summary: publicKeySummary(s.publicKeyInfo) },
    signatureAlgorithm: sigName,
    signatureValid: sig.valid ?? null,
    signatureText:
      sig.valid === true
        ? `${sigName}, verified: signed by the key it asks a certificate for`
        : sig.valid === false
          ? `${sigName}, DOES NOT VERIFY: the request was changed after it was signed, or signed with another key; CAs refuse it`
          : `${sigName}, not checked: ${sig.reason ?? 'unknown algorithm'}`,
    extensions: s.extensions.map((e) => ({ oid: e.oid, name: e.name, critical: e.critical, lines: extLines(e) })),
    sans: x.sans,
    keyUsage: x.keyUsage.map((b) => b.name),
    extKeyUsage: x.extKeyUsage.map((e) => e.name),
    extKeyUsageIds: x.extKeyUsageIds,
    requestsCa: x.basicConstraints?.ca ?? false,
    attributes: s.attributes,
    requestedRole: role.title,
    checks,
  };
  if (x.undecodable.length > 0) d.problem = `the requested ${x.undecodable.join(', ')} cannot be decoded; make the request again`;
  return d;
}

function extLines(e: CsrStructure['extensions'][number]): string[] {
  try {
    return extensionText(e);
  } catch (err) {
    return [`<could not decode: ${errMessage(err)}>`];
  }
}

function requestText(c: DescribedCsr, total: number): string[] {
  const out = [`Certificate Request ${c.index + 1} of ${total}`];
  if (c.problem) out.push(`    Problem: ${c.problem}`);
  out.push(`    Version: ${c.version} (0x${(c.version - 1).toString(16)})`);
  out.push(`    Subject: ${c.subject}`);
  out.push('    Subject Public Key Info:');
  const k = c.publicKey;
  out.push(`        Public Key Algorithm: ${k.algorithm}`);
  if (k.bits) out.push(`            Public-Key: (${k.bits} bit)`);
  if (k.exponent !== undefined) out.push(`            Exponent: ${k.exponent} (0x${k.exponent.toString(16)})`);
  if (k.curve) out.push(`            ASN1 OID: ${k.curve}`);
  if (k.nistCurve) out.push(`            NIST CURVE: ${k.nistCurve}`);
  out.push('    Attributes:');
  for (const a of c.attributes) out.push(`        ${a.name}: ${a.values.join(', ')}`);
  if (c.extensions.length === 0) out.push('        (no extensions requested)');
  else {
    out.push('        Requested Extensions:');
    for (const e of c.extensions) {
      out.push(`            ${e.name}:${e.critical ? ' critical' : ''}`);
      for (const l of e.lines) out.push(`                ${l}`);
    }
  }
  out.push(`    Signature Algorithm: ${c.signatureAlgorithm}`);
  out.push(`    Signature: ${c.signatureText}`);
  out.push(`    For CockroachDB (as a ${c.requestedRole}):`);
  for (const ch of c.checks) out.push(`        [${ch.ok ? 'ok' : 'problem'}] ${ch.text}`);
  return out;
}

/**
 * Describes a CSR file (PEM, one or more CERTIFICATE REQUEST blocks, or one DER request). Plain data
 * for the CLI and the editor's viewer; never throws: bad input gives a description that says what is
 * wrong and how to fix it.
 */
export function describeCsr(content: Buffer, path: string): CsrFileDescription {
  const name = basename(path);
  const head = [`Certificate signing request file: ${path}`];
  const fail = (problem: string): CsrFileDescription => ({
    kind: 'csr',
    path,
    text: [...head, '', `Problem: ${problem}`, ''].join('\n'),
    ok: false,
    problems: [problem],
    requests: [],
  });
  if (content.length === 0) return fail(`${name} is empty: make the request again with "crdb-tls cert create-csr".`);
  const blocks = splitPem(content.toString('latin1'));
  const ders: Buffer[] = [];
  const problems: string[] = [];
  if (blocks.length === 0) {
    if (content[0] !== 0x30)
      return fail(`${name} holds no PEM "BEGIN CERTIFICATE REQUEST" block: pass the request file (create-csr writes node.csr or client.USER.csr).`);
    ders.push(content);
  } else {
    for (let i = 0; i < blocks.length; i++) {
      if (/^(NEW )?CERTIFICATE REQUEST$/.test(blocks[i].type)) ders.push(blocks[i].der);
      else
        problems.push(
          `block #${i} in ${name} is ${blocks[i].type === 'CERTIFICATE' ? 'a certificate' : `of type ${blocks[i].type}`}, not a CERTIFICATE REQUEST: it is left out here; inspect it on its own.`,
        );
    }
    if (ders.length === 0) return fail(`${name} holds no CERTIFICATE REQUEST block (${problems.join(' ')})`);
  }
  const requests: DescribedCsr[] = [];
  for (let i = 0; i < ders.length; i++) {
    try {
      requests.push(describeOne(readCsr(ders[i]), i, name));
    } catch (err) {
      return fail(`request ${i + 1} in ${name} cannot be read (${errMessage(err)}): make the request again with "crdb-tls cert create-csr".`);
    }
  }
  for (const r of requests)
    if (r.signatureValid === false)
      problems.push(`request ${r.index + 1} in ${name} does not verify with its own public key: make the request again; do not edit a CSR after it is signed.`);
  const lines = [
    ...head,
    `Holds ${requests.length === 1 ? '1 request' : `${requests.length} requests`}: a CA signs it to issue the certificate; it is not a certificate CockroachDB can load.`,
  ];
  for (const p of problems) lines.push(`Problem: ${p}`);
  for (const r of requests) lines.push('', ...requestText(r, requests.length));
  const easyRsa = requests[0]?.requestedRole === 'node certificate' ? 'serverClient' : 'client';
  lines.push(
    '',
    `Next: have the CA sign it keeping its extensions (openssl ca -copy_extensions copy, easy-rsa sign-req ${easyRsa} --copy-ext), then`,
    `      "crdb-tls cert check CERT --ca CA --key ${name.replace(/\.(csr|req|pem)$/, '')}.key" and "crdb-tls cert import".`,
  );
  return { kind: 'csr', path, text: lines.join('\n') + '\n', ok: requests.every((r) => r.signatureValid !== false), problems, requests };
}
