/** CockroachDB's names for the files of a certs directory (pkg/security/certificate_loader.go). */

export type Usage = 'CA' | 'Client CA' | 'UI CA' | 'Tenant Client CA' | 'Node' | 'UI' | 'Client' | 'Tenant Client' | 'Unknown';

export const CA_CERT = 'ca.crt';
export const CLIENT_CA_CERT = 'ca-client.crt';
export const UI_CA_CERT = 'ca-ui.crt';
export const TENANT_CLIENT_CA_CERT = 'ca-client-tenant.crt';
export const NODE_CERT = 'node.crt';
export const NODE_KEY = 'node.key';

export function clientCertName(user: string): string {
  return `client.${user}.crt`;
}
export function clientKeyName(user: string): string {
  return `client.${user}.key`;
}

export interface FileRole {
  usage: Usage;
  /** The user (client) or tenant id (tenant client): the part between the first and the last dot. */
  name?: string;
  /** Set when CockroachDB skips this file as a bad filename; says which name it expects. */
  badName?: string;
}

/**
 * The CA file that must sign a certificate of `usage`, given the names in the dir (`has`), as
 * CockroachDB's certificate manager picks it: a node certificate, ca.crt; a client certificate,
 * ca-client.crt when the dir has one, else ca.crt (create-client signs with it then); a UI
 * certificate, ca-ui.crt when present, else ca.crt; a tenant client certificate,
 * ca-client-tenant.crt when present, else ca.crt. Undefined for CA files and unknown names.
 */
export function signingCaFile(usage: Usage, has: (name: string) => boolean): string | undefined {
  if (usage === 'Node') return CA_CERT;
  if (usage === 'Client') return has(CLIENT_CA_CERT) ? CLIENT_CA_CERT : CA_CERT;
  if (usage === 'UI') return has(UI_CA_CERT) ? UI_CA_CERT : CA_CERT;
  if (usage === 'Tenant Client') return has(TENANT_CLIENT_CA_CERT) ? TENANT_CLIENT_CA_CERT : CA_CERT;
  return undefined;
}

/** The CA file beside `certFileName` that must sign it (signingCaFile for the usage its name gives). */
export function signingCaFileFor(certFileName: string, has: (name: string) => boolean): string | undefined {
  return signingCaFile(roleFromFilename(certFileName).usage, has);
}

export function isCaUsage(usage: Usage): boolean {
  return usage === 'CA' || usage === 'Client CA' || usage === 'UI CA' || usage === 'Tenant Client CA';
}

const SINGLE: Record<string, Usage> = {
  ca: 'CA',
  'ca-client': 'Client CA',
  'ca-client-tenant': 'Tenant Client CA',
  'ca-ui': 'UI CA',
  node: 'Node',
  ui: 'UI',
};

/** What CockroachDB makes of a `.crt` file name (CertInfoFromFilename). */
export function roleFromFilename(filename: string): FileRole {
  const parts = filename.split('.');
  const prefix = parts[0];
  if (prefix in SINGLE) {
    const usage = SINGLE[prefix];
    if (parts.length !== 2) return { usage, badName: `${usage} certificate file name should be ${prefix}.crt` };
    return { usage };
  }
  if (prefix === 'client' || prefix === 'client-tenant') {
    const usage: Usage = prefix === 'client' ? 'Client' : 'Tenant Client';
    const name = parts.slice(1, parts.length - 1).join('.');
    if (name.length === 0) return { usage, badName: `${usage} certificate file name should be ${prefix}.<${prefix === 'client' ? 'user' : 'tenant id'}>.crt` };
    return { usage, name };
  }
  return { usage: 'Unknown', badName: `unknown prefix "${prefix}"` };
}

/** The order `cockroach cert list` prints usages in; ours follow. */
export const USAGE_ORDER: Usage[] = ['CA', 'Client CA', 'UI CA', 'Node', 'UI', 'Client', 'Tenant Client CA', 'Tenant Client', 'Unknown'];
