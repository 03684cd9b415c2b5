import { Stats } from 'node:fs';
import { readInput, statInput } from './input';

interface Cached {
  sig: string;
  data: Buffer;
  memo: Map<string, unknown>;
}

function signature(st: Stats): string {
  return `${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
}

/**
 * Reads files once per (inode, size, mtime, ctime): a listing repeated after a file-system event
 * only re-reads the files that changed. Derived values (parsed certificates, key checks) are
 * memoised with the bytes they came from.
 */
export class FileCache {
  private readonly files = new Map<string, Cached>();
  /** How many times a file was actually read from disk (for tests and logs). */
  reads = 0;

  private get(path: string, st?: Stats): Cached {
    const stats = st ?? statInput(path);
    const sig = signature(stats);
    const hit = this.files.get(path);
    if (hit && hit.sig === sig) return hit;
    // Only regular files within the size cap: a FIFO or /dev/zero in a workspace must not hang the host.
    const { data } = readInput(path);
    this.reads++;
    const fresh: Cached = { sig, data, memo: new Map() };
    this.files.set(path, fresh);
    return fresh;
  }

  read(path: string, st?: Stats): Buffer {
    return this.get(path, st).data;
  }

  /** `fn(bytes)` computed once per version of the file; `tag` tells derived values apart. */
  memo<T>(path: string, tag: string, fn: (data: Buffer) => T, st?: Stats): T {
    const c = this.get(path, st);
    if (!c.memo.has(tag)) c.memo.set(tag, fn(c.data));
    return c.memo.get(tag) as T;
  }

  /** Forgets files not in `keep` (deleted or out of view). */
  retainOnly(keep: (path: string) => boolean): void {
    for (const p of [...this.files.keys()]) if (!keep(p)) this.files.delete(p);
  }
}
