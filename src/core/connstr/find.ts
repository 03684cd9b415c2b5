import { ConnString } from './types';
import { Conn } from './conn';
import { findKv } from './kv';
import { Scanner } from './scanner';
import { findUrls } from './url';

// (Exported from here for the equivalence tests.)
export { nextPair } from './kv';
export { contextAt } from './url';

/** Every connection string in the text: postgres[ql]:// and jdbc:postgresql:// URLs, and libpq key=value strings. */
export function findConnStrings(text: string): ConnString[] {
  // One scanner per call: nothing of one scan is left for the next.
  const s = new Scanner(text);
  const t = s.table;
  try {
    findUrls(s, text);
    const nUrls = t.nConns;
    findKv(s, text, nUrls);
    // The URLs (0 to nUrls - 1) and the key/value strings (the rest) are each in text order: merge them.
    const n = t.nConns;
    const all: Conn[] = new Array(n);
    let i = 0;
    let j = nUrls;
    for (let k = 0; k < n; k++) all[k] = new Conn(t, j >= n || (i < nUrls && t.connStart(i) <= t.connStart(j)) ? i++ : j++);
    return all;
  } finally {
    t.seal();
  }
}
