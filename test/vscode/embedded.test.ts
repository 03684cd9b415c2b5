import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeCertsDir } from '../support/certs';
import { api } from './support';

const ws = () => vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';

async function hoverText(uri: vscode.Uri, pos: vscode.Position): Promise<string> {
  const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, pos);
  return hovers
    .flatMap((h) => h.contents)
    .map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))
    .join('\n');
}

describe('certificates inside any file: PEM blocks and base64 in Kubernetes Secrets', function () {
  this.timeout(60_000);
  let dir: string;

  before(async () => {
    await api();
    dir = join(ws(), 'embedded');
    mkdirSync(dir, { recursive: true });
    await makeCertsDir({ certsDir: join(dir, 'certs'), caKey: join(dir, 'ca.key') });
  });

  it('a Secret: base64 ca.crt and tls.crt decode to their subjects, the checks and the bad file name', async () => {
    const b64 = (f: string) => readFileSync(join(dir, 'certs', f)).toString('base64');
    const file = join(dir, 'secret.yaml');
    writeFileSync(
      file,
      [
        'apiVersion: v1',
        'kind: Secret',
        'metadata:',
        '  name: cockroachdb-node',
        'type: kubernetes.io/tls',
        'data:',
        `  ca.crt: ${b64('ca.crt')}`,
        `  tls.crt: ${b64('node.crt')}`,
        '',
      ].join('\n'),
    );
    const doc = await vscode.workspace.openTextDocument(file);
    const ca = await hoverText(doc.uri, new vscode.Position(6, 20));
    assert.match(ca, /ca\.crt: base64-encoded certificate/);
    assert.match(ca, /O ?= ?Cockroach, CN ?= ?Cockroach CA \(CA\)/);
    assert.match(ca, /expires in (9 y 1[01] mo|10 y)/);
    const tls = await hoverText(doc.uri, new vscode.Position(7, 30));
    assert.match(tls, /tls\.crt: base64-encoded certificate/);
    assert.match(tls, /CN ?= ?node/);
    assert.match(tls, /DNS:localhost, IP:127\.0\.0\.1/);
    assert.match(tls, /CockroachDB skips a file named tls\.crt/);
    // Not on a line that holds no certificate.
    assert.equal(await hoverText(doc.uri, new vscode.Position(3, 5)), '');
  });

  it('an indented PEM block in a YAML block scalar and one in Markdown', async () => {
    const pem = readFileSync(join(dir, 'certs', 'client.root.crt'), 'utf8');
    const file = join(dir, 'values.yaml');
    writeFileSync(
      file,
      [
        'tls:',
        '  client.root.crt: |',
        ...pem
          .trimEnd()
          .split('\n')
          .map((l) => `    ${l}`),
        '',
      ].join('\n'),
    );
    const doc = await vscode.workspace.openTextDocument(file);
    const text = await hoverText(doc.uri, new vscode.Position(4, 8));
    assert.match(text, /client\.root\.crt: certificate/);
    assert.match(text, /CN ?= ?root/);
    assert.match(text, /TLS Web Client Authentication/);
    const notes = join(dir, 'NOTES.md');
    writeFileSync(notes, ['# The CA', '', '```', readFileSync(join(dir, 'certs', 'ca.crt'), 'utf8').trimEnd(), '```', ''].join('\n'));
    const md = await vscode.workspace.openTextDocument(notes);
    assert.match(await hoverText(md.uri, new vscode.Position(5, 3)), /Cockroach CA \(CA\)/);
  });
});
