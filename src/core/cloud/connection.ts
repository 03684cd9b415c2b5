/**
 * The connection string the editor gives for a Cloud cluster (Copy Connection String, Test
 * Connection, the rotation wizard's test): the API's, with the CA the client should trust. The
 * local CA file is named only when it holds this cluster's CA; a Basic or Standard cluster's
 * certificate chains to a public CA, so `sslrootcert=system` (libpq 16+, pgx v5) does there;
 * otherwise nothing is added and the note says what the client will use and how to fix it.
 */
import { CLOUD_CA_CERT_COMMAND } from '../cockroach/cloud';
import { planAllowsClientCa } from './resolve';

/** How the local CA file compares with the cluster's CA (localCaState; unknown when it could not be compared). */
export type LocalCaState = 'absent' | 'same' | 'different' | 'unknown';

export interface CloudUrlInput {
  /** The API's connection_string. */
  apiUrl: string;
  plan: string;
  localCa: { file: string; state: LocalCaState };
  /** A client certificate and key to connect with. */
  client?: { cert: string; key: string };
}

export interface CloudUrl {
  url: string;
  /** Where the CA to trust comes from: the string's own, the local file, the system's public CAs, or the client's default. */
  rootcert: 'api' | 'file' | 'system' | 'default';
  /** Why, when it is not the local file: one sentence with the fix. */
  note?: string;
}

function noteFor(plan: string, ca: CloudUrlInput['localCa']): string {
  const fix = `download the cluster's CA (Download CA Certificate, or ${CLOUD_CA_CERT_COMMAND} --out FILE) and name it in sslrootcert`;
  const why =
    ca.state === 'absent'
      ? `${ca.file} does not exist`
      : ca.state === 'different'
        ? `${ca.file} holds a different CA than this cluster's (a self-hosted cluster's, or another cluster's?)`
        : `${ca.file} could not be compared with the cluster's CA`;
  return `${why}, so the string names no sslrootcert: the client uses its default CA (libpq's ~/.postgresql/root.crt, pgx's system CAs), which verifies a ${plan} cluster only when it is this cluster's CA; ${fix}.`;
}

/** The API's URL with sslrootcert chosen as above, and sslcert/sslkey when a client certificate is given. */
export function cloudConnectionUrl(i: CloudUrlInput): CloudUrl {
  const u = new URL(i.apiUrl);
  let out: Omit<CloudUrl, 'url'>;
  if (u.searchParams.has('sslrootcert')) out = { rootcert: 'api' };
  else if (i.localCa.state === 'same') {
    u.searchParams.set('sslrootcert', i.localCa.file);
    out = { rootcert: 'file' };
  } else if (!planAllowsClientCa(i.plan)) {
    u.searchParams.set('sslrootcert', 'system');
    out = {
      rootcert: 'system',
      note: `sslrootcert=system: a ${i.plan} cluster's certificate chains to a public CA, which the system's CA store holds (libpq 16+ and pgx v5; older libpq and pgjdbc open a file named "system": for them, ${CLOUD_CA_CERT_COMMAND} --out FILE and name FILE).`,
    };
  } else out = { rootcert: 'default', note: noteFor(i.plan, i.localCa) };
  if (i.client) {
    u.searchParams.set('sslcert', i.client.cert);
    u.searchParams.set('sslkey', i.client.key);
  }
  // Paths stay readable: "/" needs no escape in a query value.
  return { url: u.toString().replace(/%2F/gi, '/'), ...out };
}
