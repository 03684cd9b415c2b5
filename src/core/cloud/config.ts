/**
 * Where the Cloud API is and who calls it: the Terraform provider's conventions (COCKROACH_SERVER,
 * COCKROACH_API_KEY), the spec's version header, and the roles that may change a client CA.
 */
import { CLOUD_SERVER } from '../cockroach/cloud';
import { UserError, quoteInput } from '../errors';

export const API_KEY_ENV = 'COCKROACH_API_KEY';
export const SERVER_ENV = 'COCKROACH_SERVER';
/** The `Cc-Version` header: the version of ../shared/cloud-api/openapi.json (info.version). */
export const CC_VERSION = '2024-09-16';
/** Who may read and change a cluster's client CA (the spec's description of each client-ca-cert operation). */
export const CLIENT_CA_ROLES = ['CLUSTER_ADMIN', 'CLUSTER_OPERATOR_WRITER'] as const;

/**
 * Where the client's API key came from, so that a refused key's message says how to replace it:
 * the environment (COCKROACH_API_KEY, the CLI) or a command of a front end (the editor's
 * "CockroachDB TLS: Set Cloud API Key", which keeps it in SecretStorage).
 */
export type KeySource = { kind: 'env' } | { kind: 'command'; title: string };

/** The key as messages name it: "COCKROACH_API_KEY", or 'the API key set with "<command>"'. */
export function keyName(s: KeySource | undefined): string {
  return s?.kind === 'command' ? `the API key set with "${s.title}"` : API_KEY_ENV;
}

/** The environment as plain data: process.env in the CLI, an object the editor builds (the key from SecretStorage). */
export type CloudEnv = Readonly<Record<string, string | undefined>>;

export interface CloudConfig {
  /** No trailing slash: "https://cockroachlabs.cloud". */
  server: string;
  /** Absent when COCKROACH_API_KEY is not set; read with requireApiKey. */
  apiKey?: string;
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

/**
 * The server from COCKROACH_SERVER (default https://cockroachlabs.cloud). Plain http is refused
 * except on a loopback address: the API key would cross the network in clear.
 */
export function cloudServer(env: CloudEnv): string {
  const raw = env[SERVER_ENV]?.trim() || CLOUD_SERVER;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UserError(`${SERVER_ENV}=${quoteInput(raw)} is not a URL: set it to the Cloud server, e.g. ${CLOUD_SERVER}, or unset it.`);
  }
  const secure = url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.test(url.hostname));
  if (!secure)
    throw new UserError(
      `${SERVER_ENV}=${quoteInput(raw)} is not an https URL: the API key must not cross the network in clear; use https (plain http only on localhost).`,
    );
  if (url.username || url.password || url.search || url.hash)
    throw new UserError(`${SERVER_ENV} must be a plain server URL such as ${CLOUD_SERVER} (no user, query or fragment): fix or unset it.`);
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
}

export function cloudConfig(env: CloudEnv): CloudConfig {
  const server = cloudServer(env);
  const key = env[API_KEY_ENV];
  return key !== undefined && key !== '' ? { server, apiKey: key } : { server };
}

/** The API key, or the error saying how to get one. A key that cannot be an HTTP header value is refused without showing it. */
export function requireApiKey(cfg: CloudConfig): string {
  const key = cfg.apiKey?.trim();
  if (!key)
    throw new UserError(
      `${API_KEY_ENV} is not set: create an API key for a service account (Cloud Console → Organization → Access Management → Service Accounts) with the role ${CLIENT_CA_ROLES.join(' or ')} on the cluster, then export ${API_KEY_ENV}=<key>.`,
    );
  if (!/^[\x21-\x7e]+$/.test(key))
    throw new UserError(
      `${API_KEY_ENV} holds spaces or control characters (the key is not shown): set it to the API key alone, as the Cloud Console showed it.`,
    );
  return key;
}

/** Every message that leaves the Cloud client goes through this: the key is replaced wherever it appears. */
export function redactKey(text: string, key: string | undefined): string {
  if (!key) return text;
  const k = key.trim();
  return k.length >= 4 ? text.split(k).join('<COCKROACH_API_KEY>') : text;
}
