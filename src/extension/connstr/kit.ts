/**
 * The client kit in the editor: Copy Connection for… (the snippet to the clipboard or into the
 * document) and Open Connection Check (the program, with its run command), from a client
 * certificate in the tree or a connection string in a document. The kit itself is the core's
 * (core/connstr/clients); here: where the string comes from, the questions, and the writes.
 */
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, extname, join } from 'node:path';
import type { ClientId, ClientKit, KitFile } from '../../core/connstr/clients/types';
import { MultiStep, isButton } from '../input';
import { confirmation } from '../rotate';
import type { CertNode, Node } from '../tree';
import type { ConnRef } from '../troubleshoot/commands';
import { isTrusted, requireTrust } from '../trust';
import { UiContext, clusterStateUrl, reportError } from '../ui';
import type { ConnLinter } from './linter';

export interface KitContext extends UiContext {
  linter: ConnLinter;
}

/** What Copy Connection for… did (returned for the in-editor tests). */
export interface CopyResult {
  client: ClientId;
  snippet: string;
  destination: 'clipboard' | 'insert';
  /** The derived files written (after confirmation). */
  written: string[];
}

/** What Open Connection Check did. */
export interface CheckResult {
  client: ClientId;
  /** The program's document (untitled, or the file it was saved to). */
  uri: string;
  run: string;
  written: string[];
}

/** The connection string a command works on, and where it came from. */
interface Source {
  text: string;
  /** Relative paths in the string resolve from here. */
  cwd: string;
  /** For a string in a document: the document and the end of the string (the snippet can go below it). */
  doc?: vscode.TextDocument;
  end?: number;
  /** Where the program may be saved by default. */
  dir?: string;
}

/** VS Code's language ids for the programs' file names. */
const LANGUAGE_OF: Record<string, string> = {
  '.sh': 'shellscript',
  '.py': 'python',
  '.java': 'java',
  '.go': 'go',
  '.js': 'javascript',
  '.rb': 'ruby',
};

const isConnRef = (a: unknown): a is ConnRef => typeof a === 'object' && a !== null && 'uri' in a && 'start' in a;
const isClientCert = (n: Node): n is CertNode => n.type === 'cert' && n.entry.usage === 'Client' && n.index === 0;

function folderOf(doc: vscode.TextDocument): string {
  return (
    vscode.workspace.getWorkspaceFolder(doc.uri)?.uri.fsPath ??
    (doc.uri.scheme === 'file' ? dirname(doc.uri.fsPath) : (vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? homedir()))
  );
}

/** The string from a document: the one at `start` (a code action), or the one under the cursor. */
async function fromDocument(ctx: KitContext, doc: vscode.TextDocument, at: (span: { start: number; end: number }) => boolean): Promise<Source | undefined> {
  const lint = await ctx.linter.ensure(doc);
  const conn = lint?.results.map((r) => r.conn).find((c) => at(c.span));
  if (!conn) return undefined;
  return { text: conn.raw, cwd: folderOf(doc), doc, end: conn.span.end, dir: doc.uri.scheme === 'file' ? dirname(doc.uri.fsPath) : undefined };
}

function fromCert(node: CertNode): Source | undefined {
  const { entry } = node;
  if (!entry.keyPath) {
    void vscode.window.showWarningMessage(
      vscode.l10n.t(
        '{0} has no key beside it (client.{1}.key): certificate login needs both. Create the client certificate again with its key.',
        entry.certFile,
        entry.name ?? '<user>',
      ),
    );
    return undefined;
  }
  const text = clusterStateUrl(node.parent.state, entry);
  return text ? { text, cwd: dirname(entry.certPath), dir: dirname(entry.certPath) } : undefined;
}

async function sourceOf(ctx: KitContext, arg: unknown, title: string): Promise<Source | undefined> {
  if (isConnRef(arg)) {
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(arg.uri));
    return fromDocument(ctx, doc, (s) => s.start === arg.start);
  }
  const node = arg as Node | undefined;
  if (node?.type === 'cert') return isClientCert(node) ? fromCert(node) : undefined;
  const editor = vscode.window.activeTextEditor;
  if (editor) {
    const at = editor.document.offsetAt(editor.selection.active);
    const hit = await fromDocument(ctx, editor.document, (s) => s.start <= at && at <= s.end);
    if (hit) return hit;
  }
  const certs = ctx.tree.allCertNodes().filter(isClientCert);
  if (certs.length === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('{0}: put the cursor on a connection string, or create a client certificate first.', title));
    return undefined;
  }
  const pick = await vscode.window.showQuickPick(
    certs.map((n) => ({ label: `${n.parent.state.cluster.name}: ${n.entry.certFile}`, description: n.entry.name ?? '', n })),
    { title, placeHolder: vscode.l10n.t('The client certificate to connect with') },
  );
  return pick ? fromCert(pick.n) : undefined;
}

type Choice<T> = vscode.QuickPickItem & { value: T };

/** The questions: which client, then (when there is a choice) what to do with the result. */
async function ask<T>(title: string, second: Choice<T>[]): Promise<{ client: ClientId; then: T } | undefined> {
  const { CLIENT_IDS } = await import('../../core/connstr/clients/types');
  const { CLIENTS } = await import('../../core/connstr/clients/table');
  const derives = { pem: '', pk8: ' · derives the key as DER PKCS#8 (.pk8)', p12: ' · derives a PKCS#12 identity (.p12)' };
  const clients: Choice<ClientId>[] = CLIENT_IDS.map((id) => ({
    label: id,
    description: `${CLIENTS[id].language}${derives[CLIENTS[id].keyFormat]}`,
    value: id,
  }));
  let client: ClientId | undefined;
  let then: T | undefined = second.length === 1 ? second[0].value : undefined;
  const total = second.length > 1 ? 2 : 1;
  const steps = [
    async (input: MultiStep) => {
      const r = await input.pick({ title, step: 1, totalSteps: total, placeholder: vscode.l10n.t('The client library or tool that connects'), items: clients });
      if (!isButton(r)) client = r.value;
    },
    ...(total === 2
      ? [
          async (input: MultiStep) => {
            const r = await input.pick({
              title,
              step: 2,
              totalSteps: 2,
              placeholder: vscode.l10n.t('What to do with the {0} result', client ?? ''),
              items: second,
            });
            if (!isButton(r)) then = r.value;
          },
        ]
      : []),
  ];
  const done = await MultiStep.run(steps, () => (client !== undefined && then !== undefined ? { client, then } : undefined));
  return done;
}

/** Builds the kit (lazily loaded core), with progress; the string's findings go to the log as warnings. */
async function build(ctx: KitContext, title: string, client: ClientId, src: Source): Promise<ClientKit | undefined> {
  const { buildClientKit, newKitPassword } = await import('../../core/connstr/clients/kit');
  try {
    const { kit } = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('{0}: building the {1} kit…', title, client) },
      () =>
        buildClientKit(client, src.text, {
          cwd: src.cwd,
          home: homedir(),
          now: new Date(),
          newPassword: newKitPassword,
          writesDerived: true,
          onFindings: (fs) => fs.forEach((f) => ctx.log.warn(`${title} (${client}): ${f.code}: ${f.message}`)),
        }),
    );
    for (const n of kit.notes) ctx.log.info(`${title} (${client}): note: ${n}`);
    return kit;
  } catch (err) {
    reportError(ctx.log, title, err);
    return undefined;
  }
}

const modeText = (f: KitFile) => `0${f.mode.toString(8)}`;

/**
 * Writes the kit's derived files next to the certificate, after a modal confirmation listing
 * them; refused in restricted mode. Undefined when they were needed and not written.
 */
async function writeDerived(ctx: KitContext, title: string, kit: ClientKit): Promise<string[] | undefined> {
  for (const f of kit.files.filter((x) => x.status === 'reused')) ctx.log.info(`${title} (${kit.client}): ${f.path} exists and is reused: ${f.purpose}`);
  // Files that go beside the program (Prisma's schema.prisma and .env) are written with it, when it is saved.
  const writes = kit.files.filter((f): f is KitFile & { data: Buffer } => f.status === 'write' && !!f.data && !f.beside);
  if (writes.length === 0) return [];
  const names = writes.map((f) => basename(f.path)).join(', ');
  if (!requireTrust(`${title}: writing ${names}`, 'write')) return undefined;
  const lines = writes.map((f) => `${f.path} (mode ${modeText(f)}${existsSync(f.path) ? ', replaces the file there' : ''}): ${f.purpose}`);
  if (!(await confirmation.ask(`Write ${names} for ${kit.client}`, lines))) return undefined;
  const { commitFiles } = await import('../../core/certsdir/write');
  try {
    // A derived file that no longer belongs to the certificate is backed up before it is replaced.
    const replaced = writes.filter((f) => existsSync(f.path)).map((f) => f.path);
    if (replaced.length) {
      const { createBackup, defaultBackupRoot } = await import('../../core/certsdir/rotate/backup');
      const dir = dirname(replaced[0]);
      const b = createBackup(defaultBackupRoot(dir), dir, 'connect', replaced, []);
      ctx.log.info(`${title} (${kit.client}): backed up ${replaced.join(', ')} to ${b.dir}`);
    }
    commitFiles(writes.map((f) => ({ path: f.path, data: f.data, mode: f.mode })));
  } catch (err) {
    reportError(ctx.log, title, err);
    return undefined;
  }
  for (const f of writes) ctx.log.info(`${title} (${kit.client}): wrote ${f.path} (mode ${modeText(f)}): ${f.purpose}`);
  return writes.map((f) => f.path);
}

/** Copy Connection for…: a client's snippet for the string, to the clipboard or into the document. */
export async function copyConnectionFor(ctx: KitContext, arg: unknown): Promise<CopyResult | undefined> {
  const title = vscode.l10n.t('Copy Connection for…');
  const src = await sourceOf(ctx, arg, title);
  if (!src) return undefined;
  const editor = vscode.window.activeTextEditor;
  const below = src.doc && src.end !== undefined;
  const places: Choice<'clipboard' | 'insert'>[] = [{ label: '$(clippy) Copy to the Clipboard', value: 'clipboard' }];
  if (below || editor) places.push({ label: below ? '$(insert) Insert Below the Connection String' : '$(insert) Insert at the Cursor', value: 'insert' });
  const answer = await ask(title, places);
  if (!answer) return undefined;
  const kit = await build(ctx, title, answer.client, src);
  if (!kit) return undefined;
  const written = await writeDerived(ctx, title, kit);
  if (!written) return undefined;
  if (answer.then === 'clipboard') {
    await vscode.env.clipboard.writeText(kit.snippet);
  } else {
    const we = new vscode.WorkspaceEdit();
    if (src.doc && src.end !== undefined) {
      const eol = src.doc.lineAt(src.doc.positionAt(src.end).line).range.end;
      we.insert(src.doc.uri, eol, `\n${kit.snippet.replace(/\n$/, '')}`);
    } else if (editor) we.insert(editor.document.uri, editor.selection.active, kit.snippet);
    if (!(await vscode.workspace.applyEdit(we))) {
      void vscode.window.showErrorMessage(vscode.l10n.t('{0}: the document could not be edited (read-only?); copy the snippet instead.', title));
      return undefined;
    }
  }
  ctx.log.info(`${title}: the ${kit.client} snippet ${answer.then === 'clipboard' ? 'was copied to the clipboard' : 'was inserted'}`);
  const done = answer.then === 'clipboard' ? `Copied the ${kit.client} connection.` : `Inserted the ${kit.client} connection.`;
  void vscode.window
    .showInformationMessage(`${done}${written.length ? ` Wrote ${written.map((p) => basename(p)).join(', ')}.` : ''}`, 'Show Notes')
    .then((c) => {
      if (c) ctx.log.show(true);
    });
  return { client: kit.client, snippet: kit.snippet, destination: answer.then, written };
}

/** Open Connection Check: the client's program in an editor (untitled, or saved after asking), with its run command. */
export async function openConnectionCheck(ctx: KitContext, arg: unknown): Promise<CheckResult | undefined> {
  const title = vscode.l10n.t('Open Connection Check');
  const src = await sourceOf(ctx, arg, title);
  if (!src) return undefined;
  const ways: Choice<'untitled' | 'save'>[] = [{ label: '$(new-file) Open in an Untitled Editor', value: 'untitled' }];
  if (isTrusted()) ways.push({ label: '$(save) Save to a File…', value: 'save' });
  const answer = await ask(title, ways);
  if (!answer) return undefined;
  const kit = await build(ctx, title, answer.client, src);
  if (!kit) return undefined;
  const written = await writeDerived(ctx, title, kit);
  if (!written) return undefined;
  const file = kit.programFile ?? 'connect.txt';
  let doc: vscode.TextDocument;
  if (answer.then === 'save') {
    const dir = src.dir ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? homedir();
    const target = await vscode.window.showSaveDialog({ title, defaultUri: vscode.Uri.file(join(dir, file)) });
    if (!target || !requireTrust(title, 'write')) return undefined;
    const { commitFiles } = await import('../../core/certsdir/write');
    const { programMode } = await import('../../core/connstr/clients/kit');
    const beside = kit.files
      .filter((f) => f.beside && f.data)
      .map((f) => ({ path: join(dirname(target.fsPath), basename(f.path)), data: f.data!, mode: f.mode }));
    try {
      commitFiles([{ path: target.fsPath, data: kit.program, mode: programMode(file) }, ...beside]);
    } catch (err) {
      reportError(ctx.log, title, err);
      return undefined;
    }
    written.push(target.fsPath, ...beside.map((f) => f.path));
    doc = await vscode.workspace.openTextDocument(target);
  } else {
    doc = await vscode.workspace.openTextDocument({ language: LANGUAGE_OF[extname(file)] ?? 'plaintext', content: kit.program });
  }
  await vscode.window.showTextDocument(doc, { preview: false });
  ctx.log.info(`${title} (${kit.client}): ${answer.then === 'save' ? `saved ${doc.uri.fsPath}` : `save the program as ${file}`}; run: ${kit.run}`);
  const where = answer.then === 'save' ? '' : ` (save it as ${file} first)`;
  void vscode.window.showInformationMessage(vscode.l10n.t('Run the {0} check{1}: {2}', kit.client, where, kit.run), 'Copy Run Command').then((c) => {
    if (c) void vscode.env.clipboard.writeText(kit.run);
  });
  return { client: kit.client, uri: doc.uri.toString(), run: kit.run, written };
}
