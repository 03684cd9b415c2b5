/**
 * Durations, read once for every flag that takes one: certificate lifetimes (--lifetime, Go's
 * time.ParseDuration syntax, as cockroach reads it) and time limits (--timeout, --verify-timeout,
 * --reload-timeout, --live-timeout), with the bounds each must keep.
 */
import { DEFAULT_CA_LIFETIME, DEFAULT_CERT_LIFETIME } from '../cockroach/lifetimes';
import { UserError, quoteInput } from '../errors';

export const HOUR_MS = 3_600_000;

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, μs: 1e-3, ms: 1, s: 1000, m: 60_000, h: HOUR_MS };

/** Go's time.Duration is an int64 of nanoseconds: ParseDuration refuses more than 2562047h47m16.854775807s. */
export const MAX_GO_DURATION_MS = (2 ** 63 - 1) / 1e6;

/**
 * The longest delay a Node.js timer keeps (a signed 32-bit number of milliseconds, about 24.8 days):
 * a longer one fires at once, with a TimeoutOverflowWarning.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Below a millisecond, a timer is zero: the step times out before it starts. */
export const MIN_TIMEOUT_MS = 1;

/**
 * --lifetime bounds. Under an hour a certificate has expired, or is about to, by the time it is
 * deployed. Over 100 years (of 366 days, cockroach's year) is a typo rather than a plan, and stays
 * far inside what X.509 dates (up to 9999) and Go durations (up to ~292 years) can hold.
 */
export const MIN_LIFETIME_MS = HOUR_MS;
export const MAX_LIFETIME_MS = 100 * 366 * 24 * HOUR_MS;

/** Go duration syntax ("87840h", "1h30m", "1.5s", "500ms"): the total in milliseconds, or undefined when `s` is not one. */
function sumGoDuration(s: string): number | undefined {
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/gy;
  let total = 0;
  let pos = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) {
    total += Number(m[1]) * UNIT_MS[m[2]];
    pos = re.lastIndex;
  }
  return s.length === 0 || pos !== s.length ? undefined : total;
}

/** A duration about the way Go prints one ("1h", "1h30m", "1.5s", "500µs"; no "0m0s" tails), for messages. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms < 1e-3) return `${Math.round(ms * 1e6)}ns`;
  if (ms < 1) return `${Number((ms * 1000).toFixed(3))}µs`;
  if (ms < 1000) return `${Number(ms.toFixed(3))}ms`;
  const h = Math.floor(ms / HOUR_MS);
  const m = Math.floor((ms % HOUR_MS) / 60_000);
  const s = Number(((ms % 60_000) / 1000).toFixed(3));
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}` || '0s';
}

/** Formats milliseconds as whole hours, the way lifetimes are shown in cockroach's messages. */
export function formatHours(ms: number): string {
  return `${Math.round(ms / HOUR_MS)}h`;
}

/** Go duration syntax, longer than zero; the range is the caller's. */
function positiveGoDuration(text: string, flag: string): number {
  const total = sumGoDuration(text.trim());
  if (total === undefined) {
    throw new UserError(`${flag} ${quoteInput(text)} is not a duration: use hours like ${DEFAULT_CERT_LIFETIME} (5 years) or 8784h (1 year).`);
  }
  if (total <= 0) throw new UserError(`${flag} ${quoteInput(text)} must be longer than zero: use hours like 8784h.`);
  return total;
}

/** Parses a Go duration string ("87840h", "1h30m", "720h0m0s") into milliseconds, as cockroach's --lifetime flag does. */
export function parseGoDuration(text: string, flag = '--lifetime'): number {
  const total = positiveGoDuration(text, flag);
  if (!(total <= MAX_GO_DURATION_MS)) {
    throw new UserError(
      `${flag} ${quoteInput(text)} is out of range: a Go duration, as cockroach reads it, is at most 2562047h; use hours like 8784h (1 year).`,
    );
  }
  return total;
}

/**
 * Refuses a certificate lifetime outside MIN_LIFETIME_MS..MAX_LIFETIME_MS. Every command that issues
 * a certificate calls it before anything is generated or written (the CLI and the editor alike).
 */
export function validateLifetime(ms: number, flag = '--lifetime'): number {
  if (!Number.isFinite(ms) || ms < MIN_LIFETIME_MS) {
    throw new UserError(
      `${flag} ${formatDuration(ms)} is too short: a certificate must be valid for at least ${formatHours(MIN_LIFETIME_MS)}, or it expires before it is deployed; use hours like 8784h (1 year).`,
    );
  }
  if (ms > MAX_LIFETIME_MS) {
    throw new UserError(
      `${flag} ${formatHours(ms)} is too long: at most ${formatHours(MAX_LIFETIME_MS)} (100 years); cockroach's defaults are ${DEFAULT_CA_LIFETIME} for a CA and ${DEFAULT_CERT_LIFETIME} for node and client certificates.`,
    );
  }
  return ms;
}

/** parseGoDuration, then validateLifetime: --lifetime as every issuing command reads it. */
export function parseLifetime(text: string, flag = '--lifetime'): number {
  return validateLifetime(positiveGoDuration(text, flag), flag);
}

export interface TimeoutOptions {
  /** What a bare number means: "5" is 5 s for --timeout (the default), 5 ms for --live-timeout. */
  bare?: 's' | 'ms';
  /** Default MIN_TIMEOUT_MS. */
  minMs?: number;
  /** Default MAX_TIMER_MS. */
  maxMs?: number;
}

/**
 * A time limit flag: a Go duration ("5s", "500ms", "1m30s") or a bare number (seconds, or
 * milliseconds with bare: 'ms'), between MIN_TIMEOUT_MS and MAX_TIMER_MS.
 */
export function parseTimeout(text: string, flag = '--timeout', o: TimeoutOptions = {}): number {
  const s = text.trim();
  const bare = /^(\d+(?:\.\d*)?|\.\d+)$/.test(s) ? Number(s) * (o.bare === 'ms' ? 1 : 1000) : undefined;
  const total = bare ?? sumGoDuration(s);
  const example = o.bare === 'ms' ? `${flag} 5000 (ms) or 5s` : `${flag} 5s, 500ms or 1m`;
  if (total === undefined || total <= 0) throw new UserError(`${flag} ${quoteInput(text)} is not a duration: use e.g. ${example}.`);
  const min = o.minMs ?? MIN_TIMEOUT_MS;
  const max = o.maxMs ?? MAX_TIMER_MS;
  if (total < min) throw new UserError(`${flag} ${quoteInput(text)} is too short: at least ${formatDuration(min)}; use e.g. ${example}.`);
  if (!(total <= max)) {
    throw new UserError(
      `${flag} ${quoteInput(text)} is too long: at most ${formatDuration(max)}${max === MAX_TIMER_MS ? ' (2^31-1 ms, the longest timer Node.js keeps)' : ''}; use e.g. ${example}.`,
    );
  }
  return total;
}

/** A delay for setTimeout: at least 0 and at most MAX_TIMER_MS, so that no caller's value overflows. */
export function timerMs(ms: number): number {
  return Number.isNaN(ms) ? 0 : Math.min(MAX_TIMER_MS, Math.max(0, ms));
}
