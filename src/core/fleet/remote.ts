/**
 * What the fleet does on a node, as small POSIX shell scripts run over the transport: every
 * path is an argument (single-quoted), never spliced into the script; file contents travel on
 * stdin (upload) or base64 on stdout (certificates only: a key is never read back, only hashed).
 * Each script is named by its $0 (crdb-tls-fleet-<op>), which is what the node's logs show.
 */
import { posix } from 'node:path';
import { FleetNode, FleetTransport } from './types';

/** A word for a POSIX shell: single-quoted. */
export function sq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

const HASH = `h() { s=$(sha256sum < "$1") || exit 4; echo "\${s%% *}"; }`;

const SCRIPTS = {
  read: `${HASH}
d=$1; shift
for a; do
  f=\${a#?:}; p="$d/$f"
  if [ -L "$p" ] || { [ -e "$p" ] && [ ! -f "$p" ]; }; then echo "X $f"; continue; fi
  if [ ! -e "$p" ]; then echo "M $f"; continue; fi
  echo "F $f $(h "$p")"
  case "$a" in c:*) echo "B $f"; head -c 1048577 "$p" | base64; echo "E $f";; esac
done`,
  upload: `set -e; umask 077; ${HASH}
d=$1; t=$2; m=$3; r=$4
rm -f "$d/$t"
cat > "$d/$t"
chmod "$m" "$d/$t"
if [ -e "$d/$r" ]; then chown --reference="$d/$r" "$d/$t" 2>/dev/null || true; fi
sync "$d/$t" 2>/dev/null || true
h "$d/$t"`,
  backup: `set -e; umask 077; ${HASH}
d=$1; b=$2; shift 2
mkdir -p "$b"; chmod 700 "$b"
for f; do
  if [ -f "$d/$f" ]; then
    if [ -e "$b/$f" ]; then cmp -s "$d/$f" "$b/$f" || { echo "$b/$f exists and differs from $d/$f" >&2; exit 3; }
    else cp -p "$d/$f" "$b/.$f.tmp"; mv -f "$b/.$f.tmp" "$b/$f"; fi
    sync "$b/$f" 2>/dev/null || true
    echo "F $f $(h "$b/$f")"
  else echo "M $f"; fi
done
sync "$b" 2>/dev/null || true`,
  rename: `set -e
d=$1; shift
while [ $# -ge 2 ]; do mv -f "$d/$1" "$d/$2"; shift 2; done
sync "$d" 2>/dev/null || true`,
  restore: `set -e; umask 077; ${HASH}
d=$1; b=$2; shift 2
for a; do
  case "$a" in
    r:*) f=\${a#r:}; [ -f "$b/$f" ] || { echo "the backup $b/$f is missing" >&2; exit 3; }
      cp -p "$b/$f" "$d/.$f.restore.tmp"; mv -f "$d/.$f.restore.tmp" "$d/$f";;
    x:*) r=\${a#x:}; f=\${r%%:*}; want=\${r#*:}
      if [ -f "$d/$f" ] && [ "$(h "$d/$f")" = "$want" ]; then rm -f "$d/$f"; fi;;
  esac
done
sync "$d" 2>/dev/null || true`,
  cleanup: `d=$1; shift
for t; do rm -f "$d/$t"; done`,
} as const;

export type RemoteOp = keyof typeof SCRIPTS | 'reload';

export function remoteCommand(op: RemoteOp, script: string, args: string[]): string {
  return `sh -c ${sq(script)} crdb-tls-fleet-${op} ${args.map(sq).join(' ')}`.trim();
}

/** A file on the node: its SHA-256, null when missing; "other" when it is a link, folder or device. */
export type RemoteHash = string | null | 'other';

export interface RemoteRead {
  hashes: Record<string, RemoteHash>;
  /** The bytes of the files asked with content. */
  content: Record<string, Buffer>;
}

export class RemoteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RemoteError';
  }
}

const SHA_RE = /^[0-9a-f]{64}$/;

/** The lines F name sha / M name / X name, and B name ... E name blocks of base64. */
export function parseRead(out: string): RemoteRead {
  const r: RemoteRead = { hashes: {}, content: {} };
  const lines = out.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const [kind, name, sha] = lines[i].split(' ');
    if (kind === 'F' && name && SHA_RE.test(sha ?? '')) r.hashes[name] = sha;
    else if (kind === 'M' && name) r.hashes[name] = null;
    else if (kind === 'X' && name) r.hashes[name] = 'other';
    else if (kind === 'B' && name) {
      const parts: string[] = [];
      for (i++; i < lines.length && lines[i] !== `E ${name}`; i++) parts.push(lines[i]);
      r.content[name] = Buffer.from(parts.join(''), 'base64');
    }
  }
  return r;
}

export interface RemoteLimits {
  timeoutMs: number;
  signal?: AbortSignal;
}

/** The operations on one node's certs dir. */
export class NodeRemote {
  constructor(
    readonly transport: FleetTransport,
    readonly node: FleetNode,
  ) {}

  private async run(op: keyof typeof SCRIPTS, args: string[], l: RemoteLimits, stdin?: Buffer): Promise<string> {
    const r = await this.transport.exec(this.node, remoteCommand(op, SCRIPTS[op], args), { timeoutMs: l.timeoutMs, signal: l.signal, stdin });
    if (r.exitCode === 4 || r.exitCode === 127)
      throw new RemoteError(`${this.node.name}: the node lacks a tool the fleet uses (sha256sum, base64, cmp: coreutils and diffutils): ${r.stderr.trim()}`);
    if (r.exitCode !== 0)
      throw new RemoteError(`${this.node.name}: ${op} in ${this.node.certsDir} failed (exit ${r.exitCode}): ${r.stderr.trim().split('\n').pop() ?? ''}`);
    return r.stdout.toString('utf8');
  }

  /** Hashes of `hashOnly`, hashes and bytes of `withContent` (certificates). */
  async read(hashOnly: string[], withContent: string[], l: RemoteLimits): Promise<RemoteRead> {
    return parseRead(await this.run('read', [this.node.certsDir, ...hashOnly.map((n) => `h:${n}`), ...withContent.map((n) => `c:${n}`)], l));
  }

  /** Writes `data` to the temp `tmp` beside `ref` (its owner kept when allowed); returns the SHA-256 the node computed. */
  async upload(tmp: string, ref: string, data: Buffer, mode: number, l: RemoteLimits): Promise<string> {
    const out = (await this.run('upload', [this.node.certsDir, tmp, mode.toString(8), ref], l, data)).trim();
    if (!SHA_RE.test(out)) throw new RemoteError(`${this.node.name}: the upload of ${tmp} gave no checksum`);
    return out;
  }

  async backup(backupDir: string, names: string[], l: RemoteLimits): Promise<Record<string, RemoteHash>> {
    return parseRead(await this.run('backup', [this.node.certsDir, backupDir, ...names], l)).hashes;
  }

  async rename(pairs: [string, string][], l: RemoteLimits): Promise<void> {
    await this.run('rename', [this.node.certsDir, ...pairs.flat()], l);
  }

  /** Copies `restore` back from the backup (atomically each) and removes `remove` when it still holds the bytes we put there. */
  async restore(backupDir: string, restore: string[], remove: { name: string; sha256: string }[], l: RemoteLimits): Promise<void> {
    await this.run('restore', [this.node.certsDir, backupDir, ...restore.map((n) => `r:${n}`), ...remove.map((x) => `x:${x.name}:${x.sha256}`)], l);
  }

  async cleanup(temps: string[], l: RemoteLimits): Promise<void> {
    if (temps.length) await this.run('cleanup', [this.node.certsDir, ...temps], l);
  }

  /** Runs the node's reload command; a failing command is reported, not thrown. */
  async reload(l: RemoteLimits): Promise<{ exitCode: number; output: string }> {
    const r = await this.transport.exec(this.node, remoteCommand('reload', this.node.reload, []), { timeoutMs: l.timeoutMs, signal: l.signal });
    return { exitCode: r.exitCode, output: (r.stdout.toString('utf8') + r.stderr).trim().slice(-2000) };
  }
}

/** The node's backup folder of a run: beside the certs dir, as local rotations keep theirs (<certs-dir>.backups). */
export function nodeBackupDir(certsDir: string, runId: string): string {
  return posix.join(`${certsDir}.backups`, `fleet-${runId}`);
}

/** The temp name of `name` during run `runId` (hidden, not ending in .crt: the loader ignores it). */
export function tempName(name: string, runId: string): string {
  return `.${name}.${runId}.tmp`;
}
