/**
 * One node of a run: issue, upload to temps, back up, rename into place, reload, verify; and on
 * any failure the restore (previous files back byte for byte, reload, probe that it serves the
 * certificate in its certs dir again). The journal is saved before each step that changes the node.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { errMessage } from '../errors';
import { certInfo } from '../pki/certinfo';
import { CA_CERT, NODE_CERT, NODE_KEY } from '../cockroach/layout';
import { createNode } from '../certsdir/create';
import { sha256 } from '../certsdir/rotate/files';
import { isAbortError } from '../tls/cancel';
import { FleetContext } from './context';
import { JournalNode } from './journal';
import { NodeRemote, RemoteError, RemoteHash, tempName } from './remote';
import { FleetPlan, FleetSshError, FleetStep, NodeReport, PlannedNode } from './types';

/** What the run brings to a node: the bytes of each file, and the certificate the node must serve afterwards. */
export interface NodePayload {
  files: Record<string, Buffer>;
  expectCert: string;
  /** The CA file the served chain must verify with. */
  caPem: Buffer;
}

export class StepError extends Error {
  constructor(
    readonly step: FleetStep,
    message: string,
  ) {
    super(message);
    this.name = 'StepError';
  }
}

function serialOf(pem: string | Buffer): string | undefined {
  try {
    return certInfo(new X509Certificate(pem)).serial;
  } catch {
    return undefined;
  }
}

/** A node certificate and key issued here by create.ts, in a scratch certs dir holding a copy of the CA file (removed at once). */
export async function issueNodeCert(plan: FleetPlan, node: PlannedNode, caPem: Buffer, now: Date): Promise<Record<string, Buffer>> {
  const dir = mkdtempSync(join(tmpdir(), 'crdb-tls-fleet-issue-'));
  try {
    writeFileSync(join(dir, CA_CERT), caPem, { mode: 0o644 });
    await createNode({ certsDir: dir, caKey: plan.caKey ?? '', hosts: node.hosts, now, lifetimeMs: plan.lifetimeMs, keySize: plan.keySize });
    return { [NODE_CERT]: readFileSync(join(dir, NODE_CERT)), [NODE_KEY]: readFileSync(join(dir, NODE_KEY)) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function causeOf(err: unknown): string {
  if (isAbortError(err) || (err instanceof FleetSshError && err.kind === 'cancelled')) return 'cancelled';
  return errMessage(err).replace(/\.$/, '');
}

function same(a: RemoteHash | undefined, b: string | null | undefined): boolean {
  return (a ?? null) === (b ?? null);
}

export class NodeRun {
  readonly remote: NodeRemote;
  private step: FleetStep = 'connect';

  constructor(
    readonly ctx: FleetContext,
    readonly plan: Pick<FleetPlan, 'command' | 'runId'>,
    readonly node: PlannedNode,
    readonly jn: JournalNode,
  ) {
    this.remote = new NodeRemote(ctx.deps.transport, node);
  }

  private get names(): string[] {
    return this.node.files.map((f) => f.name);
  }

  private get temps(): string[] {
    return this.names.map((n) => tempName(n, this.plan.runId));
  }

  private begin(step: FleetStep): void {
    if (this.ctx.deps.signal?.aborted) throw new StepError(step, 'cancelled');
    this.step = step;
    this.jn.step = step;
    this.ctx.save();
    this.ctx.progress(this.node.name, step, 'start');
  }

  private end(step: FleetStep, message?: string): void {
    this.ctx.save();
    this.ctx.progress(this.node.name, step, 'done', message);
  }

  /** The node's work; `payload` makes the files (issue runs inside it for rotate-node). Never throws: failures are restored and reported. */
  async run(payload: () => Promise<NodePayload>, caPem: Buffer): Promise<NodeReport> {
    const name = this.node.name;
    if (this.jn.done) return { name, status: 'already-done' };
    let p: NodePayload | undefined;
    try {
      let inPlace = false;
      if (this.jn.changed) {
        // Resumed after a kill past the rename: keep the new files if all of them are in place, else undo first.
        const now = await this.remote.read(this.names, [], this.ctx.limits);
        inPlace = this.names.every((n) => same(now.hashes[n], this.jn.newSha[n]));
        if (!inPlace) {
          const r = await this.restore('restore');
          if (!r.ok) return { name, status: 'failed', step: 'restore', cause: r.cause };
        }
      }
      if (inPlace) {
        const cert = this.jn.newCert ?? (await this.remote.read([], [NODE_CERT], this.ctx.limits)).content[NODE_CERT]?.toString('latin1') ?? '';
        p = { files: {}, expectCert: cert, caPem };
      } else {
        await this.remote.cleanup(this.temps, this.ctx.limits);
        this.begin(this.plan.command === 'rotate-node' ? 'issue' : 'upload');
        p = await payload();
        this.afterIssue(p);
        await this.uploadAll(p);
        this.begin('backup');
        const backed = await this.remote.backup(this.node.backupDir, this.names, this.ctx.limits);
        for (const n of this.names)
          if (!same(backed[n], this.jn.oldSha[n]))
            throw new StepError('backup', `${this.node.certsDir}/${n} changed since the check before the run (someone else is rotating it?)`);
        this.end('backup', this.node.backupDir);
        this.begin('rename');
        this.jn.changed = true;
        this.ctx.save();
        await this.remote.rename(
          this.names.map((n, i) => [this.temps[i], n]),
          this.ctx.limits,
        );
        this.end('rename');
      }
      this.begin('reload');
      const r = await this.remote.reload({ timeoutMs: this.ctx.deps.reloadTimeoutMs ?? 60_000, signal: this.ctx.deps.signal });
      if (r.exitCode !== 0)
        throw new StepError(
          'reload',
          `the reload command ${JSON.stringify(this.node.reload)} exited with ${r.exitCode}${r.output ? ` (${r.output.split('\n').pop()})` : ''}`,
        );
      this.end('reload');
      this.begin('verify');
      const v = await this.ctx.verify(this.node, p.expectCert, p.caPem, this.ctx.deps.signal);
      if (!v.ok) throw new StepError('verify', v.cause ?? 'verification failed');
      this.jn.done = true;
      this.end('verify', `serves serial ${v.servedSerial}`);
      return { name, status: 'done', newSerial: serialOf(p.expectCert), servedSerial: v.servedSerial };
    } catch (err) {
      const step = err instanceof StepError ? err.step : this.step;
      const cause = err instanceof StepError ? err.message : causeOf(err);
      this.ctx.progress(name, step, 'failed', cause);
      const r = await this.restore(step);
      const report: NodeReport = { name, status: r.ok ? 'restored' : 'failed', step, cause, ...(p ? { newSerial: serialOf(p.expectCert) } : {}) };
      if (r.servedSerial) report.servedSerial = r.servedSerial;
      if (r.byteForByte !== undefined) report.restoredByteForByte = r.byteForByte;
      if (!r.ok) report.cause = `${cause}; and restoring it failed: ${r.cause}`;
      return report;
    }
  }

  private afterIssue(p: NodePayload): void {
    if (this.plan.command === 'rotate-node') {
      this.jn.newCert = p.files[NODE_CERT].toString('latin1');
      this.end('issue', `serial ${serialOf(p.files[NODE_CERT])}`);
      this.begin('upload');
    }
  }

  private async uploadAll(p: NodePayload): Promise<void> {
    for (const [i, f] of this.node.files.entries()) {
      const data = p.files[f.name];
      const got = await this.remote.upload(this.temps[i], f.name, data, f.mode, this.ctx.limits);
      if (got !== sha256(data)) throw new StepError('upload', `${this.temps[i]} arrived damaged (SHA-256 ${got}, sent ${sha256(data)})`);
      this.jn.newSha[f.name] = got;
    }
    this.end('upload');
  }

  /**
   * Puts the node back as it was before the run: the temps removed, and when the renames may have
   * happened, the backup copied back (a file that did not exist is removed if it holds what we put
   * there), then reload, then probe until the node serves the node.crt now in its certs dir,
   * verified by the ca.crt there. Not cancellable.
   */
  async restore(after: FleetStep): Promise<{ ok: boolean; cause?: string; servedSerial?: string; byteForByte?: boolean }> {
    const l = this.ctx.restoreLimits;
    const name = this.node.name;
    this.ctx.progress(name, 'restore', 'start', `after ${after}`);
    try {
      await this.remote.cleanup(this.temps, l);
      if (this.jn.changed) {
        const restore = this.names.filter((n) => this.jn.oldSha[n]);
        const remove = this.names.filter((n) => !this.jn.oldSha[n] && this.jn.newSha[n]).map((n) => ({ name: n, sha256: this.jn.newSha[n] }));
        await this.remote.restore(this.node.backupDir, restore, remove, l);
      }
      const now = await this.remote.read(
        this.names.filter((n) => n !== NODE_CERT && n !== CA_CERT),
        [NODE_CERT, CA_CERT],
        l,
      );
      const byteForByte = this.names.every((n) => same(now.hashes[n], this.jn.oldSha[n]));
      if (!byteForByte)
        throw new RemoteError(
          `${name}: after the restore, ${this.names.filter((n) => !same(now.hashes[n], this.jn.oldSha[n])).join(', ')} differ from the backup`,
        );
      let reloadNote = '';
      if (this.jn.changed) {
        const r = await this.remote.reload({ timeoutMs: this.ctx.deps.reloadTimeoutMs ?? 60_000 });
        if (r.exitCode !== 0) reloadNote = ` (its reload command exited with ${r.exitCode})`;
      }
      const cert = now.content[NODE_CERT];
      const ca = now.content[CA_CERT];
      if (!cert || !ca) throw new RemoteError(`${name}: ${this.node.certsDir} has no ${!cert ? NODE_CERT : CA_CERT} to check what it serves`);
      const v = await this.ctx.verify(this.node, cert, ca);
      if (!v.ok) throw new RemoteError(`${name}: its files are restored${reloadNote}, but ${v.cause}`);
      this.jn.changed = false;
      this.jn.newSha = {};
      delete this.jn.newCert;
      this.ctx.save();
      this.ctx.progress(name, 'restore', 'done', `serves serial ${v.servedSerial} again`);
      return { ok: true, servedSerial: v.servedSerial, byteForByte };
    } catch (err) {
      const cause = causeOf(err);
      this.ctx.save();
      this.ctx.progress(name, 'restore', 'failed', cause);
      return { ok: false, cause };
    }
  }
}
