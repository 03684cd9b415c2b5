import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';

const made: string[] = [];

/** A fresh temp dir, removed at process exit. */
export function tmpDir(prefix = 'crdb-tls-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

process.on('exit', () => {
  if (process.env.KEEP_TMP) return;
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

/** A hash of every file below `dir`: names, modes and bytes, to prove a failed command changed nothing. */
export function hashTree(dir: string): string {
  const h = createHash('sha256');
  const walk = (d: string, rel: string) => {
    let names: string[];
    try {
      names = readdirSync(d).sort();
    } catch {
      h.update(`missing:${rel}\n`);
      return;
    }
    for (const n of names) {
      const p = join(d, n);
      const st = statSync(p);
      h.update(`${rel}/${n}:${(st.mode & 0o7777).toString(8)}\n`);
      if (st.isDirectory()) walk(p, `${rel}/${n}`);
      else h.update(readFileSync(p));
    }
  };
  walk(dir, '');
  return h.digest('hex');
}
