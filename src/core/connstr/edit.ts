import { ConnString, Param, TextEdit, paramValue } from './types';

/** Encodes a value for the string's syntax: percent-encoding in URLs, quotes in key/value strings. */
export function encodeValue(c: ConnString, value: string): string {
  if (c.kind === 'kv') return /^[^\s'\\]+$/.test(value) && value !== '' ? value : `'${value.replace(/(['\\])/g, '\\$1')}'`;
  return encodeURIComponent(value).replace(/%2F/g, '/');
}

/** Sets a parameter: replaces the value of its last occurrence, or appends it. */
export function setParamEdit(c: ConnString, key: string, value: string): TextEdit {
  const p = paramValue(c, key);
  const enc = encodeValue(c, value);
  if (p) return { start: p.valueSpan.start, end: p.valueSpan.end, newText: enc };
  return { start: c.appendAt, end: c.appendAt, newText: `${c.appendSeparator}${key}=${enc}` };
}

/** Removes one parameter with the separator next to it. */
export function removeParamEdit(c: ConnString, p: Param, text: string): TextEdit {
  const sep = c.kind === 'kv' ? /[ \t]/ : /&/;
  if (p.span.end < text.length && sep.test(text[p.span.end]) && p.span.end < c.span.end) {
    let end = p.span.end + 1;
    if (c.kind === 'kv') while (end < c.span.end && /[ \t]/.test(text[end])) end++;
    return { start: p.span.start, end, newText: '' };
  }
  if (p.span.start > c.span.start && (sep.test(text[p.span.start - 1]) || text[p.span.start - 1] === '?')) {
    // Last parameter: drop the separator before it (a lone `?` too).
    const before = text[p.span.start - 1];
    let start = p.span.start - 1;
    if (c.kind === 'kv') while (start > c.span.start && /[ \t]/.test(text[start - 1])) start--;
    if (before === '?') return { start, end: p.span.end, newText: '' };
    return { start, end: p.span.end, newText: '' };
  }
  return { start: p.span.start, end: p.span.end, newText: '' };
}
