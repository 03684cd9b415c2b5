import { encodeValue } from '../edit';
import { PS_ALL, PS_KEY, PS_VALUE } from '../table';
import { Fix } from '../types';
import { RemoveParamFix, RuleCtx } from './context';
import { DEFAULT_SQL_PORT } from '../../cockroach/ports';

/** Misspellings seen in the wild, and what the driver would have needed. */
const TYPOS: Record<string, string> = {
  sslroot: 'sslrootcert',
  sslrootcrt: 'sslrootcert',
  sslroot_cert: 'sslrootcert',
  ssl_root_cert: 'sslrootcert',
  'ssl-root-cert': 'sslrootcert',
  sslca: 'sslrootcert',
  ssl_ca: 'sslrootcert',
  sslcacert: 'sslrootcert',
  sslrootcertificate: 'sslrootcert',
  rootcert: 'sslrootcert',
  ssl_mode: 'sslmode',
  'ssl-mode': 'sslmode',
  sslMode: 'sslmode',
  SSLMODE: 'sslmode',
  sslmod: 'sslmode',
  ssmode: 'sslmode',
  tlsmode: 'sslmode',
  ssl_cert: 'sslcert',
  'ssl-cert': 'sslcert',
  sslcrt: 'sslcert',
  sslclientcert: 'sslcert',
  sslcertificate: 'sslcert',
  ssl_key: 'sslkey',
  'ssl-key': 'sslkey',
  sslclientkey: 'sslkey',
  sslKey: 'sslkey',
  sslCert: 'sslcert',
  sslRootCert: 'sslrootcert',
};

const KNOWN = new Set([
  'sslmode',
  'sslrootcert',
  'sslcert',
  'sslkey',
  'sslpassword',
  'sslcrl',
  'sslsni',
  'application_name',
  'options',
  'connect_timeout',
  'user',
  'password',
  'host',
  'hostaddr',
  'port',
  'dbname',
  'ssl',
  'sslfactory',
  'target_session_attrs',
  'results_buffer_size',
  'uselibpqcompat',
]);

const PASSWORD_MSG =
  'A password is written in the connection string (a secret in source): move it to the PGPASSWORD environment variable, or use a client certificate.';
const CLUSTER_MSG =
  'options=--cluster=<routing-id> is the older CockroachDB Cloud routing: the host name carries the routing ID now; copy the current connection string from the Cloud Console.';
const PLACEHOLDER_RE = /^\$\{?\w+\}?$|^\{\{.*\}\}$/;

function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  }
  return d[a.length][b.length];
}

function typoOf(key: string): string | undefined {
  if (KNOWN.has(key)) return undefined;
  if (Object.hasOwn(TYPOS, key)) return TYPOS[key]; // not TYPOS[key]: "constructor" or "__proto__" would find Object's
  if (!/^ssl/i.test(key)) return undefined;
  for (const k of ['sslmode', 'sslrootcert', 'sslcert', 'sslkey']) if (distance(key.toLowerCase(), k) <= 2) return k;
  return undefined;
}

export interface TypoText {
  right: string;
  message: string;
  title: string;
}

/** A misspelled key's finding text: the right key and the message. */
function typoText(key: string): TypoText | undefined {
  const right = typoOf(key);
  return right
    ? { right, title: `Rename to ${right}`, message: `"${key}" is not a connection parameter, so the driver ignores it: did you mean ${right}?` }
    : undefined;
}

const DEFAULT_PORT_TEXT = String(DEFAULT_SQL_PORT);
const removeTitle = (key: string) => `Remove the earlier ${key}`;
const portMessage = (port: number | string) =>
  `Port ${port}: CockroachDB listens on ${DEFAULT_SQL_PORT} by default (5432 is PostgreSQL's); check this is the node, load balancer or proxy you mean.`;

export function paramRules(ctx: RuleCtx): void {
  const { c, t, scope, p0, pn, text } = ctx;
  const errors = t.errors.size ? t.errors : undefined;
  // Strings hold a handful of parameters: a scan of the earlier ones beats a Map per string.
  const seen = pn > 16 ? new Map<string, number>() : undefined;
  const typos = ctx.typos;
  const typoOf = ctx.typoOf();
  const end = p0 + pn;
  for (let j = p0; j < end; j++) {
    const key = t.key(j);
    // Once per distinct key of the document: typoOf[keyId] is 0 until known, -1 for none, else 1 + an index in typos.
    const keyId = t.keyId(j);
    let state = typoOf[keyId];
    if (state === 0) {
      const found = KNOWN.has(key) ? undefined : typoText(key);
      state = found ? typos.push(found) : -1;
      typoOf[keyId] = state;
    }
    const typo = state > 0 ? typos[state - 1] : undefined;
    if (typo) {
      const ks = ctx.span(j, PS_KEY);
      ctx.addParam('param-typo', j, PS_KEY, typo.message, [
        { title: typo.title, kind: 'edit', edits: [{ start: ks.start, end: ks.end, newText: typo.right }] },
      ]);
    }
    const decodeError = errors?.get(j);
    if (decodeError) {
      const fixes: Fix[] =
        c.kind === 'kv'
          ? []
          : [{ title: `Percent-encode the ${key} value`, kind: 'edit' as const, edits: [{ ...ctx.span(j, PS_VALUE), newText: encodeValue(c, t.value(j)) }] }];
      ctx.addParam('param-encoding', j, PS_VALUE, `${key}: ${decodeError}; the driver will fail to parse the string. Percent-encode the value.`, fixes);
    }
    let prev = -1;
    if (seen) prev = seen.get(key) ?? -1;
    else for (let k = j - 1; k >= p0 && prev < 0; k--) if (t.key(k) === key) prev = k;
    if (prev >= 0 && t.value(prev) !== t.value(j)) {
      const winner = ctx.last(key);
      ctx.addParam(
        'param-duplicate',
        prev,
        PS_ALL,
        `${key} is given more than once: the last one (${key}=${t.value(winner)}) wins; remove this one.`,
        new RemoveParamFix(scope.byValue('remove-earlier', key, removeTitle), prev - p0, text),
      );
    }
    seen?.set(key, j);
  }
  const password = c.password;
  if (password !== undefined && password !== '' && !PLACEHOLDER_RE.test(password)) {
    const start = t.passwordStart(ctx.ci);
    if (start >= 0) ctx.add('password-in-string', start, t.passwordEnd(ctx.ci), PASSWORD_MSG, ctx.passwordFix);
  }
  const opts = ctx.options;
  if (opts >= 0 && t.value(opts).includes('--cluster=')) {
    ctx.addParam('cluster-option-deprecated', opts, PS_ALL, CLUSTER_MSG, new RemoveParamFix('Remove options=--cluster=…', opts - p0, text));
  }
  if (c.kind === 'kv') {
    // Key/value strings carry the port in port=; the hosts only repeat it.
    const port = ctx.port;
    if (port >= 0 && t.value(port) !== DEFAULT_PORT_TEXT) ctx.addParam('port-non-default', port, PS_ALL, scope.byValue('port', t.value(port), portMessage));
  } else {
    for (let h = ctx.h0; h < ctx.h0 + ctx.hn; h++) {
      const port = t.port(h);
      if (port !== undefined && port !== DEFAULT_SQL_PORT) ctx.add('port-non-default', t.hostStart(h), t.hostEnd(h), scope.byValue('port', port, portMessage));
    }
  }
}
