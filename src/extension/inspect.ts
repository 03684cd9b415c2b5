import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { CA_CERT, Usage, signingCaFile, signingCaFileFor } from '../core/cockroach/layout';
import { errMessage } from '../core/errors';
import { readInputBytes } from '../core/input';
import { ClusterModel } from './model';

/** The scheme of the read-only documents Inspect Certificate opens. */
export const INSPECT_SCHEME = 'cockroach-tls-inspect';

/** Read-only documents for Inspect Certificate: what `openssl x509 -text` shows, the status, the chain to the cluster CA. */
export class InspectProvider implements vscode.TextDocumentContentProvider {
  private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.emitter.event;
  private readonly open = new Set<string>();

  constructor(private readonly model: ClusterModel) {
    model.onDidChange(() => {
      for (const u of this.open) this.emitter.fire(vscode.Uri.parse(u));
    });
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    this.open.add(uri.toString());
    const q = new URLSearchParams(uri.query);
    const path = q.get('path') ?? uri.path.replace(/\.txt$/, '');
    const usage = (q.get('usage') || undefined) as Usage | undefined;
    const state = this.model.states.find((s) => s.key === q.get('cluster'));
    const dir = state?.cluster.kind === 'self-hosted' ? state.cluster.certsDir : dirname(path);
    const has = (n: string) => existsSync(join(dir, n));
    const caFile = join(dir, (usage ? signingCaFile(usage, has) : signingCaFileFor(basename(path), has)) ?? CA_CERT);
    try {
      const { describeCertFile } = await import('../core/pki/describe');
      // Only regular files within the PEM cap: a FIFO or device in the workspace must not block the extension host.
      const content = readInputBytes(path);
      const clusterCa = existsSync(caFile) ? { path: caFile, content: readInputBytes(caFile, { what: 'the cluster CA' }) } : undefined;
      return describeCertFile({ path, content, now: new Date(), usage, clusterCa }).text;
    } catch (err) {
      return `${basename(path)}\n\nCould not read ${path}: ${errMessage(err)}\nCheck that the file exists and is readable.\n`;
    }
  }

  dispose(): void {
    this.emitter.dispose();
  }
}
