/**
 * The client kit: a connection string (URL, JDBC or key=value) → what one client needs to connect
 * with verify-full: the snippet, a program that runs SELECT 1, its run command, the derived key
 * files (PKCS#8 for Java, PKCS#12 for Prisma) and the client's notes, with the string's lint findings.
 */
import { KeyObject, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { basename, dirname, join, win32 } from 'node:path';
import { DEFAULT_SQL_PORT } from '../../cockroach/ports';
import { UserError, quoteInput } from '../../errors';
import { readInputBytes, MAX_PEM_BYTES } from '../../input';
import { keyMatchesCert, p12Holds, parsePrivateKey, pkcs12Der, pkcs8Der } from '../../pki/keys';
import { parseCertificate } from '../../pki/x509';
import { resolveRef } from '../files';
import { findConnStrings } from '../find';
import { lintConn } from '../lint';
import { ConnString, Finding, paramValue } from '../types';
import { kitFindings, refuseCutOffWindowsPath } from './input';
import { storedP12Password } from './p12';
import { CLIENTS } from './table';
import { ClientId, ClientKit, KitFile, KitParts, KitTarget, isClientId, CLIENT_IDS } from './types';

export interface KitOptions {
  /** Relative paths in the string resolve from here (the CLI: the current directory). */
  cwd: string;
  home?: string;
  now?: Date;
  /** Where new derived files go (the CLI's --out); default: next to the key. */
  derivedDir?: string;
  /** The PKCS#12 password (randomness comes in as a parameter). */
  newPassword: () => string;
  /** The caller writes the derived files itself where they are (the editor, after asking): no "not written yet" note. */
  writesDerived?: boolean;
  /** The pgjdbc jar for the Java run command; default: the first of PGJDBC_JARS that exists. */
  pgjdbcJar?: string;
  /** Called with the lint findings before the kit is built (which may then fail on the same problem). */
  onFindings?: (findings: Finding[]) => void;
}

export interface KitResult {
  kit: ClientKit;
  /** The string's lint findings that apply to it as written and that the kit does not resolve (what onFindings got). */
  findings: Finding[];
}

export function parseClientId(s: string): ClientId {
  if (!isClientId(s)) throw new UserError(`unknown client ${quoteInput(s)}: use one of ${CLIENT_IDS.join(', ')}.`);
  return s;
}

const WINDOWS_PATH = /^(?:[A-Za-z]:[\\/]|\\\\)/;

/** A path as the client opens it: absolute (resolved from cwd), a Windows path as written. */
function absolute(written: string, o: KitOptions): string {
  if (WINDOWS_PATH.test(written)) return win32.normalize(written);
  return resolveRef(written, { workspaceFolders: [o.cwd], home: o.home })[0];
}

const read = (path: string, what: string) => readInputBytes(path, { maxBytes: MAX_PEM_BYTES, what });

function pemKey(path: string): KeyObject {
  const data = read(path, 'a key file');
  return /-----BEGIN/.test(data.toString('latin1')) ? parsePrivateKey(data, path) : parsePrivateKey(data, path, 'der');
}

/** The PEM key of a string that names the .pk8 (a JDBC string): the client.<user>.key next to it. */
function pemKeyPath(key: string): string {
  if (!/\.pk8$/.test(key)) return key;
  const pem = key.replace(/\.pk8$/, '');
  if (existsSync(pem)) return pem;
  throw new UserError(
    `sslkey ${key} is the DER PKCS#8 key; this client reads the PEM key ${basename(pem)}, which is not next to it: name the PEM key in sslkey.`,
  );
}

function target(c: ConnString, o: KitOptions): KitTarget {
  const user = c.user ?? paramValue(c, 'user')?.value;
  if (!user) throw new UserError('the connection string names no user: certificate login needs one (postgresql://USER@host:26257/db?...).');
  const h = c.hosts[0];
  const host = h?.host || paramValue(c, 'host')?.value;
  if (!host) throw new UserError('the connection string names no host: add one (postgresql://user@HOST:26257/db?...).');
  const portText = paramValue(c, 'port')?.value;
  const port = h?.port ?? (portText ? Number(portText) : DEFAULT_SQL_PORT);
  const ca = paramValue(c, 'sslrootcert')?.value;
  if (!ca) throw new UserError("the connection string has no sslrootcert: verify-full needs the cluster's CA (sslrootcert=<certs>/ca.crt).");
  const cert = paramValue(c, 'sslcert')?.value;
  const key = paramValue(c, 'sslkey')?.value;
  if (!!cert !== !!key) throw new UserError('the connection string names sslcert or sslkey alone: certificate login needs both.');
  const paths = [ca, cert, key].filter((p): p is string => !!p);
  return {
    host,
    port,
    user,
    database: c.database || paramValue(c, 'dbname')?.value || undefined,
    ca: ca === 'system' ? 'system' : absolute(ca, o),
    cert: cert ? absolute(cert, o) : undefined,
    key: key ? pemKeyPath(absolute(key, o)) : undefined,
    windows: paths.some((p) => WINDOWS_PATH.test(p)),
  };
}

/** pgjdbc's key: client.<user>.key.pk8, reused when it exists and belongs to the certificate. */
function derivePk8(t: KitTarget, o: KitOptions): KitFile {
  const key = pemKey(t.key!);
  const next = `${t.key}.pk8`;
  const purpose = 'the client key as DER PKCS#8: pgjdbc reads no PEM key';
  if (existsSync(next)) {
    const cert = parseCertificate(read(t.cert!, 'a certificate'));
    if (keyMatchesCert(pemKey(next), cert)) return { path: next, purpose, status: 'reused', mode: 0o600 };
  }
  const path = o.derivedDir ? join(o.derivedDir, basename(next)) : next;
  return { path, purpose, status: 'write', mode: 0o600, data: pkcs8Der(key) };
}

/**
 * Prisma's identity: the key and certificate as PKCS#12. The one the kit wrote before is reused when
 * it opens with the password stored in --out's .env and holds this certificate and key; else a new
 * one with a new password (the CLI and the editor back up a file they replace).
 */
async function deriveP12(t: KitTarget, o: KitOptions): Promise<{ file: KitFile; password: string }> {
  const certPem = read(t.cert!, 'a certificate').toString('latin1');
  const path = join(o.derivedDir ?? dirname(t.cert!), `client.${t.user}.p12`);
  const purpose = "the client key and certificate as PKCS#12 (Prisma's sslidentity), encrypted with the sslpassword in the snippet";
  const stored = existsSync(path) ? storedP12Password(o.derivedDir, path) : undefined;
  if (stored && (await p12Holds(read(path, 'a PKCS#12 file'), stored, parseCertificate(Buffer.from(certPem, 'latin1')))))
    return { file: { path, purpose, status: 'reused', mode: 0o600 }, password: stored };
  const password = o.newPassword();
  // The alias "user": pgjdbc's PKCS12KeyManager looks the key up under that name (Prisma takes the first).
  const data = await pkcs12Der(pemKey(t.key!), certPem, password, 'user');
  return { file: { path, purpose, status: 'write', mode: 0o600, data }, password };
}

/** The files a program needs beside it, as the kit's files: in --out DIR, else by name (beside wherever the program goes). */
function besideFiles(parts: KitParts, o: KitOptions): KitFile[] {
  return (parts.beside ?? []).map((b) => ({
    path: o.derivedDir ? join(o.derivedDir, b.name) : b.name,
    purpose: b.purpose,
    status: 'write',
    mode: b.mode,
    data: Buffer.from(b.content),
    beside: true,
  }));
}

/** pgjdbc's jar where a package manager puts it (Debian's libpostgresql-jdbc-java), else the name the notes tell the user to use. */
export const PGJDBC_JARS = ['/usr/share/java/postgresql.jar'];

/** Builds the kit for one client from the first connection string in `text`. */
export async function buildClientKit(client: ClientId, text: string, o: KitOptions): Promise<KitResult> {
  const c = findConnStrings(text)[0];
  if (!c) throw new UserError(`no connection string found in ${quoteInput(text)}: pass a postgresql:// URL, a jdbc:postgresql:// URL or key=value pairs.`);
  const info = CLIENTS[client];
  refuseCutOffWindowsPath(text, c);
  const all = lintConn(text, c, { workspaceFolders: [o.cwd], home: o.home, now: o.now, client });
  const { shown: findings, notes: inputNotes } = kitFindings(all, client, info, c);
  o.onFindings?.(findings);
  const t = target(c, o);
  if (t.ca === 'system' && info.systemRoot === 'no')
    throw new UserError(`${client} does not support sslrootcert=system (it opens a file named "system"): download the CA and name the file.`);
  const files: KitFile[] = [];
  if (t.key && info.keyFormat === 'pk8') {
    const f = derivePk8(t, o);
    files.push(f);
    t.pk8 = f.path;
  }
  if (t.key && info.keyFormat === 'p12') {
    const { file, password } = await deriveP12(t, o);
    files.push(file);
    t.p12 = { path: file.path, password };
  }
  if (info.family === 'java') t.pgjdbcJar = o.pgjdbcJar ?? PGJDBC_JARS.find((j) => existsSync(j));
  const parts = info.build(t);
  files.push(...besideFiles(parts, o));
  const notes = [...parts.notes, ...inputNotes];
  if (files.some((f) => f.status === 'write') && !o.derivedDir && !o.writesDerived)
    notes.push('The derived files are not written yet: pass --out DIR (the CLI) to write them.');
  if (t.windows) notes.push('Windows paths: the backslashes and the drive letter are percent-encoded in URLs (%5C, %3A) and escaped in string literals.');
  const kit: ClientKit = {
    client,
    language: info.language,
    snippet: parts.snippet,
    program: parts.program,
    programFile: info.programFile,
    run: parts.run,
    files,
    notes,
  };
  return { kit, findings };
}

/** A new PKCS#12 password for KitOptions.newPassword: 18 random bytes, base64url. */
export function newKitPassword(): string {
  return randomBytes(18).toString('base64url');
}

/** The mode a written program gets: a shell script runs as it is (0755), the others are read by their runtime (0644). */
export function programMode(programFile: string): number {
  return programFile.endsWith('.sh') ? 0o755 : 0o644;
}

/** The kit as `--json` prints it: {client, language, snippet, program, programFile?, run, files, notes}, no key bytes. */
export function kitJson(kit: ClientKit): Record<string, unknown> {
  return {
    client: kit.client,
    language: kit.language,
    snippet: kit.snippet,
    program: kit.program,
    ...(kit.programFile ? { programFile: kit.programFile } : {}),
    run: kit.run,
    files: kit.files.map((f) => ({ path: f.path, purpose: f.purpose, status: f.status, mode: `0${f.mode.toString(8)}` })),
    notes: kit.notes,
  };
}
