/**
 * Rules that depend on the client that reads the string (LintEnv.client, set by crdb-tls connect,
 * or what the string itself shows: Prisma's sslidentity/sslaccept, a jdbc: URL): Prisma's sslcert,
 * sslrootcert=system, Windows paths left unencoded in a URL, libpq's default client files.
 */
import { LIBPQ_DEFAULT_FILES, PGJDBC_DEFAULT_KEY } from '../../cockroach/sslmode';
import { CLOUD_CA_CERT_COMMAND } from '../../cockroach/cloud';
import { CLIENTS } from '../clients/table';
import { encodeValue } from '../edit';
import { PS_VALUE } from '../table';
import { Fix } from '../types';
import { quoteInput } from '../../errors';
import { NO_FIXES, RuleCtx, SetParamFix } from './context';

/** The rest of a Windows path after its drive letter: ":\\" up to the end of the value (sticky: tried in place at the value's end). */
const WINDOWS_REST = /:[\\/][^\s&"'`]*/y;

const isLetter = (c: number) => (c | 0x20) >= 97 && (c | 0x20) <= 122;

/** Whether text[start, end) is a raw Windows path: a drive letter and ":", or a "\\", as written (not %3A / %5C); read in place. */
function rawWindows(ctx: RuleCtx, start: number, end: number): boolean {
  const text = ctx.t.text;
  if (end - start >= 2 && isLetter(text.charCodeAt(start)) && text.charCodeAt(start + 1) === 58) return true;
  for (let i = start; i < end; i++) if (text.charCodeAt(i) === 92) return true;
  return false;
}

export function readsAsPrisma(ctx: RuleCtx): boolean {
  const client = ctx.env.client;
  // Prisma's own parameters: a string that has one is read by Prisma.
  return client !== undefined ? client === 'prisma' : ctx.sslidentity >= 0 || ctx.sslaccept >= 0;
}

/** The string is read by pgjdbc (a jdbc: URL, or crdb-tls connect for a Java client). */
export function readsAsJava(ctx: RuleCtx): boolean {
  const client = ctx.env.client;
  return client ? CLIENTS[client].family === 'java' : ctx.c.kind === 'jdbc';
}

function prismaSslcert(ctx: RuleCtx): void {
  if (ctx.sslcert < 0 || !readsAsPrisma(ctx)) return;
  const ref = ctx.ref('sslcert');
  const leaf = ref?.certs[0];
  if (!ref || !leaf || leaf.ca) return;
  const root = ctx.sslrootcert >= 0 ? ctx.value(ctx.sslrootcert) : '';
  ctx.addParam(
    'prisma-sslcert-client-cert',
    ctx.sslcert,
    PS_VALUE,
    `Prisma reads sslcert as the server's CA, but ${ref.path} is a client certificate: the server's certificate will not verify. Point sslcert at the cluster's ca.crt and give the client certificate and key as a PKCS#12 file in sslidentity (with sslpassword): crdb-tls connect prisma makes it.`,
    root ? new SetParamFix("Use the CA file (sslrootcert's) as sslcert", 'sslcert', root) : NO_FIXES,
  );
}

function systemRoot(ctx: RuleCtx): void {
  const j = ctx.sslrootcert;
  if (j < 0 || ctx.value(j) !== 'system') return;
  const client = ctx.env.client;
  const unsupported = client ? CLIENTS[client].systemRoot === 'no' : ctx.c.kind === 'jdbc';
  if (!unsupported) return;
  ctx.addParam(
    'rootcert-system-unsupported',
    j,
    PS_VALUE,
    `sslrootcert=system (the system's public CAs) is understood by libpq 16+ and pgx v5 only; ${client ?? 'pgjdbc'} opens a file named "system" and fails. Download the CA (for CockroachDB Cloud, any plan: ${CLOUD_CA_CERT_COMMAND} writes the cluster's CA to libpq's default file, or --out FILE) and name its file.`,
  );
}

function windowsPaths(ctx: RuleCtx): void {
  if (ctx.c.kind === 'kv') return;
  if (ctx.sslrootcert >= 0) windowsPath(ctx, 'sslrootcert', ctx.sslrootcert);
  if (ctx.sslcert >= 0) windowsPath(ctx, 'sslcert', ctx.sslcert);
  if (ctx.sslkey >= 0) windowsPath(ctx, 'sslkey', ctx.sslkey);
  if (ctx.sslidentity >= 0) windowsPath(ctx, 'sslidentity', ctx.sslidentity);
}

/** path-windows-unencoded on parameter j (`key`, a file path) when it holds a raw Windows path. */
function windowsPath(ctx: RuleCtx, key: string, j: number): void {
  const t = ctx.t;
  // First the decoded value (one of the document's few distinct strings, so in the cache): a raw
  // drive letter, ":" or "\\" decodes to itself, so a value without them was not written so either.
  // Only then the document's text (far away by now: reading it costs a cache miss per string).
  const v = t.value(j);
  if (!(isLetter(v.charCodeAt(0)) && (v.length === 1 || v.charCodeAt(1) === 58)) && !v.includes('\\')) return;
  const start = t.paramValueStart(j);
  const end = t.paramEnd(j);
  // A drive letter's ":" ends the URL for most finders (ours too): a one-letter value may go on after it.
  let rest = '';
  if (end - start === 1 && isLetter(t.text.charCodeAt(start))) {
    WINDOWS_REST.lastIndex = end;
    rest = WINDOWS_REST.exec(t.text)?.[0] ?? '';
    if (!rest) return;
  } else if (!rawWindows(ctx, start, end)) return; // the common case: no slice, no regex
  const raw = t.text.slice(start, end) + rest;
  const path = rest ? raw : t.value(j);
  const fixes: Fix[] = [
    { title: `Percent-encode the ${key} path`, kind: 'edit', edits: [{ start, end: end + rest.length, newText: encodeValue(ctx.c, path) }] },
  ];
  ctx.addParam(
    'path-windows-unencoded',
    j,
    PS_VALUE,
    `${key} holds a Windows path written as is in a URL (${quoteInput(raw)}): URL parsers stop at the drive letter's ":" or differ on "\\" (WHATWG URLs turn it into "/"); percent-encode it (":" as %3A, "\\" as %5C) so that every client reads the same path.`,
    fixes,
  );
}

function defaultClientFiles(ctx: RuleCtx): void {
  if (ctx.sslcert >= 0 || ctx.sslkey >= 0) return;
  if (ctx.sslmode >= 0 && ctx.value(ctx.sslmode) === 'disable') return;
  const client = ctx.env.client;
  if (client ? !CLIENTS[client].defaultClientFiles : readsAsPrisma(ctx)) return;
  const crt = ctx.scope.libpqFile(LIBPQ_DEFAULT_FILES.sslcert);
  if (!ctx.scope.exists(crt)) return;
  const key = ctx.scope.libpqFile(readsAsJava(ctx) ? PGJDBC_DEFAULT_KEY : LIBPQ_DEFAULT_FILES.sslkey);
  const c = ctx.c;
  const insert = `${c.appendSeparator}sslcert=${encodeValue(c, crt)}${c.kind === 'kv' ? ' ' : '&'}sslkey=${encodeValue(c, key)}`;
  ctx.addConn(
    'libpq-default-client-files',
    `The string names no sslcert, so ${client ?? 'libpq (and lib/pq, pgx, pgjdbc)'} sends ${crt} and its key when they exist, and they do: that certificate silently takes part (it may log in as another user, or be refused). Name the files you mean, or move these away.`,
    [{ title: 'Name these files in the string', kind: 'edit', edits: [{ start: c.appendAt, end: c.appendAt, newText: insert }] }],
  );
}

export function clientRules(ctx: RuleCtx): void {
  prismaSslcert(ctx);
  systemRoot(ctx);
  windowsPaths(ctx);
  defaultClientFiles(ctx);
}
