import { timerMs } from '../pki/duration';

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
  constructor(
    message: string,
    readonly stage: string,
  ) {
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
    const onAbort = () =>
      finish(() => {
        cleanup();
        reject(abortError(signal));
      });
    const timer = setTimeout(
      () =>
        finish(() => {
          cleanup();
          reject(new TimeoutError(`timed out after ${formatMs(ms)} (${stage})`, stage));
        }),
      timerMs(ms),
    );
    if (signal?.aborted) {
      onAbort();
      return;
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => finish(() => resolve(v)),
      (e: unknown) => finish(() => reject(e)),
    );
  });
}

export function formatMs(ms: number): string {
  if (ms >= 1000) return `${Number((ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 1))} s`;
  return `${Math.round(ms)} ms`;
}

export function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
