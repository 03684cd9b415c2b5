/**
 * Renders rows the way cockroach prints query results in a terminal (the `table` format):
 * centred headers, left-aligned cells, `-+-` separators, a row count.
 */
export function renderTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const center = (s: string, w: number) => {
    const left = Math.floor((w - s.length) / 2);
    return ' '.repeat(left) + s + ' '.repeat(w - s.length - left);
  };
  // tablewriter without a left border: one extra space before the first column.
  const line = (cells: string[]) => (' ' + cells.map((c) => ` ${c} `).join('|')).replace(/\s+$/, '');
  const out = [
    line(headers.map((h, i) => center(h, widths[i]))),
    widths.map((w, i) => '-'.repeat(w + (i === 0 || i === widths.length - 1 ? 3 : 2))).join('+'),
    ...rows.map((r) => line(r.map((c, i) => c.padEnd(widths[i])))),
    `(${rows.length} row${rows.length === 1 ? '' : 's'})`,
  ];
  return out.join('\n') + '\n';
}
