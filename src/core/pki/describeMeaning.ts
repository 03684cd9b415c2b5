import { basename } from 'node:path';
import { FileRole, Usage, isCaUsage, roleFromFilename } from '../cockroach/layout';
import { DEFAULT_THRESHOLDS } from '../cockroach/expiry';
import { RuleCert, RuleResult, roleResults, ruleRoleForUsage } from '../cockroach/certrules';
import { findIssuer, keyEvidence } from './chain';
import { parseCertFile } from './inspect';
import { decodeCert } from './describeDecode';
import { CertCheck, ChainResult, DescribeInput, DescribedCert, Parsed } from './describeTypes';

/**
 * What a certificate means to CockroachDB, for describe.ts: its role by file name and usage, the
 * checks CockroachDB makes of a certificate in that role, and whether the cluster CA file signed it.
 */

/** The file's role by its name; CockroachDB only loads *.crt files, so "ca.key" must not pass for a CA certificate. */
export function certFileRole(fileName: string): FileRole {
  return fileName.endsWith('.crt') ? roleFromFilename(fileName) : { usage: 'Unknown', badName: 'it only loads files ending in .crt' };
}

export function roleTitle(usage: Usage, role: FileRole, fileName: string): string {
  switch (usage) {
    case 'CA':
      return `cluster CA certificate (${fileName})`;
    case 'Client CA':
      return `client CA certificate (${fileName})`;
    case 'UI CA':
      return `DB Console (UI) CA certificate (${fileName})`;
    case 'Tenant Client CA':
      return `tenant client CA certificate (${fileName})`;
    case 'Node':
      return `node certificate (${fileName})`;
    case 'UI':
      return `DB Console (UI) certificate (${fileName})`;
    case 'Client':
      return `client certificate for SQL user ${JSON.stringify(role.name ?? '?')} (${fileName})`;
    case 'Tenant Client':
      return `tenant client certificate for tenant ${role.name ?? '?'} (${fileName})`;
    default:
      return `not a CockroachDB certificate file name (${fileName})`;
  }
}

export function roleMeaning(usage: Usage, role: FileRole): string[] {
  const user = role.name ?? '<user>';
  switch (usage) {
    case 'CA':
      return [
        'Nodes trust every certificate in this file: node certificates, and client certificates unless a',
        'separate ca-client.crt exists, must be signed by one of them. New certificates are signed by the',
        'first one (its key, ca.key, stays outside the certs directory). During a CA rotation the file holds',
        'the new CA first and the old ones after it, so certificates signed by either stay valid.',
      ];
    case 'Client CA':
      return [
        'When this file exists, nodes verify client certificates against it instead of ca.crt, and client',
        'certificates must be signed by it. Nodes then also need client.node.crt, signed by it, to connect',
        'to each other. New client certificates are signed by the first certificate in the file.',
      ];
    case 'UI CA':
      return ['Signs ui.crt, the certificate the DB Console (HTTP) serves; browsers and tools that open the console must trust it.'];
    case 'Tenant Client CA':
      return ['Verifies the client certificates of tenant SQL servers (client-tenant.<id>.crt).'];
    case 'Node':
      return [
        'A node presents it as a TLS server (to SQL clients, other nodes and the DB Console unless ui.crt',
        'exists) and as a TLS client (to other nodes). Its CN must be node, its extended key usage must',
        'allow both serverAuth and clientAuth, and its SANs must name every host name and IP address used',
        'to reach the node. It must be signed by a certificate in ca.crt; its key is node.key.',
      ];
    case 'UI':
      return [
        'The DB Console (HTTP) serves it instead of node.crt. It needs serverAuth and SANs for the console host names, and is signed by ca-ui.crt (or ca.crt).',
      ];
    case 'Client':
      return [
        `The CN is the SQL user it logs in as (${user}); CockroachDB requires it to match the user in the file`,
        'name. It needs the clientAuth extended key usage and must be signed by ca-client.crt when that',
        `exists, else by ca.crt. Its key is client.${user}.key (client.${user}.key.pk8 for Java/JDBC).`,
      ];
    case 'Tenant Client':
      return [`Identifies the SQL server of tenant ${user} to the cluster. It needs clientAuth and is signed by ca-client-tenant.crt (or ca.crt).`];
    default:
      return [
        `CockroachDB skips this file when it loads the certs directory (${role.badName ?? 'unknown name'}).`,
        'Rename it (ca.crt, node.crt, client.<user>.crt, …) if CockroachDB should use it.',
      ];
  }
}

/** How to fix a broken rule with crdb-tls, for the role the file name gives (cert check words the fix at an outside CA instead). */
function fixFor(r: RuleResult, usage: Usage, role: FileRole, c: RuleCert): string {
  if (r.code === 'ca')
    return isCaUsage(usage)
      ? 'a CA file must hold only CA certificates; keep node and client certificates in their own files'
      : 'put it in a CA file and issue a leaf certificate here';
  if (r.code === 'ca-key-usage') return 'create the CA again';
  if (r.code === 'principal' && usage === 'Node') return 'reissue it with "crdb-tls cert create-node <hosts> --overwrite"';
  if (r.code === 'principal')
    return `rename the file to client.${c.commonName ?? '<cn>'}.crt or reissue it with "crdb-tls cert create-client ${role.name ?? '<user>'} --overwrite"`;
  if (r.code === 'sans') return 'reissue it with every host name and IP address used to reach it';
  if (r.code === 'key-type') return 'reissue it with "--key-type ecdsa" or an RSA key of 2048 bits or more';
  return 'reissue the certificate';
}

/**
 * What CockroachDB needs from a certificate in this role: cockroach/certrules's rules, kept and
 * broken, each broken one with its fix. Validity is left out: the expiry status says it.
 */
export function roleChecks(c: RuleCert, usage: Usage, role: FileRole): CertCheck[] {
  const rr = ruleRoleForUsage(usage, role.name ?? (usage === 'Client' ? (c.commonName ?? '') : undefined));
  if (!rr) return [];
  return roleResults(c, rr, { now: c.notBefore })
    .filter((r) => r.code !== 'expired' && r.code !== 'not-yet-valid')
    .map((r) => ({ ok: r.ok, text: r.ok ? `${r.field} ${r.text}` : `${r.field} ${r.text}; ${fixFor(r, usage, role, c)}` }));
}

export interface CaFile {
  path: string;
  certs: Parsed[];
  error?: string;
}

export function loadCa(ca: DescribeInput['clusterCa']): CaFile | undefined {
  if (!ca) return undefined;
  const r = parseCertFile(ca.content, ca.path);
  if (!r.ok) return { path: ca.path, certs: [], error: r.error };
  return { path: ca.path, certs: r.certs.map((x) => ({ der: x.raw, x509: x })) };
}

export function chainOf(c: DescribedCert, p: Parsed, usage: Usage, ca: CaFile | undefined): ChainResult {
  const self = c.selfSigned ? ' It is self-signed (a root CA).' : '';
  if (!ca) return { checked: false, text: `not checked: no cluster CA file given.${self}` };
  const caName = basename(ca.path);
  if (ca.error) return { checked: false, text: `not checked: the CA file cannot be used: ${ca.error}` };
  const n = ca.certs.length;
  const m = findIssuer(
    p.x509,
    ca.certs.map((k) => k.x509),
  );
  if (m.signed) {
    const at = m.index;
    const k = ca.certs[at];
    const kd = decodeCert(k, at, new Date(0), 'CA', DEFAULT_THRESHOLDS);
    const signedBy = { index: at, subject: kd.subject, serial: kd.serial, notAfter: kd.notAfter };
    const same = k.x509.fingerprint256 === c.fingerprintSha256;
    const who = `certificate ${at + 1} of ${n} in ${ca.path}${at === 0 ? ' (the one that signs new certificates)' : ''}`;
    const text = same ? `self-signed; it is ${who}.` : `signed by ${who}: ${kd.subject}, serial ${kd.serial}, valid until ${kd.notAfter}.`;
    return { checked: true, signedBy, text };
  }
  if (isCaUsage(usage) && c.selfSigned) {
    return {
      checked: true,
      text: `a self-signed root that is not in ${ca.path}; that is expected only for a separate CA (ca-client.crt, ca-ui.crt, ca-client-tenant.crt).`,
    };
  }
  const lines = [`NOT signed by ${n === 1 ? 'the certificate' : `any of the ${n} certificates`} in ${ca.path} (its issuer is ${c.issuer}).${self}`];
  if (m.sameName) {
    lines.push(
      `Certificate ${m.sameName.index + 1} of ${caName} has the issuer's name, but its key did not sign this certificate (${keyEvidence(m.sameName)}): it comes from another CA with the same name (for example a CA created again with a new key).`,
    );
  }
  lines.push(
    `CockroachDB will reject it. Fix: reissue it with the key of the first certificate of ${caName}` +
      (usage === 'Node'
        ? ' ("crdb-tls cert create-node <hosts> --ca-key <ca.key> --overwrite")'
        : usage === 'Client'
          ? ` ("crdb-tls cert create-client ${c.commonName ?? '<user>'} --ca-key <ca.key> --overwrite")`
          : '') +
      `, or, if its CA should stay trusted (during a CA rotation), append that CA's certificate to ${caName}.`,
  );
  return { checked: true, text: lines.join(' ') };
}
