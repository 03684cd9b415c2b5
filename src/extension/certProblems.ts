import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { CertEntry, ListProblem } from '../core/certsdir/list';
import type { CertRole } from '../core/cockroach/certrules';
import { roleFromFilename } from '../core/cockroach/layout';
import type { CommandId } from './commandIds';
import type { ClusterModel } from './model';
import type { Node } from './tree';
import type { ImportPreset } from './wizards/outsidePki';
import { isTrusted } from './trust';

export const CERT_PROBLEMS_SOURCE = 'CockroachDB TLS';

/** The files the Problems can be on: certificates and their keys (any scheme: they come from the tree's certs dirs). */
export const CERT_PROBLEM_FILES: vscode.DocumentSelector = [{ scheme: 'file', pattern: '**/*.{crt,key}' }];

/** Squiggles the first line: the problem is about the file, not a place in it (VS Code clamps the end to the line). */
const FIRST_LINE = new vscode.Range(0, 0, 0, 10_000);

const IMPORT: CommandId = 'cockroachTls.importCertificate';

/** The role a name the loader expects stands for (node.crt → node), for Import Certificate's preset. */
function roleOfName(name: string): CertRole | undefined {
  const r = roleFromFilename(name);
  if (r.badName) return undefined;
  if (r.usage === 'Node') return { as: 'node' };
  if (r.usage === 'Client' && r.name) return { as: 'client', user: r.name };
  if (r.usage === 'CA') return { as: 'ca' };
  if (r.usage === 'Client CA') return { as: 'client-ca' };
  return undefined;
}

/** The key CockroachDB would pair with the file (tls.crt → tls.key), when it exists. */
function keyBeside(certPath: string): string | undefined {
  const key = certPath.replace(/\.crt$/, '.key');
  return key !== certPath && existsSync(key) ? key : undefined;
}

function messageOf(p: ListProblem, entry: CertEntry): string {
  if (p.code !== 'bad-filename' || !entry.loaderName) return p.message;
  return `${p.message} ${vscode.l10n.t(
    'In the editor: Import Certificate… ({0}) checks it against CockroachDB\u2019s rules and installs it as {1}.',
    IMPORT,
    entry.loaderName,
  )}`;
}

/**
 * The Problems of the certs dirs the tree lists: every problem `cert list` finds (a name the loader
 * skips, a key that does not match or is too open, a certificate its CA did not sign, a broken
 * CockroachDB rule), on the file it is about, updated whenever the tree lists again. It only reads
 * what the model already read, so it works in restricted mode; the rename quick fix needs trust.
 */
export class CertProblems implements vscode.Disposable, vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];
  readonly collection = vscode.languages.createDiagnosticCollection('cockroachTls.certsDirs');
  private readonly sub: vscode.Disposable;
  /** The listed entry and its cluster (tree id) of each file with a bad name, for the quick fixes. */
  private badNames = new Map<string, { entry: CertEntry; clusterKey: string }>();

  constructor(
    private readonly model: ClusterModel,
    private readonly clusterNode: (key: string) => Node | undefined,
  ) {
    this.sub = model.onDidChange(() => this.update());
    this.update();
  }

  /** Replaces every Problem with what the last listing found: fixed and deleted files lose theirs. */
  update(): void {
    const byFile = new Map<string, vscode.Diagnostic[]>();
    const badNames = new Map<string, { entry: CertEntry; clusterKey: string }>();
    for (const state of this.model.states) {
      for (const entry of state.entries) {
        for (const p of entry.problems) {
          const d = new vscode.Diagnostic(
            FIRST_LINE,
            messageOf(p, entry),
            p.severity === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Error,
          );
          d.source = CERT_PROBLEMS_SOURCE;
          d.code = p.code;
          const list = byFile.get(p.path) ?? [];
          list.push(d);
          byFile.set(p.path, list);
          if (p.code === 'bad-filename') badNames.set(p.path, { entry, clusterKey: state.key });
        }
      }
    }
    this.badNames = badNames;
    this.collection.clear();
    this.collection.set([...byFile].map(([path, ds]) => [vscode.Uri.file(path), ds]));
  }

  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const ours = context.diagnostics.filter((d) => d.source === CERT_PROBLEMS_SOURCE && d.code === 'bad-filename');
    const bad = this.badNames.get(document.uri.fsPath);
    const to = bad?.entry.loaderName;
    if (ours.length === 0 || !bad || !to) return [];
    const { entry, clusterKey } = bad;
    const out: vscode.CodeAction[] = [];
    const dir = dirname(entry.certPath);
    const key = keyBeside(entry.certPath);
    const keyTo = join(dir, to.replace(/\.crt$/, '.key'));
    const isCa = to.startsWith('ca');
    // Renaming writes files: only in a trusted workspace, and never over a file CockroachDB loads.
    if (isTrusted() && !existsSync(join(dir, to)) && (isCa || !key || !existsSync(keyTo))) {
      const title = key && !isCa ? vscode.l10n.t('Rename to {0} and {1}', to, basename(keyTo)) : vscode.l10n.t('Rename to {0}', to);
      const a = new vscode.CodeAction(title, vscode.CodeActionKind.QuickFix);
      a.diagnostics = ours;
      a.isPreferred = true;
      a.edit = new vscode.WorkspaceEdit();
      a.edit.renameFile(vscode.Uri.file(entry.certPath), vscode.Uri.file(join(dir, to)));
      if (key && !isCa) a.edit.renameFile(vscode.Uri.file(key), vscode.Uri.file(keyTo));
      out.push(a);
    }
    const role = roleOfName(to);
    if (role) {
      const a = new vscode.CodeAction(vscode.l10n.t('Import as {0}… (checks it first)', to), vscode.CodeActionKind.QuickFix);
      a.diagnostics = ours;
      const preset: ImportPreset = { source: 'files', path: entry.certPath, role, ...(key && !isCa ? { key } : {}) };
      a.command = { command: IMPORT, title: a.title, arguments: [this.clusterNode(clusterKey), preset] };
      out.push(a);
    }
    return out;
  }

  dispose(): void {
    this.sub.dispose();
    this.collection.dispose();
  }
}
