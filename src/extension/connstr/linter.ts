import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { FileCache } from '../../core/cache';
import { CA_CERT, CLIENT_CA_CERT } from '../../core/cockroach/layout';
import type { LintedConn, LintOptions } from '../../core/connstr/lint';
import type { KnownCa } from '../../core/connstr/rules/context';
import { settings } from '../config';
import { DocumentLinter, LINTED_SCHEMES, LintDiagnostic } from '../doclint/linter';
import type { ClusterModel } from '../model';

export interface DocLint {
  results: LintedConn[];
  options: LintOptions;
}

type LintModule = typeof import('../../core/connstr/lint');

/**
 * Lints connection strings in open documents: debounced as you type, again when a referenced
 * certificate or key changes on disk. Files are parsed once per (inode, size, mtime).
 */
export class ConnLinter extends DocumentLinter<DocLint> {
  private readonly cache = new FileCache();
  private mod: LintModule | undefined;

  constructor(
    private readonly model: ClusterModel,
    log: vscode.LogOutputChannel,
  ) {
    super('cockroachTls', 'lint', log);
    this.subs.push(model.onDidChange(() => this.relintAll()));
    // A certificate or key changed: re-lint the documents that reference it.
    const w = vscode.workspace.createFileSystemWatcher('**/*.{crt,key,pk8,pem,cert}');
    const onFile = (uri: vscode.Uri) => this.relintReferencing(uri.fsPath);
    this.subs.push(w, w.onDidChange(onFile), w.onDidCreate(onFile), w.onDidDelete(onFile));
  }

  get fileReads(): number {
    return this.cache.reads;
  }

  protected wanted(doc: vscode.TextDocument): boolean {
    const s = settings(doc);
    if (!s.lintEnabled || !LINTED_SCHEMES.has(doc.uri.scheme)) return false;
    const langs = s.lintLanguages;
    if (langs.length > 0 && !langs.includes(doc.languageId)) return false;
    return doc.getText().length <= s.lintMaxFileSize;
  }

  private knownCas(): KnownCa[] {
    return this.model.states.flatMap((s) => {
      const c = s.cluster;
      if (c.kind === 'cloud') return c.caCert ? [{ name: c.name, path: c.caCert }] : [];
      const ca = join(c.certsDir, CA_CERT);
      const clientCa = join(c.certsDir, CLIENT_CA_CERT);
      return existsSync(ca) ? [{ name: c.name, path: ca, clientCaPath: existsSync(clientCa) ? clientCa : undefined }] : [];
    });
  }

  options(doc: vscode.TextDocument): LintOptions {
    const s = settings(doc);
    return {
      docPath: doc.uri.scheme === 'untitled' ? undefined : doc.uri.fsPath,
      workspaceFolders: (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath),
      now: new Date(),
      thresholds: s.expiryThresholds,
      knownCas: this.knownCas(),
      disabled: new Set(s.lintDisabledRules),
      severities: s.lintSeverity,
      uid: process.getuid?.(),
      cache: this.cache,
    };
  }

  protected async check(doc: vscode.TextDocument, text: string): Promise<DocLint> {
    this.mod ??= await import('../../core/connstr/lint');
    const options = this.options(doc);
    return { results: this.mod.lintText(text, options), options };
  }

  protected diagnosticsOf(r: DocLint): LintDiagnostic[] {
    return r.results.flatMap(({ findings }) =>
      findings.map((f) => ({ start: f.range.start, end: f.range.end, message: f.message, severity: f.severity, code: f.code, docs: f.docs })),
    );
  }

  private relintReferencing(path: string): void {
    this.relintWhere(
      (r) =>
        r.results.some(({ conn }) =>
          conn.params.some((p) => /^ssl(rootcert|cert|key)$/.test(p.key) && (path.endsWith(p.value.replace(/^\.\//, '')) || p.value === path)),
        ),
      100,
    );
  }
}
