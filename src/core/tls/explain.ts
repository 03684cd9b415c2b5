/**
 * The classifier over the error catalogue (./catalogue, plain data): the first entry whose pattern
 * matches the text explains it, its templates filled in with what the text names.
 */
import { DEFAULT_SQL_PORT } from '../cockroach/ports';
import { quoteInput } from '../errors';
import { ALERTS, CANDIDATE_SIGNS, CATALOGUE, CatalogueEntry, EntryText, SHARED_TEXTS } from './catalogue';
import { TemplateScope, renderTemplate } from './template';
import { Category, Diagnosis } from './types';

export { CATALOGUE };

export interface ExplainResult extends Diagnosis {
  /** The catalogue entry that matched and the text it matched; absent when the text is not recognised. */
  matched?: { id: string; clients: string; text: string };
  /** With category 'ambiguous': the causes the text fits (the fix says how to tell them apart). */
  candidates?: Category[];
}

/** Hosts, ports, users and files quoted in the text, to name them in the fix. */
export interface TextContext {
  host?: string;
  port?: string;
  user?: string;
}

const hp = (c: TextContext) => (c.host ? `${c.host.includes(':') ? `[${c.host}]` : c.host}:${c.port ?? String(DEFAULT_SQL_PORT)}` : 'HOST:PORT');

/** The filters the catalogue's templates may use ({1:trim}). */
const FILTERS: TemplateScope['filters'] = {
  trim: (v) => v.trim(),
  /** CERTIFICATE_EXPIRED → certificate expired */
  words: (v) => v.toLowerCase().replace(/_/g, ' '),
  alert: (v) => (Object.hasOwn(ALERTS, v.toLowerCase()) ? ALERTS[v.toLowerCase()] : undefined),
  dir: (v) => dirOf(v),
  certHint: (v) => certHint(v),
  /** "a, b, c" → a */
  firstListed: (v) => v.split(/,\s*/)[0],
  withoutKeySuffix: (v) => v.replace(/\.key$/, ''),
  /** "1" → "", else "s" */
  plural: (v) => (v === '1' ? '' : 's'),
};

/** What an entry's templates can name, for one match in one text. */
export function templateScope(m: readonly (string | undefined)[], c: TextContext): TemplateScope {
  return {
    groups: m,
    values: { hostPort: hp(c), server: c.host ? `the server at ${hp(c)}` : 'the server', user: c.user ?? '<user>', sqlPort: String(DEFAULT_SQL_PORT) },
    texts: SHARED_TEXTS,
    filters: FILTERS,
  };
}

function renderText(t: EntryText, scope: TemplateScope): string {
  if (typeof t === 'string') return renderTemplate(t, scope);
  const v = t.find((x) => x.when === undefined || renderTemplate(x.when, scope) !== '');
  return v ? renderTemplate(v.text, scope) : '';
}

/** An entry's cause and fix for one match. */
export function describeMatch(e: CatalogueEntry, m: readonly (string | undefined)[], c: TextContext): Diagnosis {
  const scope = templateScope(m, c);
  return { category: e.category, cause: renderText(e.cause, scope), fix: renderText(e.fix, scope) };
}

function dirOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i > 0 ? path.slice(0, i) : '<certs>';
}

function certHint(path: string): string {
  if (/ca\.crt$/.test(path) || /root\.crt$/.test(path)) return "copy the cluster's ca.crt there";
  const m = /client\.([^/\\]+)\.(?:crt|key)/.exec(path);
  if (m) return `crdb-tls cert create-client ${m[1]} --certs-dir ${dirOf(path)} --ca-key <ca.key>`;
  return 'issue it with crdb-tls cert';
}

/** Hosts, ports and users named in the text (libpq, Go, Node and JDBC formats). */
export function textContext(text: string): TextContext {
  const c: TextContext = {};
  const libpq = /server at "([^"]+)"(?: \([^)]*\))?, port (\d+)/.exec(text);
  const go = /dial tcp (\[[^\]]+\]|[^\s:]+):(\d+)/.exec(text);
  const node = /(?:ECONNREFUSED|ETIMEDOUT|connect) (\[[^\]]+\]|\d+\.\d+\.\d+\.\d+|[0-9a-f:]+):(\d+)/i.exec(text);
  const jdbc = /Connection to ([^\s:]+):(\d+) refused/.exec(text);
  const pgx = /failed to connect to `host=(\S+) user=(\S+)/.exec(text);
  const m = libpq ?? go ?? node ?? jdbc;
  if (m) {
    c.host = m[1].replace(/^\[|\]$/g, '');
    c.port = m[2];
  } else if (pgx) {
    c.host = pgx[1];
  }
  const u = /for user "?([^"\s]+?)"?(?:\s|$|,)/.exec(text) ?? (pgx ? [pgx[0], pgx[2]] : null);
  if (u) c.user = u[1];
  return c;
}

/** An ambiguous text's candidates, each with what tells it apart: "unknown-authority (probe ... says ...); ...". */
export function candidatesLine(candidates: readonly Category[]): string {
  return candidates.map((c) => (CANDIDATE_SIGNS[c] ? `${c} (${CANDIDATE_SIGNS[c]})` : c)).join('; ');
}

/** Maps an error message to a category with a cause and a fix; says so plainly when it does not know the text. */
export function explain(text: string): ExplainResult {
  const trimmed = text.trim();
  if (trimmed === '') {
    return { category: 'other', cause: 'not recognised: the text is empty.', fix: 'paste the whole error message the client printed.' };
  }
  if (/BEGIN [A-Z0-9 ]*PRIVATE KEY/.test(trimmed)) {
    return {
      category: 'other',
      cause: 'not recognised: the text holds a private key, not an error message (it is not shown).',
      fix: 'paste the error message the client printed; if the key was pasted anywhere others can read, treat it as exposed and issue a new key and certificate (crdb-tls cert rotate-node or rotate-client).',
    };
  }
  const ctx = textContext(trimmed);
  for (const e of CATALOGUE) {
    const m = e.pattern.exec(trimmed);
    if (m)
      return { ...describeMatch(e, m, ctx), matched: { id: e.id, clients: e.clients, text: m[0] }, ...(e.candidates ? { candidates: [...e.candidates] } : {}) };
  }
  return {
    category: 'other',
    cause: `not recognised: ${quoteInput(trimmed, 80)} matches none of the ${CATALOGUE.length} TLS and connection errors crdb-tls knows.`,
    fix: `test the real thing instead: crdb-tls test-connection "<connection string>" connects and explains the failure; crdb-tls probe ${hp(ctx)} --ca-file <ca.crt> shows the certificate the server serves; crdb-tls inspect <file> and crdb-tls verify --ca-file <ca.crt> <cert> check the local files.`,
  };
}
