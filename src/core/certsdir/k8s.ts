/**
 * Kubernetes Secrets for CockroachDB: the manifest with the data keys CockroachDB's Helm chart
 * (tls.certs.provided, mounted as the certs dir) and the operator expect: ca.crt, node.crt,
 * node.key for a node; ca.crt, client.USER.crt, client.USER.key for a client. And the way back:
 * a Secret (that form, or kubernetes.io/tls / cert-manager's ca.crt, tls.crt, tls.key) read as
 * an import source.
 */
import { join } from 'node:path';
import { UserError, quoteInput } from '../errors';
import { InputFileError, readInputBytes } from '../input';
import { CA_CERT, NODE_CERT, NODE_KEY, clientCertName, clientKeyName, roleFromFilename } from '../cockroach/layout';
import type { ImportSource } from './import';

const NAME_RE = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

function checkName(value: string, flag: string): void {
  if (!NAME_RE.test(value))
    throw new UserError(`${flag} ${quoteInput(value)} is not a Kubernetes object name: use lowercase letters, digits, "-" and ".", e.g. cockroachdb.node.`);
}

/** The Secret manifest (YAML) for the node's or a client's files in `certsDir`. */
export function secretManifest(o: { certsDir: string; node?: boolean; client?: string; name: string; namespace?: string }): string {
  if (!!o.node === !!o.client) throw new UserError('pass exactly one of --node or --client USER: a Secret holds one certificate and its key.');
  checkName(o.name, '--name');
  if (o.namespace !== undefined) checkName(o.namespace, '--namespace');
  const files = o.node ? [CA_CERT, NODE_CERT, NODE_KEY] : [CA_CERT, clientCertName(o.client ?? ''), clientKeyName(o.client ?? '')];
  const data = files.map((f) => {
    const bytes = readInputBytes(join(o.certsDir, f), { what: `the Secret's ${f}` });
    return `  ${f}: ${bytes.toString('base64')}`;
  });
  return [
    'apiVersion: v1',
    'kind: Secret',
    'metadata:',
    `  name: ${o.name}`,
    ...(o.namespace ? [`  namespace: ${o.namespace}`] : []),
    'type: Opaque',
    'data:',
    ...data,
    '',
  ].join('\n');
}

/** The `data` map of a Secret in JSON, or in YAML as kubectl and secretManifest write it (`data:` then indented `key: base64` lines). */
export function secretData(text: string, file: string): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  const trimmed = text.trim();
  let raw: Record<string, string> | undefined;
  if (trimmed.startsWith('{')) {
    try {
      const j = JSON.parse(trimmed) as { kind?: unknown; data?: unknown };
      if (j.data && typeof j.data === 'object') raw = j.data as Record<string, string>;
    } catch {
      throw new UserError(`${file} is not valid JSON: pass a Secret manifest (kubectl get secret NAME -o yaml > ${file}).`, file);
    }
  } else {
    const lines = text.split(/\r?\n/);
    const start = lines.findIndex((l) => /^data:\s*$/.test(l));
    if (start >= 0) {
      raw = {};
      for (const l of lines.slice(start + 1)) {
        if (!/^\s/.test(l) && l.trim() !== '') break;
        const m = /^\s+["']?([-._a-zA-Z0-9]+)["']?:\s*["']?([A-Za-z0-9+/=]*)["']?\s*$/.exec(l);
        if (m) raw[m[1]] = m[2];
      }
    }
  }
  if (!raw || Object.keys(raw).length === 0)
    throw new UserError(`${file} has no "data:" map: pass a Secret manifest (kubectl get secret NAME -o yaml > ${file}).`, file);
  for (const [k, v] of Object.entries(raw)) {
    if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v))
      throw new UserError(`${file}: data key ${quoteInput(k)} is not base64: pass the Secret as Kubernetes stores it.`, file);
    out[k] = Buffer.from(v, 'base64');
  }
  return out;
}

/** A Secret as an import source: its certificate (tls.crt, node.crt or client.USER.crt), key and ca.crt. */
export function secretSource(text: string, file: string): ImportSource {
  const data = secretData(text, file);
  const keys = Object.keys(data);
  const certKey = keys.find((k) => k === 'tls.crt') ?? keys.find((k) => k.endsWith('.crt') && k !== CA_CERT && !roleFromFilename(k).badName);
  if (!certKey)
    throw new UserError(`${file} holds no certificate (tls.crt, node.crt or client.USER.crt) besides ca.crt: pass the node's or a client's Secret.`, file);
  const keyKey = certKey.replace(/\.crt$/, '.key');
  return {
    cert: { file: `${certKey} in ${file}`, bytes: data[certKey] },
    ...(data[keyKey] ? { key: { file: `${keyKey} in ${file}`, bytes: data[keyKey] } } : {}),
    ...(data[CA_CERT]?.length ? { ca: { file: `${CA_CERT} in ${file}`, bytes: data[CA_CERT] } } : {}),
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
  const cert = read('tls.crt', true) as Buffer;
  const key = read('tls.key', false);
  const ca = read('ca.crt', false);
  return {
    cert: { file: join(dir, 'tls.crt'), bytes: cert },
    ...(key ? { key: { file: join(dir, 'tls.key'), bytes: key } } : {}),
    ...(ca?.length ? { ca: { file: join(dir, 'ca.crt'), bytes: ca } } : {}),
  };
}
