/**
 * CockroachDB's rules for the certificate of each role, written once: `cert list` (files in a
 * certs dir), `cert check` and `cert import` (certificates from any issuer) and the editor ask
 * these. Plain data in (a CertInfo fits), plain data out; each caller words the fix its own way
 * (list: crdb-tls's own commands; check: the setting at the issuing CA).
 */

/** The facts about a certificate the rules need (pki's CertInfo has them all). */
export interface RuleCert {
  commonName?: string;
  sans: { dns: readonly string[]; ip: readonly string[] };
  /** Short ids (serverAuth, clientAuth); [] when the extension is absent (then any usage is allowed, as in Go). */
  extKeyUsage: readonly string[];
  /** RFC 5280 ids (digitalSignature, keyCertSign); [] when the extension is absent. */
  keyUsage: readonly string[];
  isCA: boolean;
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
}

/** CN and DNS SANs: the names CockroachDB maps to SQL users and node identities. */
export function principalsOf(c: Pick<RuleCert, 'commonName' | 'sans'>): string[] {
  return [...(c.commonName !== undefined ? [c.commonName] : []), ...c.sans.dns];
}

/** The EKUs a role needs: a node is a TLS server to clients and a TLS client to other nodes. */
export function requiredUsages(role: CertRole): string[] {
  if (role.as === 'node') return ['serverAuth', 'clientAuth'];
  if (role.as === 'client') return ['clientAuth'];
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

export interface RuleOptions {
  now: Date;
  /** A node cert only: the dir has client.node.crt, so node.crt need not name the node user (CockroachDB's rule). */
  hasClientNodeCert?: boolean;
}

/** Every rule `c` breaks for `role`, in a stable order. */
export function roleProblems(c: RuleCert, role: CertRole, o: RuleOptions): RuleProblem[] {
  const out: RuleProblem[] = [];
  const isCaRole = role.as === 'ca' || role.as === 'client-ca';
  if (isCaRole && !c.isCA) out.push({ code: 'ca', field: 'basicConstraints', problem: 'is not a CA certificate (basicConstraints CA:TRUE is missing)' });
  if (!isCaRole && c.isCA)
    out.push({ code: 'ca', field: 'basicConstraints', problem: 'is a CA certificate (basicConstraints CA:TRUE), not a leaf certificate' });
  if (isCaRole && c.keyUsage.length > 0 && !c.keyUsage.includes('keyCertSign'))
    out.push({ code: 'ca-key-usage', field: 'keyUsage', problem: 'lacks keyCertSign: TLS libraries refuse the certificates it signs' });
  const p = principalsOf(c);
  if (role.as === 'node' && !o.hasClientNodeCert && !p.includes('node'))
    out.push({
      code: 'principal',
      field: 'subject CN',
      problem: `has principals ${JSON.stringify(p)}, expected "node": nodes authenticate to each other as the user node`,
    });
  if (role.as === 'client' && !p.includes(role.user))
    out.push({
      code: 'principal',
      field: 'subject CN',
      problem: `has principals ${JSON.stringify(p)}, expected "${role.user}": CockroachDB logs a client certificate in as its CN (or a DNS SAN)`,
    });
  const need = requiredUsages(role);
  const missing = c.extKeyUsage.length === 0 ? [] : need.filter((u) => !c.extKeyUsage.includes(u));
  if (missing.length > 0)
    out.push({
      code: 'eku',
      field: 'extendedKeyUsage',
      missing,
      problem:
        role.as === 'node'
          ? `allows ${c.extKeyUsage.join(', ')} but lacks ${missing.join(' and ')}: a node is a TLS server to clients and a TLS client to other nodes, so without ${missing.join(' and ')} ${missing.includes('clientAuth') ? 'node-to-node connections fail (tls: bad certificate)' : 'clients refuse the node'}`
          : `allows ${c.extKeyUsage.join(', ')} but lacks clientAuth: the server refuses it as a client certificate (tls: bad certificate)`,
    });
  if (role.as === 'node' && c.sans.dns.length + c.sans.ip.length === 0)
    out.push({
      code: 'sans',
      field: 'subjectAltName',
      problem:
        'has no DNS or IP SANs: clients check the host they dial against the SANs only (Go ignores the CN), so every connection fails with "certificate is valid for ..., not <host>"',
    });
  const kt = keyTypeProblem(c.publicKey);
  if (kt) out.push({ code: 'key-type', field: 'public key', problem: kt });
  if (c.notAfter.getTime() <= o.now.getTime())
    out.push({ code: 'expired', field: 'notAfter', problem: `expired on ${c.notAfter.toISOString()}: CockroachDB and every client refuse it` });
  if (c.notBefore.getTime() > o.now.getTime())
    out.push({ code: 'not-yet-valid', field: 'notBefore', problem: `is not valid before ${c.notBefore.toISOString()}: check the issuing CA's clock` });
  return out;
}
