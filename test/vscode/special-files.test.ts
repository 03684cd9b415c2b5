import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, lstatSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeCertsDir } from '../support/certs';
import type { Api } from '../../src/extension/extension';
import type { CertNode, ClusterNode } from '../../src/extension/tree';
import { api, items, label, tooltipText, waitFor } from './support';

const restricted = process.env.CRDB_TLS_TEST_RESTRICTED === '1';
const ws = () => vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';
/** The folder scripts/vscode/special-files.mjs makes before the workbench opens the workspace. */
const dir = () => join(ws(), 'special-files');
/** Far longer than any answer takes; a blocked extension host never answers. */
const ANSWER_MS = 5000;

function ours(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'CockroachDB TLS');
}

/** The runner makes these before opening the workspace; made here too when the run was given another workspace. */
function ensureSpecialFiles(): void {
  mkdirSync(join(dir(), 'certs'), { recursive: true });
  const fifo = join(dir(), 'certs', 'ca.crt');
  if (!existsSync(fifo)) assert.equal(spawnSync('mkfifo', [fifo]).status, 0, `mkfifo ${fifo}`);
  if (!existsSync(join(dir(), '.env')))
    writeFileSync(join(dir(), '.env'), 'DATABASE_URL=postgresql://root@localhost:26257/db?sslmode=verify-full&sslrootcert=/dev/zero\n');
}

/** Resolves with the value, or rejects when it takes longer than `ms`: the extension host must stay responsive. */
async function within<T>(what: string, ms: number, p: Thenable<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([Promise.resolve(p), late]);
  } finally {
    clearTimeout(timer);
  }
}

describe(`a workspace with a FIFO named ca.crt and a .env whose sslrootcert is /dev/zero${restricted ? ' (restricted mode)' : ''}`, function () {
  let a: Api;
  const fifoCluster = () => items(a).find((i) => /special-files\/certs$/.test(label(i.item)));
  const goodCluster = () => items(a).find((i) => /special-files\/good-certs$/.test(label(i.item)));

  before(async () => {
    ensureSpecialFiles();
    assert.ok(lstatSync(join(dir(), 'certs', 'ca.crt')).isFIFO(), 'special-files/certs/ca.crt is a FIFO');
    a = await api();
    // Normal certificates beside the FIFO (issued by another CA), a /dev/zero link named like a
    // client certificate, and a second, normal certs dir.
    const good = join(dir(), 'good-certs');
    await makeCertsDir({ certsDir: good, caKey: join(dir(), 'good-ca.key'), hosts: ['localhost'] });
    for (const n of ['node.crt', 'node.key', 'client.root.crt', 'client.root.key']) {
      copyFileSync(join(good, n), join(dir(), 'certs', n));
      chmodSync(join(dir(), 'certs', n), n.endsWith('.key') ? 0o600 : 0o644);
    }
    symlinkSync('/dev/zero', join(dir(), 'certs', 'client.zero.crt'));
    await within('cockroachTls.refresh', ANSWER_MS * 4, vscode.commands.executeCommand('cockroachTls.refresh'));
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('lists the certs dir: the FIFO ca.crt and the /dev/zero link are entries with an error, the other certificates are read', async () => {
    const c = await waitFor('the certs dir with the FIFO in the tree', fifoCluster);
    const kids = items(a, c.node);
    const by = (l: string) => kids.find((k) => label(k.item) === l);
    const ca = by('CA');
    assert.ok(ca, kids.map((k) => label(k.item)).join(', '));
    assert.match(String(ca.item.description), /unreadable · 1 problem/);
    assert.match(tooltipText(ca.item), /ca\.crt is a FIFO \(named pipe\), not a regular file/);
    const zero = by('Client: zero');
    assert.ok(zero, kids.map((k) => label(k.item)).join(', '));
    assert.match(tooltipText(zero.item), /client\.zero\.crt is a character device, not a regular file/);
    assert.match(String(by('Node')?.item.description), /^expires in (4 y 11 mo|5 y)$/);
    assert.match(String(by('Client: root')?.item.description), /^expires in (4 y 11 mo|5 y)$/);

    const g = await waitFor('the normal certs dir in the tree', goodCluster);
    assert.deepEqual(
      items(a, g.node).map((k) => label(k.item)),
      ['CA', 'Node', 'Client: root'],
    );
    assert.ok(items(a, g.node).every((k) => !/problem/.test(String(k.item.description))));
  });

  it('lints the .env: a file-unreadable finding naming /dev/zero', async () => {
    const uri = vscode.Uri.file(join(dir(), '.env'));
    const doc = await within('openTextDocument(.env)', ANSWER_MS, vscode.workspace.openTextDocument(uri));
    await vscode.window.showTextDocument(doc);
    const d = await waitFor('the file-unreadable diagnostic', () => ours(uri).find((x) => (x.code as { value: string }).value === 'file-unreadable'), 10_000);
    assert.match(d.message, /sslrootcert file \/dev\/zero cannot be read \(is a character device, not a regular file\)/);
    assert.equal(d.severity, vscode.DiagnosticSeverity.Error);
    assert.equal(doc.getText(d.range), '/dev/zero');
  });

  it('inspecting the FIFO ca.crt answers with the reason', async () => {
    const c = await waitFor('the certs dir with the FIFO', fifoCluster);
    const node = a.tree.getChildren(c.node as ClusterNode).find((n): n is CertNode => n.type === 'cert' && n.entry.usage === 'CA');
    assert.ok(node);
    await within('cockroachTls.inspectCertificate', ANSWER_MS, vscode.commands.executeCommand('cockroachTls.inspectCertificate', node));
    const shown = await waitFor('the certificate viewer', () => a.viewer.shown.get(node.entry.certPath), ANSWER_MS);
    assert.equal(shown.kind, 'unreadable');
    assert.match(shown.problems.join('\n'), /is a FIFO \(named pipe\), not a regular file/);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('the extension host stays responsive: commands answer at once', async () => {
    const all = await within('vscode.commands.getCommands', ANSWER_MS, vscode.commands.getCommands(true));
    assert.ok(all.includes('cockroachTls.refresh'));
    const t0 = Date.now();
    await within('cockroachTls.refresh', ANSWER_MS, vscode.commands.executeCommand('cockroachTls.refresh'));
    assert.ok(fifoCluster(), 'the tree still lists the certs dir after a refresh');
    const hovers = await within(
      'the hover on the .env',
      ANSWER_MS,
      vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', vscode.Uri.file(join(dir(), '.env')), new vscode.Position(0, 20)),
    );
    assert.ok(Array.isArray(hovers));
    console.log(`special files: refresh and hover answered in ${Date.now() - t0} ms`);
  });
});
