/** What the cloud commands share: the client from the environment, --wait's options, the CA table, JSON and warnings. */
import { UserError, quoteInput } from '../core/errors';
import { parseTimeout } from '../core/pki/duration';
import { CaEntry, CloudClient, DEFAULT_POLL_INTERVAL_MS, DEFAULT_WAIT_TIMEOUT_MS, WaitOptions, cloudConfig } from '../core/cloud';
import type { Io } from './io';
import { renderTable } from './table';

/** The client for a command: the server and key from the environment. */
export function clientFor(io: Io): CloudClient {
  const cfg = cloudConfig(io.env);
  return new CloudClient({ server: cfg.server, ...(cfg.apiKey ? { apiKey: cfg.apiKey } : {}) });
}

export function json(io: Io, v: unknown): void {
  io.out(JSON.stringify(v, null, 2) + '\n');
}

export function warn(io: Io, warnings: readonly string[]): void {
  for (const w of warnings) io.out(`warning: ${w}\n`);
}

export function caTable(cas: readonly CaEntry[]): string {
  if (cas.length === 0) return '  (no CA)\n';
  return renderTable(
    ['Subject', 'Issuer', 'Not Before', 'Not After', 'Expiry', 'SHA-256 Fingerprint'],
    cas.map((e) => [e.subject, e.issuer, e.notBefore.slice(0, 10), e.notAfter.slice(0, 10), e.statusText, e.fingerprintSha256]),
  );
}

/**
 * --wait's options from --timeout and --interval, with progress lines in text mode; undefined
 * without --wait. Called before any request, so that a bad value (or one without --wait) is refused
 * before anything is sent.
 */
export function waitOptions(io: Io, a: { values: Record<string, string>; bools: Record<string, boolean> }, quiet: boolean): WaitOptions | undefined {
  const { values } = a;
  const timeoutMs = values.timeout !== undefined ? parseTimeout(values.timeout) : DEFAULT_WAIT_TIMEOUT_MS;
  const intervalMs = values.interval !== undefined ? parseTimeout(values.interval, '--interval') : DEFAULT_POLL_INTERVAL_MS;
  if (!a.bools.wait) {
    const given = ['timeout', 'interval'].filter((k) => values[k] !== undefined);
    if (given.length) throw new UserError(`--${given[0]} applies to --wait only: add --wait, or drop --${given[0]}.`);
    return undefined;
  }
  return {
    timeoutMs,
    intervalMs,
    ...(quiet ? {} : { onProgress: (p) => io.out(`waiting: ${p.status} (poll ${p.attempt}, ${Math.round(p.elapsedMs / 1000)}s)\n`) }),
  };
}

export function oneCluster(positionals: string[], cmd: string, extra = 0): string {
  if (positionals.length === 0) throw new UserError(`${cmd} needs CLUSTER, a cluster id or name ("crdb-tls cloud clusters" lists them).`);
  if (positionals.length > 1 + extra) throw new UserError(`${cmd} takes one CLUSTER, got ${quoteInput(positionals.join(' '))}.`);
  return positionals[0];
}
