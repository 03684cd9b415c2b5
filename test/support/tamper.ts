/**
 * Shared pieces of the tampered-backup and crafted-journal suites: a clone of a certs dir with a
 * folder and a file beside it that must never change, the one-line refusal check, and a forger.
 */
import { strict as assert } from 'node:assert';
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CertsFixture, cloneCertsDir } from './certs';
import { RunResult, crdbTls } from './exec';
import { hashTree } from './tmp';

export interface Fx extends CertsFixture {
  backups: string;
  outside: string;
  victim: string;
}

export const sha = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

/** A copy of `fx` with `<root>/outside/victim.txt`, which no case may touch. */
export function clone(fx: CertsFixture): Fx {
  const { root, certsDir, caKey } = cloneCertsDir(fx);
  const outside = join(root, 'outside');
  mkdirSync(outside);
  const victim = join(outside, 'victim.txt');
  writeFileSync(victim, 'precious\n');
  return { root, certsDir, caKey, backups: join(root, 'certs.backups'), outside, victim };
}

/** The state of everything below `dir` (FIFO-safe). */
export const snapshot = hashTree;

/** Exit 1, exactly one stderr line without internal error text, matching `re`. */
export function refused(r: RunResult, re: RegExp, what: string): void {
  assert.ok(!r.timedOut, `${what}: hangs`);
  assert.equal(r.status, 1, `${what}: exit ${r.status}\n${r.stdout}${r.stderr}`);
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, `${what}: stderr ${JSON.stringify(r.stderr)}`);
  assert.doesNotMatch(lines[0], /unexpected error|TypeError|Cannot read properties|\bERR_[A-Z_]+/, what);
  assert.match(lines[0], re, what);
}

export const cert = (...args: string[]): RunResult => crdbTls(['cert', ...args], { timeoutMs: 30_000 });

export const lockOf = (f: CertsFixture): string => join(f.certsDir, '.crdb-tls-rotate.lock');

const attacker = generateKeyPairSync('rsa', { modulusLength: 1024 });
export const attackerPem = attacker.privateKey.export({ type: 'pkcs1', format: 'pem' }) as string;
/** A signature by a key that is not the CA key: a proof that must not be trusted. */
export const forged = (data: string): string[] => [sign('sha256', Buffer.from(data), attacker.privateKey).toString('base64')];
