/**
 * The fix at the issuing CA for each CockroachDB rule a certificate from another issuer breaks:
 * one sentence per rule, naming the setting in easy-rsa, openssl, cfssl, Vault and cert-manager.
 * `cert check`, `cert import` and the editor show these; README "Certificates from another CA"
 * has the whole recipes. A file name is fixed where the file is installed, not at the CA (fixText).
 */
import type { CertRole, RuleCode } from '../cockroach/certrules';

export type CheckCode = RuleCode | 'host' | 'chain' | 'key' | 'file-name' | 'signature' | 'parse' | 'csr-sans' | 'csr-key' | 'csr';

/** What fixAtCa and fixText need beyond the code and role: the usages or hosts missing, the CSR's name, the name the loader expects. */
export interface FixExtra {
  missing?: string[];
  hosts?: string[];
  /** The request create-csr wrote (node.csr, client.USER.csr). */
  csr?: string;
  /** For file-name: the name CockroachDB's loader looks for (node.crt, node.key). */
  expected?: string;
}

const roleFlag = (role: CertRole) => (role.as === 'client' ? `client ${role.user}` : role.as);

/** The fix sentence after a failure: at the issuing CA, or, for a file name, where the file is installed. */
export function fixText(code: CheckCode, role: CertRole, extra: FixExtra = {}): string {
  if (code === 'file-name') {
    const expected = extra.expected ?? 'the name CockroachDB loads';
    return `Install it as ${expected}, the name CockroachDB's loader expects: "crdb-tls cert import --as ${roleFlag(role)}" installs it under that name (nothing to change at the CA)`;
  }
  return `Fix at the issuing CA: ${fixAtCa(code, role, extra)}`;
}

function csrHint(role: CertRole): string {
  return role.as === 'node'
    ? 'crdb-tls cert create-csr node <hosts> --certs-dir <dir>'
    : role.as === 'client'
      ? `crdb-tls cert create-csr client ${role.user} --certs-dir <dir>`
      : 'crdb-tls cert create-csr';
}

/** What to change at the issuing CA, for `code` and `role`; `extra` carries the hosts or usages missing. */
export function fixAtCa(code: CheckCode, role: CertRole, extra: FixExtra = {}): string {
  switch (code) {
    case 'eku':
      return role.as === 'node'
        ? 'issue it with both server and client auth: easy-rsa "sign-req serverClient" (not "server") with --copy-ext; openssl extendedKeyUsage = serverAuth, clientAuth (or -copy_extensions copy with a CSR from create-csr); cfssl profile usages ["signing", "key encipherment", "server auth", "client auth"]; Vault role server_flag=true and client_flag=true; cert-manager usages: [server auth, client auth]'
        : 'issue it with client auth: easy-rsa "sign-req client"; openssl extendedKeyUsage = clientAuth; cfssl profile usages ["signing", "key encipherment", "client auth"]; Vault role client_flag=true; cert-manager usages: [client auth]';
    case 'sans':
    case 'host': {
      const hosts = extra.hosts?.length ? extra.hosts.join(', ') : 'every host name and IP address clients and nodes dial';
      return `put ${hosts} into the subjectAltName: request it with "${csrHint(role)}" and have the CA keep the CSR's SANs (easy-rsa sign-req with --copy-ext, or --subject-alt-name; openssl ca -copy_extensions copy, or openssl x509 -req -copy_extensions copy; cfssl -hostname with every host; Vault alt_names and ip_sans; cert-manager dnsNames and ipAddresses)`;
    }
    case 'principal':
      return role.as === 'node'
        ? `the subject CN must be node: request it with "${csrHint(role)}" (easy-rsa keeps the CSR's CN; openssl -subj "/O=Cockroach/CN=node"; cfssl "CN": "node"; Vault common_name=node with a role that allows it, e.g. allowed_domains=node and allow_bare_domains=true; cert-manager commonName: node)`
        : role.as === 'client'
          ? `the subject CN must be the SQL user ${role.user}: request it with "${csrHint(role)}" (openssl -subj "/O=Cockroach/CN=${role.user}"; cfssl "CN": "${role.user}"; Vault common_name=${role.user}; cert-manager commonName: ${role.user})`
          : 'issue the certificate for this role';
    case 'ca':
      return role.as === 'ca' || role.as === 'client-ca'
        ? "pass the CA certificate (basicConstraints CA:TRUE), e.g. easy-rsa pki/ca.crt, cfssl ca.pem, Vault's issuing CA, cert-manager ca.crt"
        : 'pass the leaf certificate issued for this role, not the CA certificate';
    case 'ca-key-usage':
      return 'create the CA with keyUsage keyCertSign (openssl: keyUsage = critical, keyCertSign, cRLSign, digitalSignature)';
    case 'key-type':
      return 'issue it for an RSA 2048 (or larger, up to 8192) or an ECDSA P-256 key: "crdb-tls cert create-csr ... --key-type rsa|ecdsa", cfssl "key": {"algo": "ecdsa", "size": 256}, Vault key_type=ec key_bits=256, cert-manager privateKey: {algorithm: ECDSA, size: 256}';
    case 'expired':
    case 'not-yet-valid':
      return "issue it again with a validity that includes now (check the CA host's clock)";
    case 'signature':
      return 'have the CA sign with SHA-256 (openssl -sha256 or default_md = sha256; easy-rsa EASYRSA_DIGEST=sha256)';
    case 'chain':
      return "pass --ca the CA file that issued it (with any intermediate CAs), or add the issuing CA to the certs dir's CA file as a bundle";
    case 'key':
      return 'pass --key the private key the CSR was made with (create-csr wrote it next to the CSR)';
    case 'file-name':
      return `install it as ${extra.expected ?? 'the name CockroachDB loads'} ("crdb-tls cert import --as ${roleFlag(role)}" does)`;
    case 'csr-sans': {
      const csr = extra.csr ?? 'the CSR';
      const hosts = extra.hosts?.join(', ') ?? 'every name it requested';
      return `sign ${csr} keeping its SANs (${hosts}): easy-rsa sign-req with --copy-ext; openssl ca -copy_extensions copy, or openssl x509 -req -copy_extensions copy; cfssl sign without -hostname, or with -hostname listing every host (the "hosts" of its CSR JSON); Vault alt_names and ip_sans with every host; cert-manager dnsNames and ipAddresses with every host`;
    }
    case 'csr-key':
      return `sign ${extra.csr ?? 'the CSR'} itself (create-csr wrote it beside the key) and import that certificate; if this certificate and its key are meant to replace that request, move ${extra.csr ?? 'the CSR'} out of the certs dir first`;
    case 'csr':
      return `make the request again with "${csrHint(role)}", or move ${extra.csr ?? 'the CSR'} out of the certs dir`;
    case 'parse':
      return 'pass the PEM certificate the CA issued';
  }
}
