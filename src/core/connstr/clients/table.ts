/**
 * Every client of the kit in one table: its language, program file and builder, and the facts the
 * lint rules ask about it (how it reads the key, sslrootcert=system, libpq's default files).
 */
import { cockroachSql, psql, psycopg2, psycopg3, rubyPg, sqlalchemy } from './libpq';
import { libPq, pgx } from './go';
import { dbeaver, jdbc } from './java';
import { nodePg, prisma, typeorm } from './node';
import { ClientId, KitParts, KitTarget } from './types';

export type ClientFamily = 'libpq' | 'cockroach' | 'go' | 'java' | 'node' | 'prisma';

export interface ClientInfo {
  family: ClientFamily;
  language: string;
  programFile: string;
  /** The key as the client reads it: a PEM file, pgjdbc's DER PKCS#8, or Prisma's PKCS#12 identity. */
  keyFormat: 'pem' | 'pk8' | 'p12';
  /**
   * sslrootcert=system (the system's public CAs): libpq 16+ and the libraries over it, pgx v5;
   * pgjdbc, node-postgres, lib/pq and pgx v4 open a file named "system".
   */
  systemRoot: 'yes' | 'libpq16' | 'no';
  /** Sends ~/.postgresql/postgresql.crt and its key when the string names no sslcert (libpq, lib/pq, pgx, pgjdbc). */
  defaultClientFiles: boolean;
  build: (t: KitTarget) => KitParts;
}

const libpq = (build: ClientInfo['build'], language: string, programFile: string): ClientInfo => ({
  family: 'libpq',
  language,
  programFile,
  keyFormat: 'pem',
  systemRoot: 'libpq16',
  defaultClientFiles: true,
  build,
});

export const CLIENTS: Readonly<Record<ClientId, ClientInfo>> = {
  psql: libpq(psql, 'shell', 'connect.sh'),
  'cockroach-sql': {
    family: 'cockroach',
    language: 'shell',
    programFile: 'connect.sh',
    keyFormat: 'pem',
    systemRoot: 'no',
    defaultClientFiles: false,
    build: cockroachSql,
  },
  psycopg2: libpq(psycopg2, 'python', 'connect.py'),
  psycopg3: libpq(psycopg3, 'python', 'connect.py'),
  sqlalchemy: libpq(sqlalchemy, 'python', 'connect.py'),
  'ruby-pg': libpq(rubyPg, 'ruby', 'connect.rb'),
  jdbc: { family: 'java', language: 'java', programFile: 'Connect.java', keyFormat: 'pk8', systemRoot: 'no', defaultClientFiles: true, build: jdbc },
  dbeaver: {
    family: 'java',
    language: 'dbeaver-settings',
    programFile: 'Connect.java',
    keyFormat: 'pk8',
    systemRoot: 'no',
    defaultClientFiles: true,
    build: dbeaver,
  },
  pgx: { family: 'go', language: 'go', programFile: 'connect.go', keyFormat: 'pem', systemRoot: 'no', defaultClientFiles: true, build: pgx },
  'lib-pq': { family: 'go', language: 'go', programFile: 'connect.go', keyFormat: 'pem', systemRoot: 'no', defaultClientFiles: true, build: libPq },
  'node-pg': {
    family: 'node',
    language: 'javascript',
    programFile: 'connect.js',
    keyFormat: 'pem',
    systemRoot: 'no',
    defaultClientFiles: false,
    build: nodePg,
  },
  typeorm: { family: 'node', language: 'javascript', programFile: 'connect.js', keyFormat: 'pem', systemRoot: 'no', defaultClientFiles: false, build: typeorm },
  prisma: { family: 'prisma', language: 'javascript', programFile: 'connect.js', keyFormat: 'p12', systemRoot: 'no', defaultClientFiles: false, build: prisma },
};
