/**
 * sslmode and sslrootcert: the modes CockroachDB and the drivers accept, and what a client uses
 * when the string names none (the effective default per client family). Lint, the connection test
 * and the hover all ask here.
 */
import { join, win32 } from 'node:path';

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

/** The sslmode a client uses when the string has none. libpq and psycopg (and pgx) use prefer; node-postgres connects without TLS. */
export const SSLMODE_DEFAULTS: Record<Exclude<SslmodeSource, 'string'>, SslmodeDefault> = {
  'pgjdbc-ssl': { mode: 'verify-full', ca: 'sslrootcert' },
  'cockroach-cli': { mode: 'verify-full', ca: 'certs-dir' },
  pgjdbc: { mode: 'prefer', ca: 'sslrootcert' },
  libpq: { mode: 'prefer', ca: 'sslrootcert' },
};

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
  const d = SSLMODE_DEFAULTS[source];
  return { mode: d.mode, source, verifies: sslmodeVerifies(d.mode), ca: d.ca };
}

/** The names of libpq's default files in its folder (libpqDir): used when the string names none. */
export const LIBPQ_DEFAULT_FILES = { sslrootcert: 'root.crt', sslcert: 'postgresql.crt', sslkey: 'postgresql.key' } as const;
/** pgjdbc's default key there: the DER PKCS#8 form of postgresql.key. */
export const PGJDBC_DEFAULT_KEY = 'postgresql.pk8';

/** libpq's (and pgjdbc's) default sslrootcert, as written in messages. */
export const LIBPQ_DEFAULT_ROOTCERT = `~/.postgresql/${LIBPQ_DEFAULT_FILES.sslrootcert}`;
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
