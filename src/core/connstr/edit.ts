import { ConnString, Param, TextEdit, paramValue } from './types';

/** Encodes a value for the string's syntax: percent-encoding in URLs, quotes in key/value strings. */
export function encodeValue(c: ConnString, value: string): string {
  if (c.kind === 'kv') return /^[^\s'\\]+$/.test(value) && value !== '' ? value : `'${value.replace(/(['\\])/g, '\\$1')}'`;
  return encodeUrlValue(value);
}

/** A URL query value percent-encoded ("/" kept, so paths stay readable; ":" and "\\" of a Windows path encoded). */
export function encodeUrlValue(value: string): string {
  // The common case (verify-full, a plain path) needs no encoding: skip the encoder.
  if (/^[A-Za-z0-9_.!~*()/-]*$/.test(value)) return value;
  // "'" too: a URL quoted in code or a shell ends at it.
  return encodeURIComponent(value).replace(/%2F/g, '/').replace(/'/g, '%27');
}

/** Sets a parameter: replaces the value of its last occurrence, or appends it. */
export function setParamEdit(c: ConnString, key: string, value: string): TextEdit {
  const p = paramValue(c, key);
  const enc = encodeValue(c, value);
  if (p) return { start: p.valueSpan.start, end: p.valueSpan.end, newText: enc };
  return { start: c.appendAt, end: c.appendAt, newText: `${c.appendSeparator}${key}=${enc}` };
}

/**
 * Removes parameters with the separators next to them, as edits that never overlap (so a front end
 * can apply them together): each run of neighbouring parameters goes with the separators after it,
 * or, at the end of the list, with the separators before it; when every parameter goes, a URL
 * loses its `?` too.
 */
export function removeParamsEdits(c: ConnString, remove: readonly Param[], text: string): TextEdit[] {
  const idx = new Set(remove.map((p) => c.params.indexOf(p)).filter((i) => i >= 0));
  const edits: TextEdit[] = [];
  const n = c.params.length;
  for (let i = 0; i < n; i++) {
    if (!idx.has(i)) continue;
    let j = i;
    while (j + 1 < n && idx.has(j + 1)) j++;
    const first = c.params[i];
    const last = c.params[j];
    if (j + 1 < n) edits.push({ start: first.span.start, end: c.params[j + 1].span.start, newText: '' });
    else if (i > 0) edits.push({ start: c.params[i - 1].span.end, end: last.span.end, newText: '' });
    else {
      let start = first.span.start;
      if (c.kind !== 'kv') {
        const q = text.lastIndexOf('?', first.span.start);
        if (q >= c.span.start) start = q;
      }
      edits.push({ start, end: last.span.end, newText: '' });
    }
    i = j;
  }
  return edits;
}

/** Removes one parameter with the separator next to it. */
export function removeParamEdit(c: ConnString, p: Param, text: string): TextEdit {
  return removeParamsEdits(c, [p], text)[0] ?? { start: p.span.start, end: p.span.end, newText: '' };
}
