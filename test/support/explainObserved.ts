/**
 * The explainer's evidence from the real client libraries: the failure kinds, what each library
 * does with each (the expected-outcome table, from the live runs of
 * test/integration/explain-clients.test.ts), and the classification of what they print, shared by
 * that live suite and the offline unit suite over test/fixtures/explain-observed.json.
 */
import { tmpdir } from 'node:os';
import { REPO_ROOT } from './exec';
import { ClientId } from '../../src/core/connstr/clients/types';
import { explain } from '../../src/core/tls/explain';
import { Category } from '../../src/core/tls/types';

export const LIBRARIES = ['psql', 'psycopg2', 'psycopg3', 'jdbc', 'pgx', 'lib-pq', 'node-pg', 'typeorm', 'ruby-pg'] as const satisfies readonly ClientId[];
export type Library = (typeof LIBRARIES)[number];

/** Every failure test-connection classifies, with its category. */
export const KINDS = {
  'unknown CA': 'unknown-authority',
  'host mismatch': 'hostname-mismatch',
  'server cert expired': 'server-cert-expired',
  'server cert not yet valid': 'server-cert-not-yet-valid',
  'client cert from another CA': 'client-cert-rejected',
  'client cert expired': 'client-cert-rejected',
  'client cert not in the server CA list': 'client-cert-not-sent',
  'wrong user': 'auth-failed',
  'SSL off': 'ssl-not-supported',
  'EOF during the handshake': 'handshake-eof',
  refused: 'connection-refused',
  DNS: 'dns',
  timeout: 'timeout',
  'key mismatch': 'key-mismatch',
  'key permissions': 'key-permissions',
  'missing CA file': 'file-missing',
  'missing cert file': 'file-missing',
  'missing key file': 'file-missing',
} as const satisfies Record<string, Category>;
export type KindName = keyof typeof KINDS;
export const KIND_NAMES = Object.keys(KINDS) as KindName[];

const OPENSSL_CLIENTS: readonly Library[] = ['psql', 'psycopg2', 'psycopg3', 'ruby-pg', 'node-pg', 'typeorm'];
/** They skip an sslcert file that does not exist (and send no certificate). */
const SKIP_MISSING_CERT: readonly Library[] = ['psql', 'psycopg2', 'psycopg3', 'ruby-pg', 'lib-pq'];

/**
 * The category a library's failure of a kind really is, where it differs from the kind's: OpenSSL
 * (libpq, Node) sends the client certificate whatever CA list the server asks with, so the server
 * refuses it; libpq and lib/pq skip an sslcert file that does not exist and send no certificate.
 */
export function expectedCategory(library: Library, kind: KindName): Category {
  if (kind === 'client cert not in the server CA list' && OPENSSL_CLIENTS.includes(library)) return 'client-cert-rejected';
  if (kind === 'missing cert file' && SKIP_MISSING_CERT.includes(library)) return 'client-cert-not-sent';
  return KINDS[kind];
}

export type Outcome = 'failed' | 'connected' | 'hung';

/** What each library does with each kind: failed unless listed; `produced` counts the failures. */
export const EXPECTED: Readonly<Record<Library, { produced: number; outcomes: Partial<Record<KindName, Outcome>> }>> = {
  psql: { produced: 18, outcomes: {} },
  psycopg2: { produced: 18, outcomes: {} },
  psycopg3: { produced: 18, outcomes: {} },
  jdbc: { produced: 17, outcomes: { 'key permissions': 'connected' } },
  pgx: { produced: 17, outcomes: { 'key permissions': 'connected' } },
  'lib-pq': { produced: 18, outcomes: {} },
  'node-pg': { produced: 17, outcomes: { 'key permissions': 'connected' } },
  typeorm: { produced: 17, outcomes: { 'key permissions': 'connected' } },
  'ruby-pg': { produced: 18, outcomes: {} },
};

export interface Observed {
  library: Library;
  kind: KindName;
  category: Category;
  /** undefined: the library connected (it cannot produce this failure) or waited past the limit. */
  text?: string;
  outcome: Outcome;
}

/** Each failure's text through explain: the category exactly, or ambiguous with it among the candidates; the rest are wrong. */
export function classifyObserved(list: readonly Observed[]): { produced: number; exact: number; ambiguous: number; wrong: string[] } {
  let exact = 0;
  let ambiguous = 0;
  const wrong: string[] = [];
  const failed = list.filter((o) => o.outcome === 'failed');
  for (const o of failed) {
    const r = explain(o.text ?? '');
    if (r.category === o.category) exact++;
    else if (r.category === 'ambiguous' && (r.candidates ?? []).includes(o.category)) ambiguous++;
    else
      wrong.push(
        `${o.library}: ${o.kind} (${o.category}) → ${r.category} ${r.candidates?.join('|') ?? ''} [${r.matched?.id}]: ${(o.text ?? '').trim().slice(-600)}`,
      );
  }
  return { produced: failed.length, exact, ambiguous, wrong };
}

/**
 * The observations as the fixture keeps them: temp paths as <tmp>, the repository as <repo>, the test's random ports as fixed
 * ones (26257 and up, in the order given), a client's ephemeral port as 50000; nothing else changed.
 */
export function normaliseObserved(list: readonly Observed[], ports: Record<string, number>): Observed[] {
  const esc = (p: string) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const tmp = new RegExp(`${esc(tmpdir())}/[^/\\s"']+`, 'g');
  const repo = new RegExp(esc(REPO_ROOT), 'g');
  const fixed = Object.values(ports).map((p, i) => [new RegExp(`\\b${p}\\b`, 'g'), String(26257 + i)] as const);
  const norm = (t: string) => {
    let s = t
      .replace(tmp, '<tmp>')
      .replace(repo, '<repo>')
      .replace(/(\d+\.\d+\.\d+\.\d+):\d+->/g, '$1:50000->');
    for (const [re, to] of fixed) s = s.replace(re, to);
    return s;
  };
  return list.map((o) => ({ ...o, ...(o.text !== undefined ? { text: norm(o.text) } : {}) }));
}
