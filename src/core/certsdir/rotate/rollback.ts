/**
 * What a rollback to a backup puts back: the whole certs dir (and the CA key) as it was when that
 * backup was made, so the later changes are undone too, newest first, in the same transaction.
 * Each backup records the files its operation was about to change (copies) and the ones it created,
 * so the state of a file as of the target is the copy in the OLDEST backup at or after the target
 * that names it, or "absent" when that backup lists it as created. Every backup of that set passes
 * every check of restore.ts, or the rollback is refused naming the later changes; and its result
 * must leave each node and client certificate it touches chaining to the CA file that signs it.
 */
import { createPrivateKey } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { UserError, errMessage } from '../../errors';
import { findIssuer, notSignedText } from '../../pki/chain';
import { parseCertFile } from '../../pki/inspect';
import { CA_CERT, roleFromFilename, signingCaFile } from '../../cockroach/layout';
import { findBackup, scanBackups } from './backup';
import { inCertsDir } from './confine';
import { lstatOrUndefined, readFileOrThrow } from './files';
import { checkCaKey, checkRestorable } from './restore';
import { BackupFile, BackupInfo } from './types';

/** The state a rollback gives one path: `file` restored from `backup`, or absent (that backup's operation created it). */
export interface RestoreSource {
  path: string;
  backup: BackupInfo;
  file?: BackupFile;
}

export interface RollbackSet {
  target: BackupInfo;
  /** The later backups of the certs dir, newest first: the changes this rollback undoes too. */
  later: BackupInfo[];
  /** One per path the target or a later backup names, in the order: target's files, its created, then the later ones'. */
  sources: RestoreSource[];
  /** The CA key the rollback may touch outside the certs dir (restore.ts). */
  caKey?: string;
  /** The checked bytes of every copy a source restores, by path. */
  data: Map<string, Buffer>;
}

const describe = (b: BackupInfo) => `${b.id} (${b.reason})`;

/** "20250102T... (prune-ca), 20250101T... (reissue-all)": the later changes, newest first. */
export function laterText(later: BackupInfo[]): string {
  return later.map(describe).join(', ');
}

/**
 * The backup `id` of `certsDir` (the newest without one) and every later backup of it, each checked
 * as restore.ts checks a backup, and the state they give each path. Throws a UserError (one line)
 * when any of them cannot be used, or when the result would leave a certificate not chaining.
 */
export function rollbackSet(root: string, certsDir: string, id: string | undefined, givenCaKey: string | undefined): RollbackSet {
  const target = findBackup(root, certsDir, id);
  const { backups, rejected } = scanBackups(root, certsDir);
  const later = backups.slice(
    0,
    backups.findIndex((b) => b.id === target.id),
  );
  const refuse = (why: string, path?: string) => new UserError(`cannot roll back ${certsDir} to backup ${target.id}: ${why}; nothing was changed.`, path);
  // A refused folder may hold a later change of this dir that the rollback would silently keep.
  const badLater = rejected.filter((r) => basename(r.dir) > target.id);
  if (badLater.length) {
    throw refuse(
      `the backup folder ${badLater[0].dir} after it has an invalid manifest.json (${badLater[0].reason}), so the changes made since cannot all be undone` +
        `${later.length ? ` (the later changes: ${laterText(later)})` : ''}: repair or remove that folder, or roll back to a newer backup`,
      badLater[0].dir,
    );
  }
  // Every backup as restore.ts checks one: the target first, so that its own refusal reads as before.
  const data = new Map<string, Buffer>();
  const caKeys = new Set<string>();
  const checked = new Map<string, Map<string, Buffer>>();
  for (const b of [target, ...[...later].reverse()]) {
    let r: ReturnType<typeof checkRestorable>;
    try {
      r = checkRestorable(b, certsDir, givenCaKey);
    } catch (err) {
      if (b === target || !(err instanceof UserError)) throw err;
      throw refuse(
        `a rollback to it first undoes the later changes, newest first (${laterText(later)}), and ${describe(b)} cannot be undone: ${errMessage(err).replace(/[\r\n]+/g, ' ')}`,
        err.file,
      );
    }
    if (r.caKey) caKeys.add(r.caKey);
    checked.set(b.id, r.data);
  }
  if (caKeys.size > 1) {
    throw refuse(`its backups and the later ones were made with different CA keys (${[...caKeys].join(', ')}): roll back one backup at a time, newest first`);
  }
  const sources: RestoreSource[] = [];
  const seen = new Set<string>();
  for (const b of [target, ...[...later].reverse()]) {
    const copies = checked.get(b.id) ?? new Map<string, Buffer>();
    for (const f of b.files) {
      if (seen.has(f.path)) continue;
      seen.add(f.path);
      sources.push({ path: f.path, backup: b, file: f });
      const bytes = copies.get(f.path);
      if (bytes) data.set(f.path, bytes);
    }
    for (const c of b.created) {
      if (seen.has(c)) continue;
      seen.add(c);
      sources.push({ path: c, backup: b });
    }
  }
  const caKey = caKeys.size ? [...caKeys][0] : undefined;
  const set: RollbackSet = { target, later, sources, data, ...(caKey ? { caKey } : {}) };
  checkResult(set, certsDir, refuse);
  return set;
}

/**
 * Each key of the certs dir the rollback restores is the key of the certificate of its name after
 * the rollback (node.key ↔ node.crt, client.X.key ↔ client.X.crt, ca.key ↔ ca.crt's first
 * certificate when ca.key is there), and so is the key beside each certificate it restores: a copy
 * that is another key (say the CA key as node.key) is never put in place. A key whose certificate
 * will not exist is not checked (the rotation that backed it up found it alone).
 */
function checkKeyPairs(
  set: RollbackSet,
  certsDir: string,
  byPath: Map<string, RestoreSource>,
  after: (name: string) => Buffer | null,
  refuse: (why: string, path?: string) => UserError,
): void {
  const stems = new Set<string>();
  for (const s of set.sources) {
    const m = /^(.+)\.(key|crt)$/.exec(basename(s.path));
    if (s.file && m && inCertsDir(s.path, certsDir)) stems.add(m[1]);
  }
  for (const stem of [...stems].sort()) {
    const keyPath = join(certsDir, `${stem}.key`);
    const crtPath = join(certsDir, `${stem}.crt`);
    const key = after(`${stem}.key`);
    const crt = after(`${stem}.crt`);
    if (!key || !crt) continue;
    const restored = byPath.get(keyPath)?.file ? byPath.get(keyPath) : byPath.get(crtPath);
    const from = restored ? ` (from backup ${restored.backup.id})` : '';
    const parsed = parseCertFile(crt, `${stem}.crt`);
    let match = false;
    try {
      match = parsed.ok && parsed.certs[0].checkPrivateKey(createPrivateKey(key));
    } catch {
      match = false;
    }
    if (!match) {
      throw refuse(
        `${keyPath} would not be the key of ${crtPath} after the rollback${from}${parsed.ok ? '' : ` (${crtPath} would not be a certificate)`}: ` +
          `a backup holds each key with its own certificate, so this one was altered; check or remove that backup folder, or roll back to another backup`,
        keyPath,
      );
    }
  }
}

/**
 * The result of the set is a certs dir CockroachDB can use: the CA key restored signs ca.crt's
 * first certificate, and every node and client certificate the rollback restores, or whose CA
 * file it restores, chains to that CA file (the files it leaves alone are what they are now).
 */
function checkResult(set: RollbackSet, certsDir: string, refuse: (why: string, path?: string) => UserError): void {
  const byPath = new Map(set.sources.map((s) => [s.path, s]));
  /** The bytes of a file of the certs dir after the rollback; null when it will not exist or cannot be read. */
  const after = (name: string): Buffer | null => {
    const p = join(certsDir, name);
    const s = byPath.get(p);
    if (s) return s.file ? (set.data.get(p) ?? null) : null;
    if (!lstatOrUndefined(p)?.isFile()) return null;
    try {
      return readFileOrThrow(p);
    } catch {
      return null;
    }
  };
  const key = set.caKey ? byPath.get(set.caKey) : undefined;
  if (set.caKey && key?.file && set.later.length) {
    const bytes = set.data.get(set.caKey) ?? Buffer.alloc(0);
    checkCaKey(key.backup, certsDir, set.caKey, bytes, () => after(CA_CERT) ?? Buffer.alloc(0));
  }
  checkKeyPairs(set, certsDir, byPath, after, refuse);
  let names: string[] = [];
  try {
    names = readdirSync(certsDir);
  } catch {
    // a certs dir that cannot be listed: only the files the backups name
  }
  const crts = new Set([...names, ...set.sources.filter((s) => inCertsDir(s.path, certsDir)).map((s) => basename(s.path))].filter((n) => n.endsWith('.crt')));
  const has = (n: string) => after(n) !== null;
  for (const name of [...crts].sort()) {
    const role = roleFromFilename(name);
    const caFile = role.badName ? undefined : signingCaFile(role.usage, has);
    if (!caFile || !(byPath.has(join(certsDir, name)) || byPath.has(join(certsDir, caFile)))) continue;
    const leafBytes = after(name);
    if (!leafBytes) continue;
    const leaf = parseCertFile(leafBytes, name);
    if (!leaf.ok) continue; // not a certificate: cert list reports it; the chain is not the question
    const caBytes = after(caFile);
    const ca = caBytes ? parseCertFile(caBytes, caFile) : undefined;
    const caPath = join(certsDir, caFile);
    if (!ca?.ok) throw refuse(`${join(certsDir, name)} would be left without a usable ${caPath} to chain to`, caPath);
    const m = findIssuer(leaf.certs[0], ca.certs);
    if (m.signed) continue;
    throw refuse(
      `it would leave ${join(certsDir, name)} not chaining to ${caPath} (${notSignedText(leaf.certs[0], caFile, ca.certs, m)}): ` +
        `the backups do not hold the certificate that went with that CA (a backup folder removed, or a file changed by hand since?); roll back to a newer backup, or re-issue the certificate from ${caFile} afterwards`,
      join(certsDir, name),
    );
  }
}
