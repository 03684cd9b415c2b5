/**
 * The one boundary with the network: a Transport sends one HTTP request and returns the status and
 * body. The CLI uses fetchTransport (Node's fetch); the editor may pass its own; tests pass one that
 * validates every request against the spec, or point the server at the stand-in.
 */
import { abortError } from '../tls/cancel';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface HttpRequest {
  method: HttpMethod;
  url: string;
  headers: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  body: string;
}

export type Transport = (req: HttpRequest) => Promise<HttpResponse>;

/** The largest response read: a cluster list page or a CA bundle is a few KB. */
export const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

async function cappedText(res: Response, max: number): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel();
      throw new Error(`the response is larger than ${max} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** A signal that aborts when `signal` does or after `ms`. */
function withTimeout(signal: AbortSignal | undefined, ms: number): AbortSignal {
  const t = AbortSignal.timeout(ms);
  return signal ? AbortSignal.any([signal, t]) : t;
}

/** Node's fetch, no redirects followed (a redirect would carry the Authorization header elsewhere), a time limit per request. */
export function fetchTransport(timeoutMs = 30_000): Transport {
  return async (req) => {
    if (req.signal?.aborted) throw abortError(req.signal);
    const res = await fetch(req.url, {
      method: req.method,
      headers: req.headers,
      body: req.body,
      redirect: 'manual',
      signal: withTimeout(req.signal, timeoutMs),
    });
    return { status: res.status, body: await cappedText(res, MAX_RESPONSE_BYTES) };
  };
}
