/**
 * The catalogue of error messages, as printed by psql/libpq (and psycopg, which passes libpq's text
 * on), the cockroach CLI and Go drivers (pgx, lib/pq), Java (pgjdbc, and DBeaver, which shows
 * pgjdbc's messages), Node (pg, and TypeORM/Prisma on top of it), mapped to the categories of
 * test-connection with a cause and a fix. Order matters: the first entry that matches wins, so
 * specific messages (a TLS alert naming a certificate) come before general ones.
 * ../explain.ts holds the logic that reads it.
 */
import { CONNECTION } from './connection';
import { CERTIFICATES } from './certificates';
import { CatalogueEntry } from './entry';
import { LOCAL_FILES } from './localFiles';

export type { CatalogueEntry, EntryText } from './entry';
export { ALERTS, SHARED_TEXTS } from './shared';
export { CANDIDATE_SIGNS } from './candidates';

export const CATALOGUE: readonly CatalogueEntry[] = [...LOCAL_FILES, ...CERTIFICATES, ...CONNECTION];
