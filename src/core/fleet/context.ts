/** What a fleet run needs besides its plan: the transport, the probe, time, cancellation, progress and limits (all injectable). */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServedProbe, verifyServed } from '../certsdir/rotate/reload';
import { CA_CERT, NODE_CERT } from '../cockroach/layout';
import { probe } from '../tls/probe';
import { FleetJournal, writeJournal } from './journal';
import { FleetNode, FleetProgress, FleetStep, FleetTransport } from './types';

export interface FleetDeps {
  transport: FleetTransport;
  /** What a SQL port serves; default: the pgwire TLS probe (tls/probe.ts). */
  probe?: ServedProbe;
  /** Issuing time and journal times; default: the clock. */
  now?: () => Date;
  /** Cancels the run: the node at work is restored, no other node is started. */
  signal?: AbortSignal;
  onProgress?: (p: FleetProgress) => void;
  /** How long the verify address may take to serve the expected certificate; default 30 s. */
  verifyTimeoutMs?: number;
  /** The limit of the reload command; default 60 s. */
  reloadTimeoutMs?: number;
  /** The limit of every other command on a node; default 30 s. */
  commandTimeoutMs?: number;
}

export const DEFAULT_VERIFY_TIMEOUT_MS = 30_000;
export const DEFAULT_COMMAND_TIMEOUT_MS = 30_000;
export const DEFAULT_FLEET_RELOAD_TIMEOUT_MS = 60_000;

export const tlsProbe: ServedProbe = async (host, port, caFile, signal) => {
  const r = await probe(host, port, { caFile, timeoutMs: 5000, signal });
  const c = r.chain[0];
  return c ? { serial: c.serial, notAfter: c.notAfter, chainVerified: r.verification?.ok } : { error: r.error?.message ?? 'no certificate served' };
};

export class FleetContext {
  constructor(
    readonly deps: FleetDeps,
    readonly journalPath: string,
    readonly journal: FleetJournal,
  ) {}

  now(): Date {
    return this.deps.now ? this.deps.now() : new Date();
  }

  save(): void {
    this.journal.updatedAt = this.now().toISOString();
    writeJournal(this.journalPath, this.journal);
  }

  /** Set at the first failed step of any node: with --parallel, no further node starts from then on (not only once that node is restored). */
  failureSeen = false;

  progress(node: string, step: FleetStep, phase: FleetProgress['phase'], message?: string): void {
    if (phase === 'failed') this.failureSeen = true;
    this.deps.onProgress?.({ node, step, phase, ...(message ? { message } : {}) });
  }

  get limits() {
    return { timeoutMs: this.deps.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS, signal: this.deps.signal };
  }

  /** Limits for restoring: never cancelled (a cancel must not leave a node half-done). */
  get restoreLimits() {
    return { timeoutMs: this.deps.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS };
  }

  /**
   * Probes the node's verify address until it serves `certPem` and `caPem` verifies the chain
   * (verifyServed against a scratch certs dir holding just those two public files). `signal` ends
   * the probing at once (the run's cancel); a restore passes none, so it is never cut short.
   */
  async verify(
    node: FleetNode,
    certPem: Buffer | string,
    caPem: Buffer | string,
    signal?: AbortSignal,
  ): Promise<{ ok: boolean; servedSerial?: string; cause?: string }> {
    const dir = mkdtempSync(join(tmpdir(), 'crdb-tls-fleet-verify-'));
    try {
      writeFileSync(join(dir, NODE_CERT), certPem);
      writeFileSync(join(dir, CA_CERT), caPem);
      const r = await verifyServed(node.verify, dir, this.deps.probe ?? tlsProbe, {
        timeoutMs: this.deps.verifyTimeoutMs ?? DEFAULT_VERIFY_TIMEOUT_MS,
        intervalMs: 200,
        signal,
      });
      if (r.ok && r.chainVerified) return { ok: true, servedSerial: r.servedSerial };
      if (r.cancelled) return { ok: false, cause: 'cancelled' };
      const served = r.servedSerial ? `serial ${r.servedSerial}` : `nothing${r.error ? ` (${r.error})` : ''}`;
      return {
        ok: false,
        ...(r.servedSerial ? { servedSerial: r.servedSerial } : {}),
        cause: r.ok
          ? `${r.endpoint} serves serial ${r.expectedSerial}, but the CA does not verify its chain`
          : `${r.endpoint} serves ${served}, not serial ${r.expectedSerial}, after ${r.attempts} probe${r.attempts === 1 ? '' : 's'}`,
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
