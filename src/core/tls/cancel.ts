import { UserError } from '../errors';

/** Cancellation and time limits shared by the probe and the connection test. */

export function abortError(signal?: AbortSignal): Error {
  const reason: unknown = signal?.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  const err = new Error('the operation was cancelled');
  err.name = 'AbortError';
  return err;
}

export function isAbortError(err: unknown): boolean {
  return err instanceof Error && err.name === 'AbortError';
}

export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw abortError(signal);
}

/** A time budget for a sequence of steps: each step gets what is left. */
export class Deadline {
  readonly start = performance.now();
  constructor(readonly timeoutMs: number) {}

  elapsed(): number {
    return performance.now() - this.start;
  }

  remaining(): number {
    return Math.max(0, this.timeoutMs - this.elapsed());
  }
}

export class TimeoutError extends Error {
  constructor(message: string, readonly stage: string) {
    super(message);
    this.name = 'TimeoutError';
  }
}

/**
 * Settles with `p`, or rejects with a TimeoutError after `ms`, or with an AbortError when `signal`
 * fires; `cleanup` runs when the step is abandoned (to close sockets).
 */
export function race<T>(p: Promise<T>, ms: number, stage: string, signal: AbortSignal | undefined, cleanup: () => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let done = false;
    const finish = (f: () => void) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      f();
    };
    const onAbort = () => finish(() => {
      cleanup();
      reject(abortError(signal));
    });
    const timer = setTimeout(() => finish(() => {
      cleanup();
      reject(new TimeoutError(`timed out after ${formatMs(ms)} (${stage})`, stage));
    }), Math.max(0, ms));
    if (signal?.aborted) {
      onAbort();
      return;
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    p.then((v) => finish(() => resolve(v)), (e: unknown) => finish(() => reject(e)));
  });
}

export function formatMs(ms: number): string {
  if (ms >= 1000) return `${Number((ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 1))} s`;
  return `${Math.round(ms)} ms`;
}

export function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

/** "5s", "500ms", "1m30s" or a number of seconds, for --timeout flags. */
export function parseTimeout(text: string, flag = '--timeout'): number {
  const s = text.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s) * 1000;
  const re = /(\d+(?:\.\d*)?|\.\d+)(ms|s|m|h)/gy;
  const unit: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  let pos = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) {
    total += Number(m[1]) * unit[m[2]];
    pos = re.lastIndex;
  }
  if (s === '' || pos !== s.length || total <= 0) {
    throw new UserError(`${flag} ${JSON.stringify(text)} is not a duration: use e.g. ${flag} 5s, 500ms or 1m.`);
  }
  return total;
}

