/** The client kit's data: which client, what it connects to, and what the kit hands back. */

export const CLIENT_IDS = [
  'psql',
  'cockroach-sql',
  'psycopg2',
  'psycopg3',
  'sqlalchemy',
  'jdbc',
  'dbeaver',
  'pgx',
  'lib-pq',
  'node-pg',
  'typeorm',
  'prisma',
  'ruby-pg',
] as const;

export type ClientId = (typeof CLIENT_IDS)[number];

export function isClientId(s: string): s is ClientId {
  return (CLIENT_IDS as readonly string[]).includes(s);
}

/** What connects: the server, the user, and the files as absolute paths (as the client will open them). */
export interface KitTarget {
  host: string;
  port: number;
  user: string;
  database?: string;
  /** The CA file, or 'system' (the public CAs; only some clients support it). */
  ca: string;
  cert?: string;
  key?: string;
  /** The derived files the client needs instead of the PEM key. */
  pk8?: string;
  /** The pgjdbc jar the Java run command names (-cp). */
  pgjdbcJar?: string;
  p12?: { path: string; password: string };
  /** Windows paths (backslashes, drive letters) are written for Windows. */
  windows: boolean;
}

/** What a client's builder writes. */
export interface KitParts {
  snippet: string;
  program: string;
  run: string;
  notes: string[];
  /** Files the program needs beside it (Prisma's schema.prisma and .env), written with it. */
  beside?: { name: string; purpose: string; mode: number; content: string }[];
}

/** A file the kit derived (a PKCS#8 or PKCS#12 key), reused when it already exists. */
export interface KitFile {
  path: string;
  purpose: string;
  /** reused: it exists and is used as it is; write: the kit made its bytes (in `data`), to be written with `mode`. */
  status: 'reused' | 'write';
  mode: number;
  /** Key material: never in JSON (toJSON drops it), written only where the user asked. */
  data?: Buffer;
  /** It goes beside the program (path: its name, or in --out DIR), not next to the key. */
  beside?: boolean;
}

/** `crdb-tls connect --json`: exactly these fields. */
export interface ClientKit {
  client: ClientId;
  language: string;
  snippet: string;
  program: string;
  /** The program's file name, when the program is a file (written by --out). */
  programFile?: string;
  run: string;
  files: KitFile[];
  notes: string[];
}
