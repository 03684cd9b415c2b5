import { X509Certificate } from 'node:crypto';
import { basename } from 'node:path';
import { FileRole, Usage, isCaUsage, roleFromFilename } from '../cockroach/layout';
import { DEFAULT_THRESHOLDS, ExpiryStatus, ExpiryThresholds, daysLeft, expiryStatus, statusText } from '../cockroach/expiry';
import { colonHex } from './asn1';
import {
  BasicConstraints, GeneralName, OID, PublicKeyInfo, decodeBasicConstraints, decodeExtKeyUsage, decodeKeyUsage, decodePublicKeyInfo,
  decodeSubjectAltName, decodeSubjectKeyId, decodeAuthorityKeyId, readCertificate,
} from './x509der';
import { decodeName, formatName } from './x509name';
import { extensionText, serialColonHex, serialHex, serialText, signatureAlgorithmName } from './x509text';
import { errMessage } from '../errors';
import { findIssuer, issuedBy, keyEvidence } from './chain';
import { parseCertFile } from './inspect';
import { opensslPemProblems, opensslTrip } from './pem';
import { parseCertificate } from './x509';

/**
 * The "Inspect Certificate" document (editor) and `crdb-tls inspect` (CLI): what `openssl x509 -text`
 * shows, plus what the certificate means to CockroachDB, its expiry status and whether the cluster CA signed it.
 */

export interface DescribeInput {
  path: string;
  content: Buffer;
  now: Date;
  /** The file's CockroachDB role; from the file name when absent. */
  usage?: Usage;
  /** The CA file to check signatures against (ca.crt, or ca-client.crt for client certs when it exists). */
  clusterCa?: { path: string; content: Buffer };
  thresholds?: ExpiryThresholds;
}

export interface CertCheck {
  ok: boolean;
  text: string;
}

export interface ChainResult {
  /** False when there was no usable cluster CA file. */
  checked: boolean;
  /** The certificate of the cluster CA file that signed this one (index from 0). */
  signedBy?: { index: number; subject: string; serial: string; notAfter: string };
  text: string;
}

export interface DescribedExtension {
  oid: string;
  name: string;
  critical: boolean;
  /** The value as openssl prints it, one entry per line. */
  lines: string[];
}

export interface DescribedCert {
  /** Position in the file, from 0. */
  index: number;
  version: number;
  /** Lowercase colon hex of the serial's magnitude (the `openssl x509 -text` form for long serials). */
  serial: string;
  /** "Serial Number" as `openssl x509 -text` prints it: decimal and hex when short, else colon hex. */
  serialText: string;
  /** As `openssl x509 -serial` prints it: uppercase hex. */
  serialHex: string;
  signatureAlgorithm: string;
  issuer: string;
  subject: string;
  commonName?: string;
  notBefore: string;
  notAfter: string;
  publicKey: PublicKeyInfo & { summary: string };
  extensions: DescribedExtension[];
  /** openssl names, e.g. "Digital Signature". */
  keyUsage: string[];
  /** openssl names, e.g. "TLS Web Server Authentication"; unknown purposes as OIDs. */
  extKeyUsage: string[];
  extKeyUsageOids: string[];
  basicConstraints?: BasicConstraints;
  subjectKeyId?: string;
  authorityKeyId?: string;
  sans: GeneralName[];
  fingerprintSha256: string;
  isCA: boolean;
  selfSigned: boolean;
  status: ExpiryStatus;
  daysLeft: number;
  statusText: string;
  /** Share of the validity period already past, 0 to 100, one decimal. */
  lifetimeUsedPercent: number;
  checks: CertCheck[];
  chain: ChainResult;
  /** Set when some fields could not be decoded. */
  problem?: string;
}

export interface CertFileDescription {
  text: string;
  path: string;
  usage: Usage;
  /** "Node certificate (node.crt)". */
  role: string;
  /** False when the file could not be read as certificates at all. */
  ok: boolean;
  /**
   * Whether CockroachDB and clients can use it: read, its own certificate signed by the CA file
   * when one was checked, and within its validity. `inspect` exits 1 when not.
   */
  usable: boolean;
  /** What is wrong with the file and how to fix it. */
  problems: string[];
  certs: DescribedCert[];
}

const DAY_MS = 86_400_000;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "Nov 27 03:45:26 2026 GMT", as openssl prints validity dates. */
export function opensslDate(d: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} ${d.getUTCFullYear()} GMT`;
}

function iso(d: Date): string {
  return d.toISOString().replace('.000Z', 'Z');
}

function roleTitle(usage: Usage, role: FileRole, fileName: string): string {
  switch (usage) {
    case 'CA': return `cluster CA certificate (${fileName})`;
    case 'Client CA': return `client CA certificate (${fileName})`;
    case 'UI CA': return `DB Console (UI) CA certificate (${fileName})`;
    case 'Tenant Client CA': return `tenant client CA certificate (${fileName})`;
    case 'Node': return `node certificate (${fileName})`;
    case 'UI': return `DB Console (UI) certificate (${fileName})`;
    case 'Client': return `client certificate for SQL user ${JSON.stringify(role.name ?? '?')} (${fileName})`;
    case 'Tenant Client': return `tenant client certificate for tenant ${role.name ?? '?'} (${fileName})`;
    default: return `not a CockroachDB certificate file name (${fileName})`;
  }
}

function roleMeaning(usage: Usage, role: FileRole): string[] {
  const user = role.name ?? '<user>';
  switch (usage) {
    case 'CA': return [
      'Nodes trust every certificate in this file: node certificates, and client certificates unless a',
      'separate ca-client.crt exists, must be signed by one of them. New certificates are signed by the',
      'first one (its key, ca.key, stays outside the certs directory). During a CA rotation the file holds',
      'the new CA first and the old ones after it, so certificates signed by either stay valid.',
    ];
    case 'Client CA': return [
      'When this file exists, nodes verify client certificates against it instead of ca.crt, and client',
      'certificates must be signed by it. Nodes then also need client.node.crt, signed by it, to connect',
      'to each other. New client certificates are signed by the first certificate in the file.',
    ];
    case 'UI CA': return ['Signs ui.crt, the certificate the DB Console (HTTP) serves; browsers and tools that open the console must trust it.'];
    case 'Tenant Client CA': return ['Verifies the client certificates of tenant SQL servers (client-tenant.<id>.crt).'];
    case 'Node': return [
      'A node presents it as a TLS server (to SQL clients, other nodes and the DB Console unless ui.crt',
      'exists) and as a TLS client (to other nodes). Its CN must be node, its extended key usage must',
      'allow both serverAuth and clientAuth, and its SANs must name every host name and IP address used',
      'to reach the node. It must be signed by a certificate in ca.crt; its key is node.key.',
    ];
    case 'UI': return ['The DB Console (HTTP) serves it instead of node.crt. It needs serverAuth and SANs for the console host names, and is signed by ca-ui.crt (or ca.crt).'];
    case 'Client': return [
      `The CN is the SQL user it logs in as (${user}); CockroachDB requires it to match the user in the file`,
      'name. It needs the clientAuth extended key usage and must be signed by ca-client.crt when that',
      `exists, else by ca.crt. Its key is client.${user}.key (client.${user}.key.pk8 for Java/JDBC).`,
    ];
    case 'Tenant Client': return [`Identifies the SQL server of tenant ${user} to the cluster. It needs clientAuth and is signed by ca-client-tenant.crt (or ca.crt).`];
    default: return [
      `CockroachDB skips this file when it loads the certs directory (${role.badName ?? 'unknown name'}).`,
      'Rename it (ca.crt, node.crt, client.<user>.crt, …) if CockroachDB should use it.',
    ];
  }
}

interface Parsed {
  der: Buffer;
  x509: X509Certificate;
}

function publicKeySummary(k: PublicKeyInfo): string {
  if (k.algorithm === 'rsaEncryption' || k.algorithm === 'rsassaPss') return `RSA ${k.bits ?? '?'} bit`;
  if (k.algorithm === 'id-ecPublicKey') return `EC ${k.nistCurve ?? k.curve ?? ''} (${k.bits ?? '?'} bit)`.replace('  ', ' ');
  return k.bits ? `${k.algorithm} (${k.bits} bit)` : k.algorithm;
}

function safeLines(f: () => string[]): string[] {
  try {
    return f();
  } catch (err) {
    return [`<could not decode: ${errMessage(err)}>`];
  }
}

/** The fields `openssl x509 -text` shows, decoded from the DER; falls back to Node's view when the DER reader refuses it. */
function decodeCert(p: Parsed, index: number, now: Date, usage: Usage, thresholds: ExpiryThresholds): DescribedCert {
  const x = p.x509;
  const base = {
    index, fingerprintSha256: x.fingerprint256, isCA: x.ca,
    selfSigned: issuedBy(x, x),
    checks: [] as CertCheck[], chain: { checked: false, text: '' },
  };
  let d: DecodedFields;
  let nb: Date;
  let na: Date;
  try {
    const s = readCertificate(p.der);
    nb = s.notBefore;
    na = s.notAfter;
    const subjectRdns = decodeName(s.subject);
    const ext = (oid: string) => s.extensions.find((e) => e.oid === oid);
    const tryDecode = <T>(oid: string, f: (v: Buffer) => T): T | undefined => {
      const e = ext(oid);
      if (!e) return undefined;
      try { return f(e.value); } catch { return undefined; }
    };
    const eku = tryDecode(OID.extKeyUsage, decodeExtKeyUsage) ?? [];
    let pk: PublicKeyInfo;
    try {
      pk = decodePublicKeyInfo(s.spki);
    } catch {
      pk = { algorithm: String(x.publicKey.asymmetricKeyType) };
    }
    d = {
      version: s.version,
      serial: serialColonHex(s.serial),
      serialText: serialText(s.serial),
      serialHex: serialHex(s.serial),
      signatureAlgorithm: signatureAlgorithmName(s.signatureAlgorithmOid),
      issuer: formatName(decodeName(s.issuer)),
      subject: formatName(subjectRdns),
      commonName: subjectRdns.flat().filter((a) => a.name === 'CN').pop()?.value,
      notBefore: iso(nb), notAfter: iso(na),
      publicKey: { ...pk, summary: publicKeySummary(pk) },
      extensions: s.extensions.map((e) => ({ oid: e.oid, name: e.name, critical: e.critical, lines: safeLines(() => extensionText(e)) })),
      keyUsage: (tryDecode(OID.keyUsage, decodeKeyUsage) ?? []).map((b) => b.name),
      extKeyUsage: eku.map((e) => e.name),
      extKeyUsageOids: eku.map((e) => e.oid),
      basicConstraints: tryDecode(OID.basicConstraints, decodeBasicConstraints),
      subjectKeyId: tryDecode(OID.subjectKeyIdentifier, decodeSubjectKeyId),
      authorityKeyId: tryDecode(OID.authorityKeyIdentifier, decodeAuthorityKeyId)?.keyId,
      sans: tryDecode(OID.subjectAltName, decodeSubjectAltName) ?? [],
    };
  } catch (err) {
    nb = new Date(x.validFrom);
    na = new Date(x.validTo);
    if (Number.isNaN(nb.getTime()) || Number.isNaN(na.getTime())) throw new Error(`certificate ${index + 1} cannot be decoded: ${errMessage(err)}`);
    d = nodeView(x, `some fields could not be decoded (${errMessage(err)}); the values shown come from Node's X.509 parser. Reissue the certificate if CockroachDB rejects it.`);
  }
  const certUsage: Usage = usage === 'Unknown' && x.ca ? 'CA' : usage;
  const status = expiryStatus(certUsage, nb, na, now, thresholds);
  const left = daysLeft(na, now);
  const span = na.getTime() - nb.getTime();
  const used = span > 0 ? Math.min(100, Math.max(0, ((now.getTime() - nb.getTime()) / span) * 100)) : 100;
  return { ...base, ...d, status, daysLeft: left, statusText: statusText(status, left), lifetimeUsedPercent: Math.round(used * 10) / 10 };
}

type DecodedFields = Omit<DescribedCert, 'index' | 'fingerprintSha256' | 'isCA' | 'selfSigned' | 'checks' | 'chain' | 'status' | 'daysLeft' | 'statusText' | 'lifetimeUsedPercent'>;

/** What Node's X509Certificate tells, for a certificate our strict DER reader refuses. */
function nodeView(x: X509Certificate, problem: string): DecodedFields {
  const dn = (s: string) => s.split('\n').map((l) => l.replace('=', ' = ')).join(', ');
  const serial = colonHex(Buffer.from(x.serialNumber.length % 2 ? '0' + x.serialNumber : x.serialNumber, 'hex'), false);
  const d = x.publicKey.asymmetricKeyDetails;
  const bits = d?.modulusLength;
  return {
    version: 3, serial, serialText: serial, serialHex: x.serialNumber.toUpperCase(), signatureAlgorithm: '?',
    issuer: dn(x.issuer), subject: dn(x.subject), commonName: /(?:^|\n)CN=([^\n]*)/.exec(x.subject)?.[1],
    notBefore: iso(new Date(x.validFrom)), notAfter: iso(new Date(x.validTo)),
    publicKey: { algorithm: String(x.publicKey.asymmetricKeyType), bits, curve: d?.namedCurve, summary: `${String(x.publicKey.asymmetricKeyType).toUpperCase()}${bits ? ` ${bits} bit` : d?.namedCurve ? ` ${d.namedCurve}` : ''}` },
    extensions: [], keyUsage: [], extKeyUsage: [], extKeyUsageOids: [], sans: [], problem,
  };
}

function ipOrDnsSans(c: DescribedCert): string[] {
  return c.sans.filter((s) => s.type === 'DNS' || s.type === 'IP Address').map((s) => s.compact ?? s.value);
}

/** What CockroachDB needs from a certificate in this role. */
function roleChecks(c: DescribedCert, usage: Usage, role: FileRole): CertCheck[] {
  const checks: CertCheck[] = [];
  const hasEku = c.extensions.some((e) => e.oid === OID.extKeyUsage);
  const needEku = (oids: string[], why: string) => {
    const names = oids.map((o) => (o === OID.serverAuth ? 'serverAuth' : 'clientAuth')).join(' and ');
    if (!hasEku) checks.push({ ok: true, text: `no extended key usage extension: any purpose is allowed, including ${names}` });
    else if (oids.every((o) => c.extKeyUsageOids.includes(o))) checks.push({ ok: true, text: `extended key usage allows ${names} (${why})` });
    else checks.push({ ok: false, text: `extended key usage lacks ${oids.filter((o) => !c.extKeyUsageOids.includes(o)).map((o) => (o === OID.serverAuth ? 'serverAuth' : 'clientAuth')).join(' and ')}: ${why}; reissue the certificate` });
  };
  const needSans = () => {
    const sans = ipOrDnsSans(c);
    if (sans.length === 0) checks.push({ ok: false, text: 'no DNS or IP SANs: TLS clients check the host they dial against the SANs; reissue with every host name and IP address used to reach it' });
    else checks.push({ ok: true, text: `SANs ${sans.join(', ')}: every address clients and other nodes dial (--advertise-addr, load balancer names) must be one of these` });
  };
  if (isCaUsage(usage)) {
    if (c.isCA) checks.push({ ok: true, text: 'is a CA (basicConstraints CA:TRUE)' });
    else checks.push({ ok: false, text: 'is not a CA (basicConstraints CA:FALSE or missing): a CA file must hold only CA certificates; keep node and client certificates in their own files' });
    if (c.extensions.some((e) => e.oid === OID.keyUsage) && !c.keyUsage.includes('Certificate Sign')) {
      checks.push({ ok: false, text: 'key usage lacks Certificate Sign: TLS libraries refuse certificates it signs; create the CA again' });
    }
    return checks;
  }
  if (usage === 'Unknown') return checks;
  if (c.isCA) checks.push({ ok: false, text: 'is a CA certificate (basicConstraints CA:TRUE) in a leaf certificate file: put it in a CA file and issue a leaf certificate here' });
  if (usage === 'Node') {
    if (c.commonName === 'node') checks.push({ ok: true, text: 'CN is node: nodes authenticate to each other as the user node' });
    else checks.push({ ok: false, text: `CN is ${JSON.stringify(c.commonName ?? '')}, not node: CockroachDB requires CN=node in node.crt; reissue it with "crdb-tls cert create-node <hosts> --overwrite"` });
    needEku([OID.serverAuth, OID.clientAuth], 'a node is a TLS server to clients and a TLS client to other nodes');
    needSans();
  } else if (usage === 'UI') {
    needEku([OID.serverAuth], 'the DB Console serves it as a TLS server');
    needSans();
  } else if (usage === 'Client') {
    if (role.name !== undefined && c.commonName === role.name) checks.push({ ok: true, text: `CN is ${JSON.stringify(c.commonName)}: it logs in as SQL user ${c.commonName}` });
    else if (role.name === undefined) checks.push({ ok: true, text: `CN is ${JSON.stringify(c.commonName ?? '')}: the SQL user it logs in as` });
    else checks.push({ ok: false, text: `CN is ${JSON.stringify(c.commonName ?? '')}, but the file name says user ${JSON.stringify(role.name)}: CockroachDB rejects the mismatch; rename the file to client.${c.commonName ?? '<cn>'}.crt or reissue it with "crdb-tls cert create-client ${role.name} --overwrite"` });
    needEku([OID.clientAuth], 'a SQL client authenticates with it');
  } else if (usage === 'Tenant Client') {
    needEku([OID.clientAuth], 'the tenant SQL server authenticates with it');
  }
  return checks;
}

interface CaFile {
  path: string;
  certs: Parsed[];
  error?: string;
}

function loadCa(ca: DescribeInput['clusterCa']): CaFile | undefined {
  if (!ca) return undefined;
  const r = parseCertFile(ca.content, ca.path);
  if (!r.ok) return { path: ca.path, certs: [], error: r.error };
  return { path: ca.path, certs: r.certs.map((x) => ({ der: x.raw, x509: x })) };
}

function chainOf(c: DescribedCert, p: Parsed, usage: Usage, ca: CaFile | undefined): ChainResult {
  const self = c.selfSigned ? ' It is self-signed (a root CA).' : '';
  if (!ca) return { checked: false, text: `not checked: no cluster CA file given.${self}` };
  const caName = basename(ca.path);
  if (ca.error) return { checked: false, text: `not checked: the CA file cannot be used: ${ca.error}` };
  const n = ca.certs.length;
  const m = findIssuer(p.x509, ca.certs.map((k) => k.x509));
  if (m.signed) {
    const at = m.index;
    const k = ca.certs[at];
    const kd = decodeCert(k, at, new Date(0), 'CA', DEFAULT_THRESHOLDS);
    const signedBy = { index: at, subject: kd.subject, serial: kd.serial, notAfter: kd.notAfter };
    const same = k.x509.fingerprint256 === c.fingerprintSha256;
    const who = `certificate ${at + 1} of ${n} in ${ca.path}${at === 0 ? ' (the one that signs new certificates)' : ''}`;
    const text = same
      ? `self-signed; it is ${who}.`
      : `signed by ${who}: ${kd.subject}, serial ${kd.serial}, valid until ${kd.notAfter}.`;
    return { checked: true, signedBy, text };
  }
  if (isCaUsage(usage) && c.selfSigned) {
    return { checked: true, text: `a self-signed root that is not in ${ca.path}; that is expected only for a separate CA (ca-client.crt, ca-ui.crt, ca-client-tenant.crt).` };
  }
  const lines = [`NOT signed by ${n === 1 ? 'the certificate' : `any of the ${n} certificates`} in ${ca.path} (its issuer is ${c.issuer}).${self}`];
  if (m.sameName) {
    lines.push(`Certificate ${m.sameName.index + 1} of ${caName} has the issuer's name, but its key did not sign this certificate (${keyEvidence(m.sameName)}): it comes from another CA with the same name (for example a CA created again with a new key).`);
  }
  lines.push(`CockroachDB will reject it. Fix: reissue it with the key of the first certificate of ${caName}` +
    (usage === 'Node' ? ' ("crdb-tls cert create-node <hosts> --ca-key <ca.key> --overwrite")' : usage === 'Client' ? ` ("crdb-tls cert create-client ${c.commonName ?? '<user>'} --ca-key <ca.key> --overwrite")` : '') +
    `, or, if its CA should stay trusted (during a CA rotation), append that CA's certificate to ${caName}.`);
  return { checked: true, text: lines.join(' ') };
}

function certText(c: DescribedCert, total: number, usage: Usage): string[] {
  const out: string[] = [];
  let title = `Certificate ${c.index + 1} of ${total}`;
  if (isCaUsage(usage)) title += c.index === 0 ? ' (signs new certificates)' : ' (still trusted; no longer signs)';
  else if (total > 1) title += c.index === 0 ? ' (this file\'s own certificate)' : ' (sent along as part of its chain)';
  out.push(title);
  if (c.problem) out.push(`    Problem: ${c.problem}`);
  const serial = c.serialText;
  out.push(`    Version: ${c.version} (0x${(c.version - 1).toString(16)})`);
  out.push(serial.includes('(0x') ? `    Serial Number: ${serial}` : `    Serial Number:\n        ${serial}`);
  out.push(`    Signature Algorithm: ${c.signatureAlgorithm}`);
  out.push(`    Issuer: ${c.issuer}`);
  out.push('    Validity');
  out.push(`        Not Before: ${opensslDate(new Date(c.notBefore))} (${c.notBefore})`);
  out.push(`        Not After : ${opensslDate(new Date(c.notAfter))} (${c.notAfter})`);
  out.push(`    Subject: ${c.subject}`);
  out.push('    Subject Public Key Info:');
  const k = c.publicKey;
  out.push(`        Public Key Algorithm: ${k.algorithm}`);
  if (k.bits) out.push(`            Public-Key: (${k.bits} bit)`);
  if (k.exponent !== undefined) out.push(`            Exponent: ${k.exponent} (0x${k.exponent.toString(16)})`);
  if (k.curve) out.push(`            ASN1 OID: ${k.curve}`);
  if (k.nistCurve) out.push(`            NIST CURVE: ${k.nistCurve}`);
  if (c.extensions.length > 0) {
    out.push('    X509v3 extensions:');
    for (const e of c.extensions) {
      out.push(`        ${e.name}:${e.critical ? ' critical' : ''}`);
      for (const l of e.lines) out.push(`            ${l}`);
    }
  }
  out.push(`    SHA-256 Fingerprint: ${c.fingerprintSha256}`);
  out.push(`    Status: ${c.statusText}${c.status === 'expiring' ? ' — plan its rotation' : c.status === 'expired' ? ' — TLS handshakes with it fail; reissue it' : c.status === 'not-yet-valid' ? ` — valid from ${c.notBefore}; check this machine's clock` : ''}`);
  out.push(`    Lifetime used: ${c.lifetimeUsedPercent}% (${Math.round((Date.parse(c.notAfter) - Date.parse(c.notBefore)) / DAY_MS)} days in all)`);
  if (c.checks.length > 0) {
    out.push('    For CockroachDB:');
    for (const ch of c.checks) out.push(`        [${ch.ok ? 'ok' : 'problem'}] ${ch.text}`);
  }
  return out;
}

function asOf(now: Date): string {
  return `As of: ${now.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** Never throws: bad input gives a description that says what is wrong and how to fix it. */
export function describeCertFile(input: DescribeInput): CertFileDescription {
  const fileName = basename(input.path);
  // CockroachDB only loads *.crt files; "ca.key" must not pass for a CA certificate.
  const fileRole: FileRole = fileName.endsWith('.crt') ? roleFromFilename(fileName) : { usage: 'Unknown', badName: 'it only loads files ending in .crt' };
  const usage = input.usage ?? fileRole.usage;
  const role = roleTitle(usage, fileRole, fileName);
  const head = [`Certificate file: ${input.path}`, `CockroachDB role: ${role}`];
  const fail = (problem: string): CertFileDescription => ({
    text: [...head, asOf(input.now), '', `Problem: ${problem}`, ''].join('\n'), path: input.path, usage, role, ok: false, usable: false, problems: [problem], certs: [],
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
      problems.push(`${fileName} is a DER (binary) certificate, but CockroachDB reads PEM only: convert it with "openssl x509 -inform der -in ${fileName} -out ${fileName}.pem" and use the PEM file.`);
      parsed = [der];
    }
    const ca = loadCa(input.clusterCa);
    const thresholds = input.thresholds ?? DEFAULT_THRESHOLDS;
    const certs = parsed.map((p, i) => {
      const c = decodeCert(p, i, input.now, usage, thresholds);
      c.checks = roleChecks(c, i === 0 || isCaUsage(usage) ? usage : 'Unknown', fileRole);
      c.chain = chainOf(c, p, usage, ca);
      return c;
    });
    const lines = [...head];
    lines.push(...roleMeaning(usage, fileRole).map((l) => `  ${l}`));
    lines.push(certs.length === 1 ? 'Holds 1 certificate.' : `Holds ${certs.length} certificates${isCaUsage(usage) ? ': CockroachDB signs new certificates with the first and trusts all of them.' : ': the first is the file\'s own, the rest its chain.'}`);
    lines.push(asOf(input.now));
    for (const p of problems) lines.push(`Problem: ${p}`);
    for (const c of certs) lines.push('', ...certText(c, certs.length, usage));
    lines.push('', ca ? `Chain (against ${ca.path}${ca.certs.length ? `, ${ca.certs.length} certificate${ca.certs.length > 1 ? 's' : ''}` : ''})` : 'Chain');
    for (const c of certs) lines.push(`    Certificate ${c.index + 1}${c.commonName !== undefined ? ` (CN = ${c.commonName})` : ''}: ${c.chain.text}`);
    const own = certs[0];
    const usable = !!own && !(own.chain.checked && !own.chain.signedBy) && own.status !== 'expired' && own.status !== 'not-yet-valid';
    return { text: lines.join('\n') + '\n', path: input.path, usage, role, ok: true, usable, problems, certs };
  } catch (err) {
    return fail(`${fileName} holds a certificate that cannot be read (${errMessage(err)}): reissue it or restore it from a backup.`);
  }
}

function tryDer(content: Buffer): Parsed | undefined {
  if (content.length === 0 || content[0] !== 0x30) return undefined;
  try {
    const x = parseCertificate(content);
    return { der: x.raw, x509: x };
  } catch {
    return undefined;
  }
}
