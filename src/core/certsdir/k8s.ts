/**
 * Kubernetes Secrets for CockroachDB, in the two layouts its deployments mount:
 * - helm: an Opaque Secret whose keys are cockroach's own file names (ca.crt, node.crt, node.key;
 *   ca.crt, client.USER.crt, client.USER.key), what the Helm chart mounts as the certs dir with
 *   tls.certs.provided and tlsSecret=false (and what `kubectl create secret generic --from-file=certs`
 *   makes);
 * - operator: a kubernetes.io/tls Secret with ca.crt, tls.crt, tls.key, what the operator's
 *   nodeTLSSecret and clientTLSSecret must hold (its TLSSecret.Ready()), the Helm chart reads with
 *   tlsSecret=true, and cert-manager writes.
 * And the way back: a Secret manifest (YAML or JSON, `data` and `stringData`, block or flow style)
 * read as an import source, the role's own file names first.
 */
import { basename, join } from 'node:path';
import { UserError, quoteInput } from '../errors';
import { InputFileError, readInputBytes } from '../input';
import type { CertRole } from '../cockroach/certrules';
import { CA_CERT, CLIENT_CA_CERT, NODE_CERT, NODE_KEY, clientCertName, clientKeyName, roleFromFilename } from '../cockroach/layout';
import type { ImportSource } from './import';
import { listCertsDir } from './list';

const NAME_RE = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/** helm: cockroach's file names as keys (Opaque); operator: ca.crt, tls.crt, tls.key (kubernetes.io/tls). */
export type SecretLayout = 'helm' | 'operator';
export const SECRET_LAYOUTS: readonly SecretLayout[] = ['helm', 'operator'];

/** The Kubernetes keys of a TLS Secret (corev1.TLSCertKey, corev1.TLSPrivateKeyKey). */
const TLS_CERT = 'tls.crt';
const TLS_KEY = 'tls.key';

function checkName(value: string, flag: string): void {
  if (!NAME_RE.test(value))
    throw new UserError(`${flag} ${quoteInput(value)} is not a Kubernetes object name: use lowercase letters, digits, "-" and ".", e.g. cockroachdb.node.`);
}

/** --layout as typed. */
export function parseSecretLayout(text: string): SecretLayout {
  const t = text.trim().toLowerCase();
  if (t === 'helm' || t === 'operator') return t;
  throw new UserError(
    `--layout ${quoteInput(text)} is not a Secret layout: use --layout helm (ca.crt, node.crt, node.key: the Helm chart with tls.certs.tlsSecret=false) or --layout operator (kubernetes.io/tls with ca.crt, tls.crt, tls.key: the operator, or the chart with tlsSecret=true).`,
  );
}

/**
 * A Secret is mounted as the certs dir and read by cockroach's loader: its files are judged as
 * `cert list` judges them (each certificate parses, chains to its CA and keeps CockroachDB's rules;
 * the key parses and belongs to the certificate), so that a damaged file is refused, not packed.
 * Key modes are not the Secret's (the mount sets them).
 */
function refuseRejected(certsDir: string, certFiles: string[]): void {
  const entries = listCertsDir(certsDir, { skipPermissionChecks: true });
  for (const f of certFiles) {
    const bad = entries.find((e) => e.certFile === f)?.problems.find((p) => p.severity === 'error' && p.code !== 'key-mode' && p.code !== 'bad-filename');
    if (bad) throw new UserError(`cannot pack ${basename(bad.path)} into the Secret: ${bad.message}`, bad.path);
  }
}

/** The Secret manifest (YAML) for the node's or a client's files in `certsDir`, in `layout` (default helm). */
export function secretManifest(o: { certsDir: string; node?: boolean; client?: string; name: string; namespace?: string; layout?: SecretLayout }): string {
  if (!!o.node === !!o.client) throw new UserError('pass exactly one of --node or --client USER: a Secret holds one certificate and its key.');
  checkName(o.name, '--name');
  if (o.namespace !== undefined) checkName(o.namespace, '--namespace');
  const layout = o.layout ?? 'helm';
  const [cert, key] = o.node ? [NODE_CERT, NODE_KEY] : [clientCertName(o.client ?? ''), clientKeyName(o.client ?? '')];
  // [the key in the Secret, the file of the certs dir]
  const entries: [string, string][] = [
    [CA_CERT, CA_CERT],
    [layout === 'operator' ? TLS_CERT : cert, cert],
    [layout === 'operator' ? TLS_KEY : key, key],
  ];
  const data = entries.map(([k, f]) => {
    const bytes = readInputBytes(join(o.certsDir, f), { what: `the Secret's ${k}` });
    return `  ${k}: ${bytes.toString('base64')}`;
  });
  refuseRejected(o.certsDir, [CA_CERT, cert]);
  return [
    'apiVersion: v1',
    'kind: Secret',
    'metadata:',
    `  name: ${o.name}`,
    ...(o.namespace ? [`  namespace: ${o.namespace}`] : []),
    `type: ${layout === 'operator' ? 'kubernetes.io/tls' : 'Opaque'}`,
    'data:',
    ...data,
    '',
  ].join('\n');
}

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The files of a Secret manifest (YAML or JSON, as kubectl or secretManifest write it, block or flow
 * style): `data` (base64) with `stringData` (plain text) over it, as the API server merges them.
 * A List (kubectl get secrets -o yaml) or a multi-document file must hold exactly one Secret.
 */
export async function secretData(text: string, file: string): Promise<Record<string, Buffer>> {
  const { parseAllDocuments } = await import('yaml');
  const hint = `pass a Secret manifest (kubectl get secret NAME -o yaml > ${file})`;
  // failsafe: every scalar stays a string (a base64 value of digits is not a number).
  const objects: unknown[] = [];
  for (const d of parseAllDocuments(text, { schema: 'failsafe', prettyErrors: false })) {
    const err = d.errors[0];
    if (err) throw new UserError(`${file} is not valid YAML or JSON (${err.message.split('\n')[0]}): ${hint}.`, file);
    const v: unknown = d.toJS({ maxAliasCount: 10 });
    if (isMap(v) && v.kind === 'List' && Array.isArray(v.items)) objects.push(...(v.items as unknown[]));
    else if (v !== null && v !== undefined) objects.push(v);
  }
  const withData = objects.filter((o) => isMap(o) && (isMap(o.data) || isMap(o.stringData))) as Record<string, unknown>[];
  const secrets = withData.filter((o) => o.kind === undefined || o.kind === 'Secret');
  if (secrets.length > 1) throw new UserError(`${file} holds ${secrets.length} Secrets: pass one (kubectl get secret NAME -o yaml > ${file}).`, file);
  const s = secrets[0];
  const out: Record<string, Buffer> = {};
  if (s && isMap(s.data))
    for (const [k, v] of Object.entries(s.data)) {
      const b64 = typeof v === 'string' ? v.replace(/\s+/g, '') : undefined;
      if (b64 === undefined || !/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length % 4 !== 0)
        throw new UserError(`${file}: data key ${quoteInput(k)} is not base64: pass the Secret as Kubernetes stores it (or the text under stringData).`, file);
      out[k] = Buffer.from(b64, 'base64');
    }
  if (s && isMap(s.stringData))
    for (const [k, v] of Object.entries(s.stringData)) {
      if (typeof v !== 'string') throw new UserError(`${file}: stringData key ${quoteInput(k)} is not text: put the PEM file's text there.`, file);
      out[k] = Buffer.from(v, 'utf8');
    }
  if (Object.keys(out).length === 0) throw new UserError(`${file} has no "data:" or "stringData:" map: ${hint}.`, file);
  return out;
}

/** The [certificate, key] names to look for, the role's own first: cockroach's names, then the TLS Secret's. */
function candidates(role: CertRole | undefined, keys: string[]): [string, string | undefined][] {
  if (role?.as === 'node')
    return [
      [NODE_CERT, NODE_KEY],
      [TLS_CERT, TLS_KEY],
    ];
  if (role?.as === 'client')
    return [
      [clientCertName(role.user), clientKeyName(role.user)],
      [TLS_CERT, TLS_KEY],
    ];
  if (role?.as === 'ca') return [[CA_CERT, undefined]];
  if (role?.as === 'client-ca')
    return [
      [CLIENT_CA_CERT, undefined],
      [CA_CERT, undefined],
    ];
  // No role yet (the editor asks after reading): a TLS Secret's certificate, the node's, else the only client's.
  const clients = keys.filter((k) => /^client\..+\.crt$/.test(k) && roleFromFilename(k).usage === 'Client');
  return [[TLS_CERT, TLS_KEY], [NODE_CERT, NODE_KEY], ...clients.map((c): [string, string] => [c, c.replace(/\.crt$/, '.key')])];
}

/**
 * A Secret as an import source for `role`: its certificate and key under the role's own names
 * (node.crt/node.key, client.USER.crt/.key) or the TLS Secret's (tls.crt/tls.key), and ca.crt. A
 * Secret with every file of a certs dir (`--from-file=certs`) gives the role's files, never another's.
 */
export async function secretSource(text: string, file: string, role?: CertRole): Promise<ImportSource> {
  const data = await secretData(text, file);
  const keys = Object.keys(data);
  const pick = candidates(role, keys).find(([c]) => data[c]?.length);
  if (!pick) {
    const certs = keys.filter((k) => k.endsWith('.crt'));
    const want = candidates(role, keys)
      .map(([c]) => c)
      .join(' or ');
    throw new UserError(
      `${file} holds no ${want}${role ? ` for --as ${role.as === 'client' ? `client ${role.user}` : role.as}` : ''} (it has ${certs.length ? certs.join(', ') : 'no .crt keys'}): pass the Secret of that ${role ? 'role' : 'node or client'}, or the --as its files are for.`,
      file,
    );
  }
  const [certKey, keyKey] = pick;
  const isCa = role?.as === 'ca' || role?.as === 'client-ca';
  return {
    cert: { file: `${certKey} in ${file}`, bytes: data[certKey] },
    ...(keyKey && data[keyKey] ? { key: { file: `${keyKey} in ${file}`, bytes: data[keyKey] } } : {}),
    ...(!isCa && data[CA_CERT]?.length ? { ca: { file: `${CA_CERT} in ${file}`, bytes: data[CA_CERT] } } : {}),
  };
}

/** cert-manager's layout (a mounted Secret, or files copied out of one): tls.crt, tls.key and, when the issuer sets it, ca.crt. */
export function certManagerSource(dir: string): ImportSource {
  const read = (name: string, required: boolean): Buffer | undefined => {
    try {
      return readInputBytes(join(dir, name), { what: `cert-manager's ${name}` });
    } catch (err) {
      if (!required && err instanceof InputFileError && err.problem === 'missing') return undefined;
      throw err;
    }
  };
  const cert = read(TLS_CERT, true) as Buffer;
  const key = read(TLS_KEY, false);
  const ca = read(CA_CERT, false);
  return {
    cert: { file: join(dir, TLS_CERT), bytes: cert },
    ...(key ? { key: { file: join(dir, TLS_KEY), bytes: key } } : {}),
    ...(ca?.length ? { ca: { file: join(dir, CA_CERT), bytes: ca } } : {}),
  };
}
