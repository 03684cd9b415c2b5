import { existsSync, mkdirSync } from 'node:fs';
import { MAX_TEXT_BYTES, readInputBytes } from '../core/input';
import { join, resolve } from 'node:path';
import { commitFiles, FileWrite } from '../core/certsdir/write';
import { createBackup, defaultBackupRoot } from '../core/certsdir/rotate/backup';
import { UserError, errnoCode, errMessage, safeMessage } from '../core/errors';
import { buildClientKit, kitJson, newKitPassword, parseClientId, programMode } from '../core/connstr/clients/kit';
import { CLIENT_IDS } from '../core/connstr/clients/types';
import { parseArgs } from './args';
import { commandHelp } from './help';
import { flagSpec } from './spec';
import type { Io } from './io';

export const CONNECT_USAGE = commandHelp('connect');

export interface ConnectIo extends Io {
  err?: (s: string) => void;
  cwd?: string;
}

export async function runConnect(argv: string[], io: ConnectIo): Promise<number> {
  const err = io.err ?? ((s: string) => void process.stderr.write(s));
  const a = parseArgs(argv, flagSpec('connect'), 'connect');
  if (a.bools.help) {
    io.out(CONNECT_USAGE);
    return 0;
  }
  if (a.positionals.length !== 1) {
    if (a.positionals.length === 0) {
      io.out(CONNECT_USAGE);
      return 2;
    }
    throw new UserError(
      `connect takes one CLIENT, not ${a.positionals.length}: e.g. crdb-tls connect psql --url "postgresql://..."; clients: ${CLIENT_IDS.join(', ')}.`,
    );
  }
  const client = parseClientId(a.positionals[0]);
  const url = a.values.url;
  if (!url)
    throw new UserError('connect needs --url: crdb-tls connect psql --url "postgresql://user@host:26257/db?sslmode=verify-full&sslrootcert=ca.crt&..."');
  const cwd = io.cwd ?? process.cwd();
  const out = a.values.out !== undefined ? resolve(cwd, a.values.out) : undefined;
  // The URL's lint findings are warnings (a file named there may exist only where the program
  // runs), printed once the kit is built: when the kit cannot be built or written (a key it derives
  // a .pk8 or .p12 from cannot be read), the one stderr line is that error, not the warning too.
  const warnings: string[] = [];
  const { kit } = await buildClientKit(client, url, {
    cwd,
    now: new Date(),
    derivedDir: out,
    newPassword: newKitPassword,
    onFindings: (findings) => {
      for (const f of findings) warnings.push(`crdb-tls: ${f.severity === 'info' ? 'note' : 'warning'}: ${f.code}: ${safeMessage(f.message)}\n`);
    },
  });
  if (out) {
    try {
      mkdirSync(out, { recursive: true, mode: 0o700 });
    } catch (e) {
      throw new UserError(`cannot create --out ${out} (${errnoCode(e) ?? errMessage(e)}): choose a folder you can write.`, out);
    }
    const writes: FileWrite[] = kit.files.filter((f) => f.status === 'write' && f.data).map((f) => ({ path: f.path, data: f.data!, mode: f.mode }));
    // A file replaced by other bytes (a PKCS#12 that no longer opens with its password or holds another key) is backed up first, as the editor does.
    // What is there is read as any input (a regular file, capped): a pipe or device in DIR is refused, never read.
    const replaced = writes
      .filter((w) => existsSync(w.path) && !readInputBytes(w.path, { maxBytes: MAX_TEXT_BYTES, what: '--out' }).equals(Buffer.from(w.data)))
      .map((w) => w.path);
    if (replaced.length) {
      const b = createBackup(defaultBackupRoot(out), out, 'connect', replaced, []);
      err(`crdb-tls: backed up ${replaced.join(', ')} to ${b.dir} before replacing them\n`);
    }
    if (kit.programFile) writes.push({ path: join(out, kit.programFile), data: kit.program, mode: programMode(kit.programFile) });
    commitFiles(writes);
  }
  for (const w of warnings) err(w);
  if (a.bools.json) {
    io.out(JSON.stringify(kitJson(kit), null, 2) + '\n');
    return 0;
  }
  const files = kit.files
    .map((f) => `  ${f.path} (${f.status === 'reused' ? 'exists, reused' : out ? 'written' : 'not written: pass --out DIR'}): ${f.purpose}\n`)
    .join('');
  io.out(
    `Client: ${kit.client} (${kit.language})\n\nSnippet:\n${indent(kit.snippet)}\n\nProgram${kit.programFile ? ` (${out ? join(out, kit.programFile) : kit.programFile})` : ''}:\n${indent(kit.program)}\n\nRun: ${kit.run}\n` +
      (files ? `\nFiles:\n${files}` : '') +
      `\nNotes:\n${kit.notes.map((n) => `  - ${n}\n`).join('')}`,
  );
  return 0;
}

const indent = (s: string) =>
  s
    .replace(/\n$/, '')
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
