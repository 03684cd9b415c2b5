import { removeParamEdit, removeParamsEdits, encodeValue } from '../edit';
import { Finding, Param, paramValue } from '../types';
import { RuleCtx } from './context';

/** Misspellings seen in the wild, and what the driver would have needed. */
const TYPOS: Record<string, string> = {
  sslroot: 'sslrootcert', sslrootcrt: 'sslrootcert', sslroot_cert: 'sslrootcert', ssl_root_cert: 'sslrootcert', 'ssl-root-cert': 'sslrootcert',
  sslca: 'sslrootcert', ssl_ca: 'sslrootcert', sslcacert: 'sslrootcert', sslrootcertificate: 'sslrootcert', rootcert: 'sslrootcert',
  ssl_mode: 'sslmode', 'ssl-mode': 'sslmode', sslMode: 'sslmode', SSLMODE: 'sslmode', sslmod: 'sslmode', ssmode: 'sslmode', tlsmode: 'sslmode',
  ssl_cert: 'sslcert', 'ssl-cert': 'sslcert', sslcrt: 'sslcert', sslclientcert: 'sslcert', sslcertificate: 'sslcert',
  ssl_key: 'sslkey', 'ssl-key': 'sslkey', sslclientkey: 'sslkey', sslKey: 'sslkey', sslCert: 'sslcert', sslRootCert: 'sslrootcert',
};

const KNOWN = new Set(['sslmode', 'sslrootcert', 'sslcert', 'sslkey', 'sslpassword', 'sslcrl', 'sslsni', 'application_name', 'options', 'connect_timeout',
  'user', 'password', 'host', 'hostaddr', 'port', 'dbname', 'ssl', 'sslfactory', 'target_session_attrs', 'results_buffer_size', 'uselibpqcompat']);

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

export function paramRules(ctx: RuleCtx): Finding[] {
  const { c, text } = ctx;
  const out: Finding[] = [];
  // Strings hold a handful of parameters: a scan of the earlier ones beats a Map per string.
  const params = c.params;
  const seen = params.length > 16 ? new Map<string, Param>() : undefined;
  for (let i = 0; i < params.length; i++) {
    const p = params[i];
    const right = typoOf(p.key);
    if (right) {
      out.push(ctx.finding('param-typo', p.keySpan, `"${p.key}" is not a connection parameter, so the driver ignores it: did you mean ${right}?`,
        [{ title: `Rename to ${right}`, kind: 'edit', edits: [{ start: p.keySpan.start, end: p.keySpan.end, newText: right }] }]));
    }
    if (p.decodeError) {
      const fixes = c.kind === 'kv' ? [] : [{ title: `Percent-encode the ${p.key} value`, kind: 'edit' as const, edits: [{ ...p.valueSpan, newText: encodeValue(c, p.value) }] }];
      out.push(ctx.finding('param-encoding', p.valueSpan, `${p.key}: ${p.decodeError}; the driver will fail to parse the string. Percent-encode the value.`, fixes));
    }
    let prev: Param | undefined;
    if (seen) prev = seen.get(p.key);
    else for (let j = i - 1; j >= 0 && !prev; j--) if (params[j].key === p.key) prev = params[j];
    if (prev && prev.value !== p.value) {
      const winner = paramValue(c, p.key) ?? p;
      out.push(ctx.finding('param-duplicate', prev.span, `${p.key} is given more than once: the last one (${p.key}=${winner.value}) wins; remove this one.`,
        [{ title: `Remove the earlier ${p.key}`, kind: 'edit', edits: [removeParamEdit(c, prev, text)] }]));
    }
    seen?.set(p.key, p);
  }
  if (c.password !== undefined && c.passwordSpan && c.password !== '' && !/^\$\{?\w+\}?$|^\{\{.*\}\}$/.test(c.password)) {
    out.push(ctx.finding('password-in-string', c.passwordSpan, 'A password is written in the connection string (a secret in source): move it to the PGPASSWORD environment variable, or use a client certificate.',
      [passwordFix(ctx)]));
  }
  const opts = paramValue(c, 'options');
  if (opts && /--cluster=/.test(opts.value)) {
    out.push(ctx.finding('cluster-option-deprecated', opts.span, 'options=--cluster=<routing-id> is the older CockroachDB Cloud routing: the host name carries the routing ID now; copy the current connection string from the Cloud Console.',
      [{ title: 'Remove options=--cluster=…', kind: 'edit', edits: [removeParamEdit(c, opts, text)] }]));
  }
  // Key/value strings carry the port in port=, reported below; the hosts only repeat it.
  for (const h of c.kind === 'kv' ? [] : c.hosts) {
    if (h.port !== undefined && h.port !== 26257) {
      out.push(ctx.finding('port-non-default', h.span, `Port ${h.port}: CockroachDB listens on 26257 by default (5432 is PostgreSQL's); check this is the node, load balancer or proxy you mean.`));
    }
  }
  const portParam = paramValue(c, 'port');
  if (c.kind === 'kv' && portParam && portParam.value !== '26257') {
    out.push(ctx.finding('port-non-default', portParam.span, `Port ${portParam.value}: CockroachDB listens on 26257 by default (5432 is PostgreSQL's); check this is the node, load balancer or proxy you mean.`));
  }
  return out;
}

/** Removes the password from the string; the driver then reads PGPASSWORD (libpq, psycopg, pgx, node-postgres). */
function passwordFix(ctx: RuleCtx) {
  const { c, text } = ctx;
  // Every place a password is written: `:password` in the userinfo, then each password= parameter.
  const edits = c.userinfoPasswordSpan ? [{ start: c.userinfoPasswordSpan.start - 1, end: c.userinfoPasswordSpan.end, newText: '' }] : [];
  edits.push(...removeParamsEdits(c, c.params.filter((x) => x.key === 'password'), text));
  return { title: 'Move the password to the PGPASSWORD environment variable', kind: 'password-to-env' as const, envVar: 'PGPASSWORD', edits };
}
