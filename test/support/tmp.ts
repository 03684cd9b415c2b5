import { lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
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

/**
 * A hash of everything below `dir`: names, kinds, modes, owners and the bytes of regular files, to
 * prove a failed command changed nothing. Links are hashed by their target and FIFOs or devices by
 * kind only: nothing but regular files is ever opened, so a FIFO in the tree cannot hang it.
 */
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
      const st = lstatSync(p);
      const kind = st.isFile() ? 'f' : st.isDirectory() ? 'd' : st.isSymbolicLink() ? 'l' : st.isFIFO() ? 'p' : 'o';
      h.update(`${rel}/${n}:${kind}:${(st.mode & 0o7777).toString(8)}:${st.uid}\n`);
      if (kind === 'd') walk(p, `${rel}/${n}`);
      else if (kind === 'f') h.update(readFileSync(p));
      else if (kind === 'l') h.update(readlinkSync(p));
    }
  };
  walk(dir, '');
  return h.digest('hex');
}
