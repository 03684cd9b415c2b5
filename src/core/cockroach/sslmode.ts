/**
 * sslmode and sslrootcert: the modes CockroachDB and the drivers accept, and what a client uses
 * when the string names none (the effective default per client family). Lint, the connection test
 * and the hover all ask here.
 */
import { join, win32 } from 'node:path';
import { CA_CERT } from './layout';

export type SslMode = 'disable' | 'allow' | 'prefer' | 'require' | 'verify-ca' | 'verify-full';

/** Every sslmode, weakest first; anything else is rejected (`unrecognized sslmode parameter in URL`). */
export const SSLMODES: SslMode[] = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'];

/** What a mode checks of the server's certificate: nothing, the chain to a CA, or the chain and the host name. */
export function sslmodeVerification(mode: SslMode): 'none' | 'ca' | 'full' {
  return mode === 'verify-full' ? 'full' : mode === 'verify-ca' ? 'ca' : 'none';
}

/** Whether the client checks the server's certificate against a CA (only verify-full checks the host name too). */
export function sslmodeVerifies(mode: string | undefined): boolean {
  return mode === 'verify-ca' || mode === 'verify-full';
}

/**
 * Where the effective sslmode comes from: the string itself, pgjdbc's `ssl=true` without sslmode
 * (verify-full since 42.2.5), the cockroach CLI's default, or the driver's default.
 */
export type SslmodeSource = 'string' | 'pgjdbc-ssl' | 'cockroach-cli' | 'pgjdbc' | 'libpq';

export interface SslmodeDefault {
  mode: SslMode;
  /** Where the CA comes from when sslrootcert is absent: libpq's default file, or the cockroach CLI's --certs-dir ca.crt. */
  ca: 'sslrootcert' | 'certs-dir';
}

/** The names of libpq's default files in its folder (libpqDir): used when the string names none. */
export const LIBPQ_DEFAULT_FILES = { sslrootcert: 'root.crt', sslcert: 'postgresql.crt', sslkey: 'postgresql.key' } as const;
/** pgjdbc's default key there: the DER PKCS#8 form of postgresql.key. */
export const PGJDBC_DEFAULT_KEY = 'postgresql.pk8';

/** libpq's (and pgjdbc's) default sslrootcert, as written in messages. */
export const LIBPQ_DEFAULT_ROOTCERT = `~/.postgresql/${LIBPQ_DEFAULT_FILES.sslrootcert}`;
/** The client families whose defaults differ. */
export type ClientFamilyId = 'libpq' | 'pgjdbc' | 'pgx' | 'lib-pq' | 'node-postgres' | 'cockroach-cli';

export interface ClientSslDefaults {
  /** As people name the client: "libpq (psql, psycopg)". */
  label: string;
  /** The sslmode it uses when the string names none ('disable': it connects without TLS). */
  sslmode: SslMode;
  /**
   * What it trusts when the string has no sslrootcert: a default file (libpq's, which pgjdbc and
   * pgx read too), the cockroach CLI's ca.crt of --certs-dir, or the public CAs of the system
   * (lib/pq) or of Node (node-postgres).
   */
  sslrootcert: { kind: 'file'; path: string } | { kind: 'certs-dir'; file: string } | { kind: 'public'; text: string };
}

/**
 * The one table of defaults per client family, from each client's source and docs: libpq
 * (fe-connect.c: sslmode prefer, sslrootcert ~/.postgresql/root.crt); pgjdbc (sslmode prefer, its
 * default dir's root.crt); pgx v5 (pgconn: prefer, ~/.postgresql/root.crt when it exists); lib/pq
 * (ssl.go: "require" is the default, no default sslrootcert: the system's CAs); node-postgres
 * (pg-connection-string: no sslmode, no TLS; with TLS, Node's bundled CAs); the cockroach CLI
 * (verify-full, ca.crt of --certs-dir).
 */
export const CLIENT_SSL_DEFAULTS: Readonly<Record<ClientFamilyId, ClientSslDefaults>> = {
  libpq: { label: 'libpq (psql, psycopg)', sslmode: 'prefer', sslrootcert: { kind: 'file', path: LIBPQ_DEFAULT_ROOTCERT } },
  pgjdbc: { label: 'pgjdbc', sslmode: 'prefer', sslrootcert: { kind: 'file', path: LIBPQ_DEFAULT_ROOTCERT } },
  pgx: { label: 'pgx', sslmode: 'prefer', sslrootcert: { kind: 'file', path: LIBPQ_DEFAULT_ROOTCERT } },
  'lib-pq': { label: 'lib/pq', sslmode: 'require', sslrootcert: { kind: 'public', text: "the system's CAs" } },
  'node-postgres': { label: 'node-postgres', sslmode: 'disable', sslrootcert: { kind: 'public', text: "Node's bundled CAs" } },
  'cockroach-cli': { label: 'the cockroach CLI', sslmode: 'verify-full', sslrootcert: { kind: 'certs-dir', file: CA_CERT } },
};

const caOf = (f: ClientFamilyId): SslmodeDefault['ca'] => (CLIENT_SSL_DEFAULTS[f].sslrootcert.kind === 'certs-dir' ? 'certs-dir' : 'sslrootcert');

/** The sslmode a client uses when the string has none. libpq and psycopg (and pgx) use prefer; node-postgres connects without TLS. */
export const SSLMODE_DEFAULTS: Record<Exclude<SslmodeSource, 'string'>, SslmodeDefault> = {
  'pgjdbc-ssl': { mode: 'verify-full', ca: 'sslrootcert' },
  'cockroach-cli': { mode: CLIENT_SSL_DEFAULTS['cockroach-cli'].sslmode, ca: caOf('cockroach-cli') },
  pgjdbc: { mode: CLIENT_SSL_DEFAULTS.pgjdbc.sslmode, ca: caOf('pgjdbc') },
  libpq: { mode: CLIENT_SSL_DEFAULTS.libpq.sslmode, ca: caOf('libpq') },
};

/** What a default sslrootcert means, in words: "~/.postgresql/root.crt", "ca.crt of --certs-dir", "the system's CAs". */
export function rootcertDefaultText(d: ClientSslDefaults['sslrootcert']): string {
  return d.kind === 'file' ? d.path : d.kind === 'certs-dir' ? `${d.file} of --certs-dir` : d.text;
}

/**
 * One field of the table for `families`, grouped by value: "libpq (psql, psycopg), pgjdbc, pgx:
 * prefer; lib/pq: require; node-postgres: disable (no TLS)". For a string whose client is not known.
 */
export function clientDefaultsText(field: 'sslmode' | 'sslrootcert', families: readonly ClientFamilyId[]): string {
  const groups = new Map<string, string[]>();
  for (const f of families) {
    const d = CLIENT_SSL_DEFAULTS[f];
    const v = field === 'sslmode' ? (d.sslmode === 'disable' ? 'disable (no TLS)' : d.sslmode) : rootcertDefaultText(d.sslrootcert);
    groups.set(v, [...(groups.get(v) ?? []), d.label]);
  }
  return [...groups].map(([v, who]) => `${who.join(', ')}: ${v}`).join('; ');
}

/** The families a connection-string URL or key/value string may be written for (the cockroach CLI apart: it is known from the context). */
export const DRIVER_FAMILIES: readonly ClientFamilyId[] = ['libpq', 'pgjdbc', 'pgx', 'lib-pq', 'node-postgres'];

export interface EffectiveSslmode {
  /** As written (it may be no mode at all: the caller reports that), or the default. */
  mode: string;
  source: SslmodeSource;
  verifies: boolean;
  ca: 'sslrootcert' | 'certs-dir';
}

/**
 * The sslmode a client applies to a string: `sslmode` when written, else pgjdbc's `ssl=true`, else
 * the cockroach CLI's verify-full, else the driver's prefer. `kind` and `context` are the string's.
 */
export function effectiveSslmode(s: { kind: string; context: string }, sslmode: string | undefined, ssl: string | undefined): EffectiveSslmode {
  if (sslmode !== undefined) return { mode: sslmode, source: 'string', verifies: sslmodeVerifies(sslmode), ca: 'sslrootcert' };
  const source: SslmodeSource =
    s.kind === 'jdbc' && ssl === 'true' ? 'pgjdbc-ssl' : s.context === 'cockroach-cli' ? 'cockroach-cli' : s.kind === 'jdbc' ? 'pgjdbc' : 'libpq';
  return DEFAULT_EFFECTIVE[source];
}

/** The default case's answer per source, made once (lint asks for every string of a document). */
const DEFAULT_EFFECTIVE = Object.fromEntries(
  (Object.keys(SSLMODE_DEFAULTS) as (keyof typeof SSLMODE_DEFAULTS)[]).map((source) => {
    const d = SSLMODE_DEFAULTS[source];
    return [source, Object.freeze({ mode: d.mode, source, verifies: sslmodeVerifies(d.mode), ca: d.ca })];
  }),
) as Record<keyof typeof SSLMODE_DEFAULTS, EffectiveSslmode>;

/** libpq's default sslcert and sslkey, as written in messages. */
export const LIBPQ_DEFAULT_CERT = `~/.postgresql/${LIBPQ_DEFAULT_FILES.sslcert}`;
export const LIBPQ_DEFAULT_KEY = `~/.postgresql/${LIBPQ_DEFAULT_FILES.sslkey}`;
/** On Windows libpq reads %APPDATA%\postgresql\ instead. */
export const LIBPQ_DEFAULT_ROOTCERT_WINDOWS = '%APPDATA%\\postgresql\\root.crt';

/** The folder of libpq's default files (root.crt, postgresql.crt, postgresql.key): ~/.postgresql, or %APPDATA%\postgresql on Windows. */
export function libpqDir(home: string, platform: string, appData: string | undefined): string {
  if (platform === 'win32' && appData) return win32.join(appData, 'postgresql');
  return join(home, '.postgresql');
}

/** libpq's default sslrootcert file. */
export function libpqDefaultRootcert(home: string, platform: string, appData: string | undefined): string {
  const dir = libpqDir(home, platform, appData);
  return platform === 'win32' && appData ? win32.join(dir, LIBPQ_DEFAULT_FILES.sslrootcert) : join(dir, LIBPQ_DEFAULT_FILES.sslrootcert);
}

/** The client a string is written for when its form says so (the cockroach CLI's --url, a jdbc: URL), else undefined: any driver. */
export function knownFamily(s: { kind: string; context: string }): ClientFamilyId | undefined {
  return s.context === 'cockroach-cli' ? 'cockroach-cli' : s.kind === 'jdbc' ? 'pgjdbc' : undefined;
}

/**
 * What a string's TLS settings verify, in three lines (TLS, server identity, host name), from the
 * effective sslmode and the defaults table: the connection-string hover prints them.
 */
export function sslVerificationLines(s: { kind: string; context: string }, p: { sslmode?: string; ssl?: string; sslrootcert?: string }): string[] {
  const eff = effectiveSslmode(s, p.sslmode, p.ssl);
  const family = knownFamily(s);
  // No sslmode in a string any driver may read: each driver's own default applies.
  const mode = eff.source === 'libpq' ? undefined : eff.mode;
  const tls =
    mode === undefined
      ? `depends on the driver (${clientDefaultsText('sslmode', DRIVER_FAMILIES)})`
      : mode === 'disable'
        ? 'none'
        : mode === 'allow' || mode === 'prefer'
          ? 'only if the server offers it'
          : 'required';
  const why =
    eff.source === 'pgjdbc-ssl' ? ", pgjdbc's ssl=true" : eff.source !== 'string' && family ? `, the default of ${CLIENT_SSL_DEFAULTS[family].label}` : '';
  const against = p.sslrootcert
    ? p.sslrootcert
    : eff.ca === 'certs-dir'
      ? rootcertDefaultText(CLIENT_SSL_DEFAULTS['cockroach-cli'].sslrootcert)
      : family
        ? rootcertDefaultText(CLIENT_SSL_DEFAULTS[family].sslrootcert)
        : `the driver's default (${clientDefaultsText('sslrootcert', DRIVER_FAMILIES)})`;
  return [
    `TLS: ${tls}${mode ? ` (sslmode=${mode}${why})` : ''}`,
    `Server identity: ${sslmodeVerifies(mode) ? `verified against ${against}` : 'not verified'}`,
    `Host name: ${mode === 'verify-full' ? "checked against the node certificate's SANs" : 'not checked'}`,
  ];
}
