import { UserError } from '../errors';

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses a Go duration string ("87840h", "1h30m", "720h0m0s") into milliseconds, as cockroach's --lifetime flag does. */
export function parseGoDuration(text: string, flag = '--lifetime'): number {
  const s = text.trim();
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/gy;
  let total = 0;
  let pos = 0;
  let m: RegExpExecArray | null;
  re.lastIndex = 0;
  while ((m = re.exec(s)) !== null) {
    total += Number(m[1]) * UNIT_MS[m[2]];
    pos = re.lastIndex;
  }
  if (s.length === 0 || pos !== s.length) {
    throw new UserError(`${flag} ${JSON.stringify(text)} is not a duration: use hours like 43920h (5 years) or 8784h (1 year).`);
  }
  if (total <= 0) throw new UserError(`${flag} ${text} must be longer than zero: use hours like 8784h.`);
  return total;
}

/** Formats milliseconds as whole hours, the way lifetimes are shown in cockroach's messages. */
export function formatHours(ms: number): string {
  return `${Math.round(ms / 3_600_000)}h`;
}
