import * as vscode from 'vscode';
import { chmodSync, chownSync, existsSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import type { TestConnectionResult } from '../../core/tls/testConnection';
import type { Category } from '../../core/tls/types';
import { libpqKeyModeProblem, octalMode } from '../../core/cockroach/keymode';
import { CA_CERT, signingCaFile } from '../../core/cockroach/layout';
import { DEFAULT_SQL_PORT, parseHostPort } from '../../core/cockroach/ports';
import { errMessage } from '../../core/errors';
import { readInputBytes } from '../../core/input';
import { splitPem } from '../../core/pki/pem';
import { paramValue } from '../../core/connstr/types';
import { setParamEdit } from '../../core/connstr/edit';
import { parseCertificate } from '../../core/pki/x509';
import type { CommandRef } from '../commandIds';
import { settings } from '../config';
import type { ConnLinter } from '../connstr/linter';
import { workspaceEdit } from '../doclint/actions';
import type { ClusterModel } from '../model';
import type { Node } from '../tree';
import { requireTrust } from '../trust';
import { clusterStateUrl, nodeState, runCommand } from '../ui';
import type { ResultDocuments } from './results';

export interface TroubleshootContext {
  log: vscode.LogOutputChannel;
  model: ClusterModel;
  linter: ConnLinter;
  results: ResultDocuments;
}
type Ctx = TroubleshootContext;

function certsIn(path: string): X509Certificate[] {
  return splitPem(readInputBytes(path).toString('latin1'))
    .filter((b) => b.type === 'CERTIFICATE')
    .map((b) => parseCertificate(b.der));
}

/** Where a connection string sits in a document: the Test Connection lens passes these. */
export interface ConnRef {
  uri: string;
  start: number;
}

const FIX_LABELS: Partial<Record<Category, string>> = {
  'unknown-authority': 'Choose the Cluster CA…',
  'hostname-mismatch': 'Re-issue the Node Certificate…',
  'client-cert-rejected': 'Issue a Client Certificate…',
  'auth-failed': 'Issue a Client Certificate…',
  'key-permissions': 'Fix Key Permissions…',
};

/** Test Connection: from a lens (a string in a document), a tree item (its cluster's URL offered) or typed. */
export function testConnection(ctx: Ctx, arg: unknown): Promise<TestConnectionResult | undefined> {
  const a = arg as ConnRef | Node | { url: string } | undefined;
  // { url }: a URL another command built and showed (Cloud clusters' Test Connection).
  if (a && 'url' in a && typeof a.url === 'string') return runTest(ctx, undefined, undefined, a.url);
  return a && 'type' in a ? runTest(ctx, undefined, a) : runTest(ctx, a as ConnRef | undefined);
}

async function runTest(ctx: Ctx, ref: ConnRef | undefined, node?: Node, url?: string): Promise<TestConnectionResult | undefined> {
  if (!requireTrust('Test Connection', 'network')) return undefined;
  let doc: vscode.TextDocument | undefined;
  let raw: string | undefined;
  let start = 0;
  if (ref) {
    doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(ref.uri));
    const lint = await ctx.linter.ensure(doc);
    const hit = lint?.results.find(({ conn }) => conn.span.start === ref.start);
    raw = hit?.conn.raw;
    start = ref.start;
  } else if (url) {
    raw = url;
  } else {
    raw = await vscode.window.showInputBox({
      title: vscode.l10n.t('Test Connection'),
      prompt: vscode.l10n.t('A connection string (postgresql://user@host:26257/db?sslmode=verify-full&sslrootcert=...)'),
      ignoreFocusOut: true,
      value: clusterUrl(node),
    });
  }
  if (!raw) return undefined;
  const { testConnection } = await import('../../core/tls/testConnection');
  const { testConnectionText } = await import('../../core/tls/report');
  const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Testing the connection…'), cancellable: true },
    (_p, token) => {
      const ac = new AbortController();
      token.onCancellationRequested(() => ac.abort());
      return testConnection(raw as string, {
        signal: ac.signal,
        timeoutMs: 15_000,
        docPath: doc?.uri.scheme === 'file' ? doc.uri.fsPath : undefined,
        workspaceFolders: folders,
        cwd: folders[0],
      });
    },
  );
  ctx.log.info(`Test Connection ${result.details.host ?? ''}:${result.details.port ?? ''}: ${result.category} — ${result.cause}`);
  await ctx.results.show(`test-connection-${result.category}`, testConnectionText(result));
  const action = FIX_LABELS[result.category];
  const show = result.ok ? vscode.window.showInformationMessage : vscode.window.showErrorMessage;
  // Not awaited: the command returns the result while the notification waits for the user.
  void show(result.ok ? `Connected: ${result.cause}` : `${result.cause} ${result.fix}`, ...(action ? [action] : [])).then((choice) => {
    if (choice && action) void applyFix(ctx, result, doc, start);
  });
  return result;
}

/** A connection string for a cluster in the tree: its node's first host, a client cert the dir holds, its CA. */
function clusterUrl(node: Node | undefined): string | undefined {
  const state = nodeState(node);
  if (!state) return undefined;
  const c = state.cluster;
  if (c.kind === 'cloud') {
    return `postgresql://<user>@${c.host}:${DEFAULT_SQL_PORT}/defaultdb?sslmode=verify-full${c.caCert ? `&sslrootcert=${encodeURI(c.caCert)}` : ''}`;
  }
  const client =
    state.entries.find((e) => e.usage === 'Client' && e.name === 'root' && e.keyPath) ?? state.entries.find((e) => e.usage === 'Client' && e.keyPath);
  return clusterStateUrl(state, client);
}

/** The action that goes with a failure category. */
async function applyFix(ctx: Ctx, r: TestConnectionResult, doc: vscode.TextDocument | undefined, start: number): Promise<void> {
  const fileOf = (p: string) => r.details.files.find((f) => f.param === p);
  switch (r.category) {
    case 'unknown-authority': {
      if (!doc) return;
      const lint = await ctx.linter.ensure(doc);
      const conn = lint?.results.find(({ conn: c }) => c.span.start === start)?.conn;
      if (!conn) return;
      const cas = ctx.linter.options(doc).knownCas ?? [];
      const pick = await vscode.window.showQuickPick(
        [...cas.map((c) => ({ label: c.name, description: c.path, path: c.path })), { label: '$(folder-opened) Choose a file…', description: '', path: '' }],
        { placeHolder: vscode.l10n.t("The CA that signed the cluster's node certificates") },
      );
      const path = pick?.path || (pick ? (await vscode.window.showOpenDialog({ canSelectMany: false }))?.[0]?.fsPath : undefined);
      if (!path) return;
      await vscode.workspace.applyEdit(workspaceEdit(doc, [setParamEdit(conn, 'sslrootcert', path)]));
      return;
    }
    case 'hostname-mismatch': {
      const host = r.details.host;
      const state = ctx.model.states.find(
        (s) =>
          s.cluster.kind === 'self-hosted' &&
          s.entries.some((e) => e.usage === 'Node' && r.details.serverChain?.[0]?.fingerprintSha256 === e.fingerprintSha256),
      );
      await runCommand('cockroachTls.createNode', { certsDir: state?.cluster.kind === 'self-hosted' ? state.cluster.certsDir : undefined, addHost: host });
      return;
    }
    case 'client-cert-rejected':
    case 'auth-failed': {
      const cert = fileOf('sslcert')?.path;
      await runCommand('cockroachTls.createClient', { user: r.details.user, certsDir: cert ? dirname(cert) : undefined });
      return;
    }
    case 'key-permissions': {
      const key = fileOf('sslkey')?.path;
      if (key) await fixKeyPermissions(key);
      return;
    }
    default:
  }
}

/** Fix Key Permissions: applies the fix of libpq's key-mode rule (core/cockroach/keymode: chmod 600, and a chown when only that keeps the key readable). */
export async function fixKeyPermissions(path: unknown): Promise<void> {
  if (typeof path !== 'string' || !requireTrust('Fix Key Permissions', 'write')) return;
  let problem: ReturnType<typeof libpqKeyModeProblem>;
  let gid: number;
  try {
    const st = statSync(path);
    gid = st.gid;
    problem = libpqKeyModeProblem(path, st, process.geteuid?.());
    if (!problem) {
      void vscode.window.showInformationMessage(
        vscode.l10n.t('{0}: libpq accepts its permissions ({1}); nothing to change.', basename(path), octalMode(st.mode)),
      );
      return;
    }
  } catch (err) {
    void vscode.window.showErrorMessage(vscode.l10n.t('Could not read {0}: {1}', path, errMessage(err)));
    return;
  }
  const apply = problem.apply;
  if (!apply) {
    void vscode.window.showErrorMessage(vscode.l10n.t('{0}: {1}.', problem.message, problem.fix));
    return;
  }
  const run = vscode.l10n.t('Run it');
  const a = await vscode.window.showWarningMessage(vscode.l10n.t('{0}. Fix: {1}?', problem.message, problem.fix), { modal: true }, run);
  if (a !== run) return;
  try {
    chmodSync(path, apply.mode);
    if (apply.owner !== undefined) chownSync(path, apply.owner, gid);
    void vscode.window.showInformationMessage(vscode.l10n.t('{0} is now {1}.', basename(path), octalMode(apply.mode)));
  } catch (err) {
    void vscode.window.showErrorMessage(vscode.l10n.t('Could not change {0} ({1}): {2}', path, problem.fix, errMessage(err)));
  }
}

export async function explainError(ctx: Ctx, arg: unknown): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  const selected = editor && !editor.selection.isEmpty ? editor.document.getText(editor.selection) : undefined;
  const text =
    (typeof arg === 'string' ? arg : undefined) ??
    selected ??
    (await vscode.window.showInputBox({
      title: vscode.l10n.t('Explain TLS Error'),
      prompt: vscode.l10n.t('Paste the error message (psql, cockroach, pgx, psycopg, JDBC, node-postgres, DBeaver...)'),
      ignoreFocusOut: true,
    }));
  if (!text) return;
  const { explain } = await import('../../core/tls/explain');
  const r = explain(text);
  await ctx.results.show(
    `explain-${r.category}`,
    `Error:\n  ${text.trim().replace(/\n/g, '\n  ')}\n\nCategory: ${r.category}\n\nCause:\n  ${r.cause}\n\nFix:\n  ${r.fix}\n`,
  );
  void vscode.window.showInformationMessage(`${r.category}: ${r.cause}`);
}

export async function probeNode(ctx: Ctx, node: Node | undefined): Promise<void> {
  if (!requireTrust('Probe Node', 'network')) return;
  const state = nodeState(node);
  const c = state?.cluster;
  const nodeEntry = state?.entries.find((e) => e.usage === 'Node');
  const suggestion = `${c?.kind === 'cloud' ? c.host : (nodeEntry?.sans?.dns[0] ?? nodeEntry?.sans?.ip[0] ?? 'localhost')}:${DEFAULT_SQL_PORT}`;
  const target = await vscode.window.showInputBox({
    title: vscode.l10n.t('Probe Node'),
    prompt: vscode.l10n.t('HOST[:PORT] of the node (pgwire SSLRequest, then the TLS handshake)'),
    value: suggestion,
    ignoreFocusOut: true,
    validateInput: (v) => (/^\S+$/.test(v.trim()) ? undefined : 'HOST or HOST:PORT'),
  });
  if (!target) return;
  const { probe } = await import('../../core/tls/probe');
  const { probeText } = await import('../../core/tls/report');
  let hp: { host: string; port: number };
  try {
    hp = parseHostPort(target.trim());
  } catch (err) {
    void vscode.window.showErrorMessage(errMessage(err));
    return;
  }
  const caFile = c?.kind === 'cloud' ? c.caCert : c ? join(c.certsDir, CA_CERT) : undefined;
  const r = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Probing {0}:{1}…', hp.host, hp.port), cancellable: true },
    (_p, token) => {
      const ac = new AbortController();
      token.onCancellationRequested(() => ac.abort());
      return probe(hp.host, hp.port, { caFile: caFile && existsSync(caFile) ? caFile : undefined, signal: ac.signal, timeoutMs: 8000 });
    },
  );
  await ctx.results.show(`probe-${hp.host}-${hp.port}`, probeText(r));
}

export async function verifyCommand(ctx: Ctx, node: Node | undefined): Promise<void> {
  if (node?.type !== 'cert') return;
  const state = node.parent.state;
  const dir = state.cluster.kind === 'self-hosted' ? state.cluster.certsDir : dirname(node.entry.certPath);
  // The CA file that must sign it, by CockroachDB's rule (ca-client.crt, ca-ui.crt, ca-client-tenant.crt when present).
  const caFile = join(dir, signingCaFile(node.entry.usage, (n) => existsSync(join(dir, n))) ?? CA_CERT);
  try {
    const { verifyCertificate, opensslVerifyText } = await import('../../core/tls/verify');
    const certs = certsIn(node.entry.certPath);
    const leaf = certs[node.index] ?? certs[0];
    const v = verifyCertificate({ leaf, untrusted: certs.filter((x) => x !== leaf), trusted: certsIn(caFile), trustedName: caFile, now: new Date() });
    const text = opensslVerifyText(node.entry.certPath, v);
    ctx.log.info(`Verify ${node.entry.certPath} against ${caFile}: ${text.split('\n')[0]}`);
    if (v.ok) void vscode.window.showInformationMessage(vscode.l10n.t('{0}: OK against {1}', basename(node.entry.certPath), basename(caFile)));
    else {
      await ctx.results.show(`verify-${basename(node.entry.certPath)}`, text);
      void vscode.window.showErrorMessage(
        vscode.l10n.t('{0} does not verify against {1}: {2}', basename(node.entry.certPath), basename(caFile), v.errorText ?? v.code ?? ''),
      );
    }
  } catch (err) {
    void vscode.window.showErrorMessage(vscode.l10n.t('Verify: {0}', errMessage(err)));
  }
}

/** Test Connection above every connection string the linter found. */
export class TestConnectionLens implements vscode.CodeLensProvider {
  readonly onDidChangeCodeLenses: vscode.Event<void>;
  constructor(private readonly linter: ConnLinter) {
    this.onDidChangeCodeLenses = linter.onDidLint as unknown as vscode.Event<void>;
  }

  async provideCodeLenses(doc: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    if (!settings().testConnectionCodeLens) return [];
    const r = await this.linter.ensure(doc);
    return (r?.results ?? [])
      .filter(({ conn }) => conn.kind !== 'jdbc' && (conn.hosts.length > 0 || paramValue(conn, 'host')))
      .map(({ conn }) => {
        const range = new vscode.Range(doc.positionAt(conn.span.start), doc.positionAt(conn.span.start));
        const ref: ConnRef = { uri: doc.uri.toString(), start: conn.span.start };
        return new vscode.CodeLens(range, {
          title: vscode.l10n.t('$(plug) Test Connection'),
          command: 'cockroachTls.testConnection',
          arguments: [ref],
          tooltip: 'Connect with these parameters, run SELECT 1, and explain any failure',
        } satisfies CommandRef);
      });
  }
}
