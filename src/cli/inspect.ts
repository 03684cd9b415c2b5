import { signingCaFileFor } from '../core/cockroach/layout';
import { X509Certificate } from 'node:crypto';
import { Stats, existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UserError } from '../core/errors';
import { InputFileError, readInput } from '../core/input';
import { describeCertFile } from '../core/pki/describe';
import { describeCsr, isCsrContent } from '../core/pki/describeCsr';
import { parseCertFile } from '../core/pki/inspect';
import { KeyFileInfo, describeKeyFile, isKeyContent, keyFileText } from '../core/tls/keyfile';
import { parseArgs } from './args';
import { commandHelp } from './help';
import { flagSpec } from './spec';
import type { Io } from './io';
import { parseCertificate } from '../core/pki/x509';

export const INSPECT_USAGE = commandHelp('inspect');

/** A certificate or key file: only a regular file within the PEM cap is read (a FIFO or /dev/zero is refused, not waited on). */
function readWithStat(path: string, what: string): { data: Buffer; stat: Stats } {
  try {
    return readInput(path, { what: what === 'file' ? 'a certificate or key file' : `the ${what}` });
  } catch (err) {
    if (!(err instanceof InputFileError)) throw err;
    if (err.problem === 'missing') throw new UserError(`${what} ${path} does not exist: check the path.`, path);
    if (err.problem === 'directory') throw new UserError(`${what} ${path} is a directory: name a file in it.`, path);
    if (err.problem === 'unreadable') throw new UserError(`cannot read ${what} ${path} (${err.code ?? err.detail}): check its permissions.`, path);
    throw new UserError(`${what === 'file' ? '' : `${what} `}${path} ${err.detail}: name the certificate or key file itself.`, path);
  }
}

function read(path: string, what: string): Buffer {
  return readWithStat(path, what).data;
}

function keyInfo(path: string, cert?: { path: string; cert: X509Certificate }): KeyFileInfo {
  const { data, stat } = readWithStat(path, 'key file');
  return describeKeyFile({ path, content: data, stat, euid: process.geteuid?.(), gid: process.getgid?.(), cert });
}

function firstCert(path: string): X509Certificate | undefined {
  const content = read(path, 'certificate file');
  const r = parseCertFile(content, basename(path));
  if (r.ok) return r.certs[0];
  try {
    return parseCertificate(content);
  } catch {
    throw new UserError(`${path} holds no certificate: ${r.error}`, path);
  }
}

export async function runInspect(argv: string[], io: Io): Promise<number> {
  const a = parseArgs(argv, flagSpec('inspect'), 'inspect');
  if (a.bools.help) {
    io.out(INSPECT_USAGE);
    return 0;
  }
  if (a.positionals.length !== 1) throw new UserError(`inspect takes one FILE, got ${a.positionals.length}: e.g. crdb-tls inspect certs/node.crt.`);
  const path = a.positionals[0];
  const content = read(path, 'file');
  const sibling = (ext: string) => {
    const p = join(dirname(path), basename(path).replace(/\.(crt|pem|key|key\.pk8|pk8)$/, '') + ext);
    return existsSync(p) ? p : undefined;
  };

  if (isCsrContent(content)) {
    const d = describeCsr(content, path);
    const { text, ...rest } = d;
    io.out(a.bools.json ? JSON.stringify(rest, null, 2) + '\n' : text);
    return d.ok ? 0 : 1;
  }

  if (isKeyContent(content)) {
    const certPath = a.values.cert ?? sibling('.crt');
    const cert = certPath ? firstCert(certPath) : undefined;
    const k = keyInfo(path, cert && certPath ? { path: certPath, cert } : undefined);
    io.out(a.bools.json ? JSON.stringify({ kind: 'key', ...k }, null, 2) + '\n' : keyFileText(k));
    return k.ok ? 0 : 1;
  }

  let caPath: string | undefined = a.values['ca-file'];
  if (!caPath) {
    const dir = dirname(path);
    const name = basename(path);
    const caName = signingCaFileFor(name, (n) => existsSync(join(dir, n)));
    const candidate = caName ? join(dir, caName) : undefined;
    if (candidate && existsSync(candidate) && resolve(candidate) !== resolve(path)) caPath = candidate;
  }
  const d = describeCertFile({ path, content, now: new Date(), ...(caPath ? { clusterCa: { path: caPath, content: read(caPath, 'CA file') } } : {}) });
  const keyPath = a.values.key ?? (d.ok ? sibling('.key') : undefined);
  const first = d.ok ? parseCertFile(content, basename(path)) : undefined;
  const cert = first?.ok ? first.certs[0] : undefined;
  const key = keyPath && cert ? keyInfo(keyPath, { path, cert }) : undefined;
  if (a.bools.json) {
    const { text: _text, ...rest } = d; // eslint-disable-line @typescript-eslint/no-unused-vars
    io.out(JSON.stringify({ kind: 'certificate', ...rest, ...(key ? { key } : {}) }, null, 2) + '\n');
  } else {
    io.out(d.text + (key ? `\n${keyFileText(key)}` : ''));
  }
  return d.usable && (!key || key.ok) ? 0 : 1;
}
