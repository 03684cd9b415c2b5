/**
 * CockroachDB's rules for the certificate of each role, written once: `cert list` (files in a
 * certs dir), `cert check` and `cert import` (certificates from any issuer) and the editor ask
 * these. Plain data in (a CertInfo fits), plain data out; each caller words the fix its own way
 * (list: crdb-tls's own commands; check: the setting at the issuing CA).
 */
import type { Usage } from './layout';

/** The facts about a certificate the rules need (pki's CertInfo has them all). */
export interface RuleCert {
  commonName?: string;
  sans: { dns: readonly string[]; ip: readonly string[] };
  /** Short ids (serverAuth, clientAuth); [] when the extension is absent (then any usage is allowed, as in Go). */
  extKeyUsage: readonly string[];
  /** RFC 5280 ids (digitalSignature, keyCertSign); [] when the extension is absent. */
  keyUsage: readonly string[];
  isCA: boolean;
  /**
   * The basicConstraints extension as written, when present. It decides the CA rules: Node's (OpenSSL's)
   * isCA is false for a CA:TRUE certificate whose keyUsage lacks keyCertSign, which is a different rule.
   */
  basicConstraints?: { ca: boolean };
  /** "RSA 2048", "EC prime256v1", "ed25519". */
  publicKey: string;
  notBefore: Date;
  notAfter: Date;
}

/** The role a certificate is checked for: `--as node|client USER|ca|client-ca`. */
export type CertRole = { as: 'node' } | { as: 'client'; user: string } | { as: 'ca' } | { as: 'client-ca' };

export type RuleCode = 'principal' | 'eku' | 'sans' | 'ca' | 'ca-key-usage' | 'key-type' | 'expired' | 'not-yet-valid';

/** One broken rule: `field` names the certificate field, `problem` what is wrong and what CockroachDB then does (no fix). */
export interface RuleProblem {
  code: RuleCode;
  field: string;
  problem: string;
  /** For eku: the usages that are missing. */
  missing?: string[];
  /** Broken, but CockroachDB itself still loads and uses it (some clients refuse it): `cert list` reports it as a warning. */
  warning?: true;
}

/** CN and DNS SANs: the names CockroachDB maps to SQL users and node identities. */
export function principalsOf(c: Pick<RuleCert, 'commonName' | 'sans'>): string[] {
  return [...(c.commonName !== undefined ? [c.commonName] : []), ...c.sans.dns];
}

/** The EKUs a role needs: a node is a TLS server to clients and a TLS client to other nodes. */
export function requiredUsages(role: RuleRole): string[] {
  if (role.as === 'node') return ['serverAuth', 'clientAuth'];
  if (role.as === 'client' || role.as === 'tenant-client') return ['clientAuth'];
  if (role.as === 'ui') return ['serverAuth'];
  return [];
}

/** Key types CockroachDB (Go), libpq/OpenSSL, pgjdbc and node-postgres all accept for TLS. */
export const ACCEPTED_EC_CURVES = ['prime256v1', 'secp384r1', 'secp521r1'];
export const MIN_RSA_BITS = 2048;
export const MAX_RSA_BITS = 8192;

/** Why the key is not one CockroachDB and the common clients accept, or undefined. */
export function keyTypeProblem(publicKey: string): string | undefined {
  const rsa = /^RSA (\d+)$/.exec(publicKey);
  if (rsa) {
    const bits = Number(rsa[1]);
    if (bits < MIN_RSA_BITS) return `is ${publicKey} bits: OpenSSL (libpq, psql) at its default security level refuses RSA keys under ${MIN_RSA_BITS} bits`;
    if (bits > MAX_RSA_BITS) return `is ${publicKey} bits: Go (CockroachDB) refuses RSA keys over ${MAX_RSA_BITS} bits in TLS`;
    return undefined;
  }
  const ec = /^EC (\S+)$/.exec(publicKey);
  if (ec && ACCEPTED_EC_CURVES.includes(ec[1])) return undefined;
  return `is ${publicKey}: CockroachDB and its clients accept RSA (${MIN_RSA_BITS} to ${MAX_RSA_BITS} bits) and ECDSA on P-256, P-384 or P-521 only`;
}

/**
 * Whether CockroachDB itself (Go's crypto/tls and x509) refuses the key, not only some clients: RSA
 * under 1024 bits (Go 1.24+) or over 8192, EC keys on curves Go does not know, and key types TLS has
 * no signature for. RSA 1024 to 2047 bits and Ed25519 work with CockroachDB but not with every client
 * (keyTypeProblem). `cert list` reports these as errors, the others as warnings.
 */
export function cockroachRefusesKey(publicKey: string): boolean {
  const rsa = /^RSA (\d+)$/.exec(publicKey);
  if (rsa) return Number(rsa[1]) < 1024 || Number(rsa[1]) > MAX_RSA_BITS;
  const ec = /^EC (\S+)$/.exec(publicKey);
  if (ec) return ![...ACCEPTED_EC_CURVES, 'secp224r1'].includes(ec[1]);
  return publicKey !== 'ed25519';
}

export interface RuleOptions {
  now: Date;
  /** A node cert only: the dir has client.node.crt, so node.crt need not name the node user (CockroachDB's rule). */
  hasClientNodeCert?: boolean;
}

/**
 * The roles the rules know: cert check's four, and the DB Console (ui.crt) and tenant client
 * (client-tenant.ID.crt) certificates a certs dir may hold, which `inspect` and `list` check too.
 */
export type RuleRole = CertRole | { as: 'ui' } | { as: 'tenant-client' };

/** One rule applied: broken (`ok` false, `text` the problem, as RuleProblem's) or kept (`text` says what holds and why it matters). */
export interface RuleResult {
  code: RuleCode;
  field: string;
  ok: boolean;
  text: string;
  missing?: string[];
  /** Broken, but only some clients refuse it, not CockroachDB (see RuleProblem.warning). */
  warning?: true;
}

/** The role a file of `usage` is checked as; `name` is the user in client.USER.crt. UI and tenant CAs are CAs. */
export function ruleRoleForUsage(usage: Usage, name: string | undefined): RuleRole | undefined {
  switch (usage) {
    case 'Node':
      return { as: 'node' };
    case 'UI':
      return { as: 'ui' };
    case 'Client':
      return name !== undefined ? { as: 'client', user: name } : undefined;
    case 'Tenant Client':
      return { as: 'tenant-client' };
    case 'CA':
    case 'UI CA':
    case 'Tenant Client CA':
      return { as: 'ca' };
    case 'Client CA':
      return { as: 'client-ca' };
    default:
      return undefined;
  }
}

/** Why each role needs its EKUs, as the rule texts say it. */
const EKU_WHY: Record<string, string> = {
  node: 'a node is a TLS server to clients and a TLS client to other nodes',
  client: 'a SQL client authenticates with it',
  ui: 'the DB Console serves it as a TLS server',
  'tenant-client': 'the tenant SQL server authenticates with it',
};

function ekuProblem(role: RuleRole, has: readonly string[], missing: string[]): string {
  const lacks = `allows ${has.join(', ')} but lacks ${missing.join(' and ')}`;
  if (role.as === 'node')
    return `${lacks}: ${EKU_WHY.node}, so without ${missing.join(' and ')} ${missing.includes('clientAuth') ? 'node-to-node connections fail (tls: bad certificate)' : 'clients refuse the node'}`;
  if (role.as === 'ui') return `${lacks}: ${EKU_WHY.ui}, so browsers and tools refuse it`;
  return `${lacks}: the server refuses it as a client certificate (tls: bad certificate)`;
}

function principalResult(c: RuleCert, role: RuleRole, o: RuleOptions): RuleResult | undefined {
  const p = principalsOf(c);
  const field = 'subject CN';
  if (role.as === 'node') {
    if (o.hasClientNodeCert) return { code: 'principal', field, ok: true, text: 'need not name node: client.node.crt authenticates the node user' };
    if (p.includes('node'))
      return {
        code: 'principal',
        field,
        ok: true,
        text: `${c.commonName === 'node' ? 'is node' : 'does not name node, a DNS SAN does'}: nodes authenticate to each other as the user node`,
      };
    return {
      code: 'principal',
      field,
      ok: false,
      text: `has principals ${JSON.stringify(p)}, expected "node": nodes authenticate to each other as the user node`,
    };
  }
  if (role.as !== 'client') return undefined;
  const u = role.user;
  if (p.includes(u))
    return {
      code: 'principal',
      field,
      ok: true,
      text: `${c.commonName === u ? `is ${JSON.stringify(u)}` : `does not name ${JSON.stringify(u)}, a DNS SAN does`}: it logs in as SQL user ${u}`,
    };
  return {
    code: 'principal',
    field,
    ok: false,
    text: `has principals ${JSON.stringify(p)}, expected "${u}": CockroachDB logs a client certificate in as its CN (or a DNS SAN)`,
  };
}

/**
 * Every rule CockroachDB applies to `c` in `role`, in a stable order, kept or broken. Rules that only
 * speak when broken (a leaf that is not a CA, a CA's keyUsage, validity) give no result when kept.
 */
export function roleResults(c: RuleCert, role: RuleRole, o: RuleOptions): RuleResult[] {
  const out: RuleResult[] = [];
  const fail = (code: RuleCode, field: string, text: string, missing?: string[], warning?: boolean) =>
    out.push({ code, field, ok: false, text, ...(missing ? { missing } : {}), ...(warning ? { warning: true as const } : {}) });
  const pass = (code: RuleCode, field: string, text: string) => out.push({ code, field, ok: true, text });
  const isCaRole = role.as === 'ca' || role.as === 'client-ca';
  const isCA = c.basicConstraints ? c.basicConstraints.ca : c.isCA;
  if (isCaRole && !isCA) fail('ca', 'basicConstraints', 'is not a CA certificate (basicConstraints CA:TRUE is missing)');
  if (isCaRole && isCA) pass('ca', 'basicConstraints', 'is CA:TRUE: a CA certificate');
  // Go (CockroachDB) does not look at a leaf's CA flag; some clients refuse such a leaf.
  if (!isCaRole && isCA) fail('ca', 'basicConstraints', 'is a CA certificate (basicConstraints CA:TRUE), not a leaf certificate', undefined, true);
  if (isCaRole && c.keyUsage.length > 0 && !c.keyUsage.includes('keyCertSign'))
    fail('ca-key-usage', 'keyUsage', 'lacks keyCertSign: TLS libraries refuse the certificates it signs');
  const pr = principalResult(c, role, o);
  if (pr) out.push(pr);
  const need = requiredUsages(role);
  if (need.length > 0) {
    const names = need.join(' and ');
    const missing = c.extKeyUsage.length === 0 ? [] : need.filter((u) => !c.extKeyUsage.includes(u));
    if (missing.length > 0) fail('eku', 'extendedKeyUsage', ekuProblem(role, c.extKeyUsage, missing), missing);
    else if (c.extKeyUsage.length === 0) pass('eku', 'extendedKeyUsage', `is absent: any purpose is allowed, including ${names}`);
    else pass('eku', 'extendedKeyUsage', `allows ${names} (${EKU_WHY[role.as]})`);
  }
  if (role.as === 'node' || role.as === 'ui') {
    const sans = [...c.sans.dns, ...c.sans.ip];
    if (sans.length === 0)
      fail(
        'sans',
        'subjectAltName',
        'has no DNS or IP SANs: clients check the host they dial against the SANs only (Go ignores the CN), so every connection fails with "certificate is valid for ..., not <host>"',
      );
    else
      pass(
        'sans',
        'subjectAltName',
        `is ${sans.join(', ')}: every address clients${role.as === 'node' ? ' and other nodes' : ''} dial (${role.as === 'node' ? '--advertise-addr, load balancer names' : 'the DB Console URL'}) must be one of these`,
      );
  }
  const kt = keyTypeProblem(c.publicKey);
  if (kt) fail('key-type', 'public key', kt, undefined, !cockroachRefusesKey(c.publicKey));
  else pass('key-type', 'public key', `is ${c.publicKey}: CockroachDB and its clients accept it`);
  if (c.notAfter.getTime() <= o.now.getTime()) fail('expired', 'notAfter', `expired on ${c.notAfter.toISOString()}: CockroachDB and every client refuse it`);
  if (c.notBefore.getTime() > o.now.getTime())
    fail('not-yet-valid', 'notBefore', `is not valid before ${c.notBefore.toISOString()}: check the issuing CA's clock`);
  return out;
}

/** Every rule `c` breaks for `role`, in a stable order. */
export function roleProblems(c: RuleCert, role: RuleRole, o: RuleOptions): RuleProblem[] {
  return roleResults(c, role, o)
    .filter((r) => !r.ok)
    .map((r) => ({
      code: r.code,
      field: r.field,
      problem: r.text,
      ...(r.missing ? { missing: r.missing } : {}),
      ...(r.warning ? { warning: r.warning } : {}),
    }));
}
