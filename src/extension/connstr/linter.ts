import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { FileCache } from '../../core/certsdir/cache';
import type { LintedConn, LintOptions } from '../../core/connstr/lint';
import type { KnownCa } from '../../core/connstr/rules/context';
import type { Severity } from '../../core/connstr/types';
import type { ClusterModel } from '../model';
import { thresholdsFromSettings } from '../model';

export interface DocLint {
  version: number;
  results: LintedConn[];
  options: LintOptions;
}

const SEVERITY: Record<Severity, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error, warning: vscode.DiagnosticSeverity.Warning, info: vscode.DiagnosticSeverity.Information,
};

type LintModule = typeof import('../../core/connstr/lint');

/**
 * Lints connection strings in open documents: debounced as you type, again when a referenced
 * certificate or key changes on disk. Files are parsed once per (inode, size, mtime).
 */
export class ConnLinter implements vscode.Disposable {
  readonly diagnostics = vscode.languages.createDiagnosticCollection('cockroachTls');
  private readonly results = new Map<string, DocLint>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly cache = new FileCache();
  private readonly subs: vscode.Disposable[] = [];
  private mod: LintModule | undefined;
  private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
  /** Fires after a document's diagnostics were updated (tests wait on it). */
  readonly onDidLint = this.emitter.event;

  constructor(private readonly model: ClusterModel, private readonly log: vscode.LogOutputChannel) {
    this.subs.push(
      vscode.workspace.onDidOpenTextDocument((d) => this.schedule(d, 0)),
      vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document, 300)),
      vscode.workspace.onDidCloseTextDocument((d) => this.forget(d.uri)),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('cockroachTls')) this.relintAll();
      }),
      model.onDidChange(() => this.relintAll()),
    );
    // A certificate or key changed: re-lint the documents that reference it.
    const w = vscode.workspace.createFileSystemWatcher('**/*.{crt,key,pk8,pem,cert}');
    const onFile = (uri: vscode.Uri) => this.relintReferencing(uri.fsPath);
    this.subs.push(w, w.onDidChange(onFile), w.onDidCreate(onFile), w.onDidDelete(onFile));
    for (const d of vscode.workspace.textDocuments) this.schedule(d, 0);
  }

  get fileReads(): number {
    return this.cache.reads;
  }

  lintOf(doc: vscode.TextDocument): DocLint | undefined {
    const r = this.results.get(doc.uri.toString());
    return r && r.version === doc.version ? r : undefined;
  }

  /** Lints now (or returns the current result) — used by hover and code actions. */
  async ensure(doc: vscode.TextDocument): Promise<DocLint | undefined> {
    return this.lintOf(doc) ?? this.lint(doc);
  }

  private wanted(doc: vscode.TextDocument): boolean {
    const cfg = vscode.workspace.getConfiguration('cockroachTls.lint', doc);
    if (!cfg.get<boolean>('enabled', true)) return false;
    if (doc.uri.scheme !== 'file' && doc.uri.scheme !== 'untitled' && doc.uri.scheme !== 'vscode-remote') return false;
    const langs = cfg.get<string[]>('languages', []);
    if (langs.length > 0 && !langs.includes(doc.languageId)) return false;
    return doc.getText().length <= cfg.get<number>('maxFileSize', 1_000_000);
  }

  private schedule(doc: vscode.TextDocument, ms: number): void {
    const key = doc.uri.toString();
    const t = this.timers.get(key);
    if (t) clearTimeout(t);
    this.timers.set(key, setTimeout(() => {
      this.timers.delete(key);
      void this.lint(doc);
    }, ms));
  }

  private knownCas(): KnownCa[] {
    return this.model.states.flatMap((s) => {
      const c = s.cluster;
      if (c.kind === 'cloud') return c.caCert ? [{ name: c.name, path: c.caCert }] : [];
      const ca = join(c.certsDir, 'ca.crt');
      const clientCa = join(c.certsDir, 'ca-client.crt');
      return existsSync(ca) ? [{ name: c.name, path: ca, clientCaPath: existsSync(clientCa) ? clientCa : undefined }] : [];
    });
  }

  options(doc: vscode.TextDocument): LintOptions {
    const cfg = vscode.workspace.getConfiguration('cockroachTls.lint', doc);
    return {
      docPath: doc.uri.scheme === 'untitled' ? undefined : doc.uri.fsPath,
      workspaceFolders: (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath),
      now: new Date(),
      thresholds: thresholdsFromSettings(),
      knownCas: this.knownCas(),
      disabled: new Set(cfg.get<string[]>('disabledRules', [])),
      severities: cfg.get<Record<string, Severity>>('severity', {}),
      uid: process.getuid?.(),
      cache: this.cache,
    };
  }

  async lint(doc: vscode.TextDocument): Promise<DocLint | undefined> {
    if (doc.isClosed) return undefined;
    if (!this.wanted(doc)) {
      this.forget(doc.uri);
      return undefined;
    }
    this.mod ??= await import('../../core/connstr/lint');
    const options = this.options(doc);
    const text = doc.getText();
    let results: LintedConn[];
    try {
      results = this.mod.lintText(text, options);
    } catch (err) {
      this.log.error(`lint ${doc.uri.fsPath}: ${(err as Error).message}`);
      return undefined;
    }
    const r: DocLint = { version: doc.version, results, options };
    this.results.set(doc.uri.toString(), r);
    this.diagnostics.set(doc.uri, results.flatMap(({ findings }) => findings.map((f) => {
      const d = new vscode.Diagnostic(new vscode.Range(doc.positionAt(f.range.start), doc.positionAt(f.range.end)), f.message, SEVERITY[f.severity]);
      d.source = 'CockroachDB TLS';
      d.code = { value: f.code, target: vscode.Uri.parse(f.docs) };
      return d;
    })));
    this.emitter.fire(doc.uri);
    return r;
  }

  private relintAll(): void {
    for (const d of vscode.workspace.textDocuments) this.schedule(d, 50);
  }

  private relintReferencing(path: string): void {
    for (const d of vscode.workspace.textDocuments) {
      const r = this.results.get(d.uri.toString());
      const refs = r?.results.some(({ conn }) => conn.params.some((p) => /^ssl(rootcert|cert|key)$/.test(p.key) && (path.endsWith(p.value.replace(/^\.\//, '')) || p.value === path)));
      if (refs) this.schedule(d, 100);
    }
  }

  private forget(uri: vscode.Uri): void {
    this.results.delete(uri.toString());
    this.diagnostics.delete(uri);
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.subs.forEach((s) => s.dispose());
    this.diagnostics.dispose();
    this.emitter.dispose();
  }
}
