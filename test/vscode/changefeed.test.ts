import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeCertsDir } from '../support/certs';
import { decodeParam, rawQueryOf } from '../../src/core/changefeed/decode';
import { encodeFileParam } from '../../src/core/changefeed/encode';
import type { Api } from '../../src/extension/extension';
import type { BuilderPanel } from '../../src/extension/changefeed/panel';
import type { BuilderView } from '../../src/extension/changefeed/protocol';
import { startTlsServer } from '../support/tlsServer';
import { api, waitFor } from './support';

const DAY = 86_400_000;
const restricted = process.env.CRDB_TLS_TEST_RESTRICTED === '1';
const ws = () => vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';

function sinkDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'CockroachDB TLS' && String((d.code as { value: string }).value).startsWith('sink-'));
}

function codesOn(uri: vscode.Uri, line: number): string[] {
  return sinkDiagnostics(uri)
    .filter((d) => d.range.start.line === line)
    .map((d) => (d.code as { value: string }).value)
    .sort();
}

async function settled(doc: vscode.TextDocument, line: number, expected: string[]): Promise<void> {
  await waitFor(
    `line ${line + 1}: ${expected.join(',') || 'no findings'}`,
    () => JSON.stringify(codesOn(doc.uri, line)) === JSON.stringify([...expected].sort()),
    10_000,
  ).catch((err: Error) => {
    throw new Error(`${err.message}; got ${codesOn(doc.uri, line).join(',') || 'none'}`);
  });
}

async function hoverText(doc: vscode.TextDocument, pos: vscode.Position): Promise<string> {
  const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, pos);
  return hovers.flatMap((h) => h.contents.map((c) => (c instanceof vscode.MarkdownString ? c.value : String(c)))).join('\n');
}

async function applyFix(doc: vscode.TextDocument, line: number, code: string, title: RegExp): Promise<void> {
  const d = sinkDiagnostics(doc.uri).find((x) => x.range.start.line === line && (x.code as { value: string }).value === code);
  assert.ok(d, `no ${code} diagnostic on line ${line + 1}`);
  const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
    'vscode.executeCodeActionProvider',
    doc.uri,
    d.range,
    vscode.CodeActionKind.QuickFix.value,
  );
  const a = actions.find((x) => title.test(x.title));
  assert.ok(a?.edit, `no fix ${title} for ${code}; offered: ${actions.map((x) => x.title).join(' | ')}`);
  assert.ok(await vscode.workspace.applyEdit(a.edit));
}

/** Sends a message as the webview would and returns the state the extension computed for it. */
async function send(panel: BuilderPanel, msg: Parameters<BuilderPanel['receive']>[0]): Promise<BuilderView> {
  await panel.receive(msg);
  assert.ok(panel.view);
  return panel.view;
}

const codes = (v: BuilderView) => v.findings.map((f) => f.code).sort();

if (!restricted)
  describe('changefeed sink URIs: builder panel, hover, diagnostics, quick fixes', function () {
    let a: Api;
    let dir: string;
    let panel: BuilderPanel;
    const cert = (name: string) => join(dir, name);

    before(async () => {
      a = await api();
      dir = join(ws(), 'cdc', 'certs');
      await makeCertsDir({ certsDir: dir, users: ['root', 'alice'] });
      await vscode.commands.executeCommand('cockroachTls.refresh');
      await waitFor('the cdc certs in the tree', () => a.tree.allCertNodes().some((n) => n.entry.certPath === cert('client.alice.crt')));
    });

    after(async () => {
      a.changefeed.panel?.dispose();
      await vscode.workspace.saveAll(false);
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    });

    it('opens from a client certificate in the tree, prefilled with it, its key and the CA that issued it', async () => {
      const node = a.tree.allCertNodes().find((n) => n.entry.certPath === cert('client.root.crt'));
      assert.ok(node);
      // The context menu entry is there for client certificates (and not for a client CA).
      const menu = (
        vscode.extensions.getExtension('cockroach-tls.cockroach-tls')?.packageJSON.contributes.menus['view/item/context'] as { command: string; when: string }[]
      ).find((m) => m.command === 'cockroachTls.changefeedBuilder');
      const re = new RegExp(/viewItem =~ \/(.+)\/$/.exec(menu?.when ?? '')?.[1] ?? '^$');
      const contextValue = String(a.tree.getTreeItem(node).contextValue);
      assert.ok(re.test(contextValue), `${menu?.when} does not match ${contextValue}`);
      assert.ok(!re.test('cert.clientCa'));

      await vscode.commands.executeCommand('cockroachTls.changefeedBuilder', node);
      panel = await waitFor('the builder panel', () => a.changefeed.panel);
      assert.equal(panel.panel.viewType, 'cockroachTls.changefeedBuilder');
      assert.equal(panel.panel.title, 'Changefeed Sink URI');
      // The webview's script ran under its Content-Security-Policy (nonce) and asked for its state.
      await waitFor('the webview script to start', () => panel.ready, 30_000);
      assert.deepEqual([panel.form.clientCert, panel.form.clientKey, panel.form.caCert], [cert('client.root.crt'), cert('client.root.key'), cert('ca.crt')]);

      const html = panel.panel.webview.html;
      const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1] ?? '';
      assert.match(csp, /^default-src 'none'; /);
      assert.match(csp, /script-src 'nonce-[A-Za-z0-9+/=]{20,}'/);
      assert.ok(!/unsafe-inline|unsafe-eval/.test(csp), csp);
      assert.match(csp, new RegExp(`style-src ${panel.panel.webview.cspSource.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
      const refs = [...html.matchAll(/\b(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
      assert.equal(refs.length, 2);
      assert.ok(
        refs.every((r) => /media\/changefeed\/builder\.(js|css)$/.test(r)),
        refs.join(', '),
      );
      assert.ok(!/<script>|style="/.test(html), 'no inline script or style');
      assert.ok(panel.panel.webview.options.localResourceRoots?.every((u) => /\/media\/changefeed$/.test(u.path)));
    });

    it('shows the URI with secrets masked, the checks and the SQL as the fields are filled, and the webview draws them', async () => {
      let v = await send(panel, {
        type: 'change',
        form: { host: 'broker.example.com', port: '9093', tables: 'movr.public.rides, users', resolvedInterval: '10s' },
      });
      assert.ok(v.ok, JSON.stringify(v.findings));
      assert.match(v.displayUri, /^kafka:\/\/broker\.example\.com:9093\?tls_enabled=true&ca_cert=<\d+ chars>&client_cert=<\d+ chars>&client_key=redacted$/);
      assert.match(v.maskedUri, /client_key=redacted$/);
      assert.ok(v.maskedUri.includes(`ca_cert=${encodeFileParam(readFileSync(cert('ca.crt')))}&`));
      assert.deepEqual(codes(v), ['sink-keys-in-statement', 'sink-tls-enabled-auto']);
      assert.equal(v.findings.find((f) => f.code === 'sink-tls-enabled-auto')?.severity, 'info');
      assert.deepEqual(v.sql, [`CREATE CHANGEFEED FOR TABLE movr.public.rides, users INTO '${v.displayUri}' WITH updated, resolved = '10s';`]);
      assert.equal(v.sqlForm, 'direct');
      assert.deepEqual(
        v.certs.map((c) => [c.field, c.line.replace(/ · .*/, '')]),
        [
          ['caCert', 'CN=Cockroach CA, O=Cockroach (CA)'],
          ['clientCert', 'CN=root, O=Cockroach'],
          ['clientKey', 'RSA 2048 bits, matches client_cert'],
        ],
      );
      assert.match(v.certs[1].line, /issued by CN=Cockroach CA, O=Cockroach · expires \d{4}-\d\d-\d\d \((4 y 11 mo|5 y) left\)$/);
      // Pickers offer the clusters' certificates and keys from the tree.
      assert.ok(v.choices.ca.some((c) => c.path === cert('ca.crt')));
      assert.ok(v.choices.client.some((c) => c.path === cert('client.alice.crt')));
      assert.ok(v.choices.key.some((c) => c.path === cert('client.root.key')));
      // No secret in what the webview gets.
      const key = readFileSync(cert('client.root.key'));
      assert.ok(!JSON.stringify(v).includes(encodeFileParam(key)) && !JSON.stringify(v).includes(key.toString('base64').slice(0, 40)));
      const drawn = await waitFor('the webview to draw the state', () => panel.rendered?.uri === v.displayUri && panel.rendered);
      assert.equal(drawn.sql, v.sql.join('\n'));
      assert.equal(drawn.findings, 2);

      // The recommended form: an external connection, so that the key is not in the changefeed statement.
      v = await send(panel, { type: 'change', form: { externalConnection: 'kafka_sink' } });
      assert.equal(v.sqlForm, 'external');
      assert.deepEqual(v.sql, [
        `CREATE EXTERNAL CONNECTION kafka_sink AS '${v.displayUri}';`,
        "CREATE CHANGEFEED FOR TABLE movr.public.rides, users INTO 'external://kafka_sink' WITH updated, resolved = '10s';",
      ]);
      assert.deepEqual(codes(v), ['sink-tls-enabled-auto']);
      await waitFor('the webview to draw the external form', () => panel.rendered?.sql === v.sql.join('\n'));
    });

    it('reports the checks as they happen: wrong key, tls_enabled=false, bad port; a picked client cert brings its key', async () => {
      let v = await send(panel, { type: 'change', form: { clientKey: cert('client.alice.key') } });
      assert.equal(v.ok, false);
      const mismatch = v.findings.find((f) => f.code === 'sink-key-mismatch');
      assert.equal(mismatch?.field, 'clientKey');
      assert.match(mismatch?.message ?? '', /client\.alice\.key is not the private key of .*client\.root\.crt/);
      assert.deepEqual(v.sql, []);
      assert.equal(v.sqlHint, 'Fix the errors to get the SQL.');
      assert.match(v.certs.find((c) => c.field === 'clientKey')?.line ?? '', /does not match client_cert/);

      v = await send(panel, { type: 'change', form: { clientKey: cert('client.root.key'), tlsEnabled: 'false', port: '90x' } });
      assert.deepEqual(codes(v), ['sink-port-invalid', 'sink-tls-disabled', 'sink-tls-disabled']);

      // Choosing alice's certificate from the tree switches the paired key along with it.
      v = await send(panel, { type: 'change', form: { tlsEnabled: 'auto', port: '9093', clientCert: cert('client.alice.crt') } });
      assert.equal(panel.form.clientKey, cert('client.alice.key'));
      assert.ok(v.ok, JSON.stringify(v.findings));
      assert.match(v.certs.find((c) => c.field === 'clientCert')?.line ?? '', /^CN=alice/);
      await waitFor('the webview to get the paired key', () => panel.rendered?.uri === v.displayUri);

      // A webhook: https on its default port, a path, no Kafka parameters; back to Kafka, back to 9093.
      v = await send(panel, { type: 'change', form: { sinkType: 'webhook', path: '/cdc' } });
      assert.equal(panel.form.port, '');
      assert.match(v.displayUri, /^webhook-https:\/\/broker\.example\.com\/cdc\?ca_cert=<\d+ chars>&client_cert=<\d+ chars>&client_key=redacted$/);
      assert.ok(v.ok, JSON.stringify(v.findings));
      v = await send(panel, { type: 'change', form: { sinkType: 'kafka' } });
      assert.equal(panel.form.port, '9093');
      assert.match(v.displayUri, /^kafka:\/\/broker\.example\.com:9093\?tls_enabled=true&/);
    });

    it('inserts the SQL at the cursor of the last editor, which decodes back to the files', async () => {
      const file = join(ws(), 'cdc', 'feeds.sql');
      writeFileSync(file, '-- changefeeds\n');
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
      const editor = await vscode.window.showTextDocument(doc);
      editor.selection = new vscode.Selection(1, 0, 1, 0);
      const v = await waitFor('Insert to target feeds.sql', () => panel.view?.insertTarget === 'feeds.sql' && panel.view);
      assert.equal(v.sqlForm, 'external');

      await panel.receive({ type: 'insert' });
      const lines = doc.getText().split('\n');
      assert.equal(lines[0], '-- changefeeds');
      assert.match(lines[1], /^CREATE EXTERNAL CONNECTION kafka_sink AS 'kafka:\/\/broker\.example\.com:9093\?tls_enabled=true&ca_cert=/);
      assert.equal(lines[2], "CREATE CHANGEFEED FOR TABLE movr.public.rides, users INTO 'external://kafka_sink' WITH updated, resolved = '10s';");
      assert.equal(lines[3], '');
      const uri = /AS '([^']+)'/.exec(lines[1])?.[1] ?? '';
      for (const [p, f] of [
        ['ca_cert', 'ca.crt'],
        ['client_cert', 'client.alice.crt'],
        ['client_key', 'client.alice.key'],
      ]) {
        const d = decodeParam(rawQueryOf(uri).query, p);
        assert.ok(d.ok && d.bytes.equals(readFileSync(cert(f))), `${p} decodes to ${f}`);
      }
      // What the builder writes, the editor's checks accept.
      await settled(doc, 1, []);
      await doc.save();

      // Copy SQL puts the same statements on the clipboard.
      await panel.receive({ type: 'copy', what: 'sql' });
      assert.equal(await vscode.env.clipboard.readText(), `${lines[1]}\n${lines[2]}\n`);
    });

    it('keeps its state when hidden and shown again', async () => {
      // The editor above replaced the panel in its group: the webview was discarded.
      const before = panel.view;
      assert.ok(before);
      panel.rendered = undefined;
      panel.panel.reveal();
      const drawn = await waitFor('the webview to draw again', () => panel.rendered?.uri === before.displayUri && panel.rendered, 30_000);
      assert.equal(drawn.sql, before.sql.join('\n'));
      assert.equal(panel.form.host, 'broker.example.com');
    });

    it('live check: a TLS handshake with a broker that requires client certificates', async () => {
      const server = await startTlsServer({ key: readFileSync(cert('node.key')), cert: readFileSync(cert('node.crt')), ca: readFileSync(cert('ca.crt')) });
      try {
        const port = server.port;
        await send(panel, { type: 'change', form: { host: '127.0.0.1', port: String(port) } });
        await panel.receive({ type: 'liveCheck' });
        const live = panel.view?.live;
        assert.equal(live?.running, false);
        assert.equal(live?.category, 'ok', live?.message);
        assert.match(live?.message ?? '', new RegExp(`127\\.0\\.0\\.1:${port} accepted the client certificate and its certificate verifies with the CA`));
        await waitFor('the webview to show the result', () => /accepted the client certificate/.test(panel.rendered?.status ?? ''));
        assert.deepEqual(server.accepted, ['alice']);
      } finally {
        await server.close();
      }
    });

    it('hover and diagnostics in a .sql file: raw "+", missing tls_enabled, unpaired and expired certs, keys in a statement; quick fixes', async () => {
      // Base64 of PEM text never holds "+" (nor "/"); a comment before the block does: "~" at byte 14 encodes as "+".
      const ca = Buffer.concat([Buffer.from('# copied from ~/cdc/certs\n'), readFileSync(cert('ca.crt'))]);
      const raw = ca.toString('base64');
      assert.ok(raw.includes('+'), 'the CA file\'s base64 holds a "+"');
      // An expired client certificate, issued outside the workspace (the tree must not list it).
      const old = await makeCertsDir({ now: new Date(Date.now() - 400 * DAY), caLifetimeMs: 3000 * DAY, lifetimeMs: 30 * DAY });
      const oldCert = encodeFileParam(readFileSync(join(old.certsDir, 'client.root.crt')));
      const oldKeyParam = encodeFileParam(readFileSync(join(old.certsDir, 'client.root.key')));
      const rootCert = encodeFileParam(readFileSync(cert('client.root.crt')));
      const rootKey = encodeFileParam(readFileSync(cert('client.root.key')));

      const file = join(ws(), 'cdc', 'bad.sql');
      writeFileSync(
        file,
        [
          `CREATE CHANGEFEED FOR TABLE t INTO 'kafka://broker.example.com:9093?ca_cert=${raw}' WITH updated;`,
          `CREATE CHANGEFEED FOR TABLE t INTO 'kafka://broker.example.com:9093?tls_enabled=true&client_cert=${rootCert}';`,
          `CREATE EXTERNAL CONNECTION old_sink AS 'kafka://broker.example.com:9093?tls_enabled=true&client_cert=${oldCert}&client_key=${oldKeyParam}';`,
          `CREATE CHANGEFEED FOR TABLE t INTO 'kafka://broker.example.com:9093?tls_enabled=true&client_cert=${rootCert}&client_key=${rootKey}' WITH resolved;`,
          '',
        ].join('\n'),
      );
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
      await vscode.window.showTextDocument(doc);
      await settled(doc, 0, ['sink-param-plus', 'sink-tls-missing']);
      await settled(doc, 1, ['sink-cert-without-key']);
      await settled(doc, 2, ['sink-cert-expired']);
      await settled(doc, 3, ['sink-keys-in-statement']);
      const plus = sinkDiagnostics(doc.uri).find((d) => (d.code as { value: string }).value === 'sink-param-plus');
      assert.equal(plus?.severity, vscode.DiagnosticSeverity.Error);
      assert.equal(doc.getText(plus?.range), raw);
      assert.match(plus?.message ?? '', /a raw "\+" in a URL query reads as a space/);
      const tls = sinkDiagnostics(doc.uri).find((d) => (d.code as { value: string }).value === 'sink-tls-missing');
      assert.equal(doc.getText(tls?.range), 'ca_cert');
      assert.match(String((tls?.code as { target: vscode.Uri }).target), /^https:\/\/www\.cockroachlabs\.com\/docs\/stable\/changefeed-sinks/);

      // Hover: CockroachDB cannot decode ca_cert yet.
      let text = await hoverText(doc, new vscode.Position(0, 50));
      assert.match(text, /\*\*Changefeed sink URI\*\* \(Kafka, in CREATE CHANGEFEED\)/);
      assert.match(text, /\| host \| broker\.example\.com:9093 \|/);
      assert.match(text, /`ca_cert`: CockroachDB cannot decode it/);

      await applyFix(doc, 0, 'sink-param-plus', /Re-encode ca_cert/);
      assert.ok(doc.lineAt(0).text.includes(`ca_cert=${encodeFileParam(ca)}'`));
      await settled(doc, 0, ['sink-tls-missing']);
      text = await hoverText(doc, new vscode.Position(0, 50));
      assert.match(text, /\*\*ca_cert\*\* \(decoded\)/);
      assert.match(text, /CN=Cockroach CA, O=Cockroach \(CA\) · expires \d{4}-\d\d-\d\d, (9 y 1[01] mo|10 y) left/);
      assert.match(text, /SHA-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}/);
      await applyFix(doc, 0, 'sink-tls-missing', /Set tls_enabled=true/);
      assert.ok(doc.lineAt(0).text.endsWith("&tls_enabled=true' WITH updated;"));
      await settled(doc, 0, []);

      // The expired embedded certificate and the key, decoded in the hover.
      text = await hoverText(doc, new vscode.Position(2, 60));
      assert.match(text, /\(Kafka, in CREATE EXTERNAL CONNECTION\)/);
      assert.match(text, /\*\*client_cert\*\* \(decoded\)\n\n- CN=root, O=Cockroach · \*\*expired\*\* (1 y|11 mo|12 mo) ago/);
      assert.match(text, /\*\*client_key\*\* \(decoded\): RSA 2048 bits, matches client_cert/);
      assert.match(text, /\| client\\_key \| •••••• \(\d+ chars\) \|/);

      // Keys in a CREATE CHANGEFEED: move the URI into an external connection.
      await applyFix(doc, 3, 'sink-keys-in-statement', /Move the URI into CREATE EXTERNAL CONNECTION/);
      assert.match(
        doc.lineAt(3).text,
        /^CREATE EXTERNAL CONNECTION kafka_sink AS 'kafka:\/\/broker\.example\.com:9093\?tls_enabled=true&client_cert=.+&client_key=.+';$/,
      );
      assert.equal(doc.lineAt(4).text, "CREATE CHANGEFEED FOR TABLE t INTO 'external://kafka_sink' WITH resolved;");
      await settled(doc, 3, []);
      await settled(doc, 4, []);
      await doc.save();
    });
  });

if (restricted)
  describe('changefeed builder (restricted mode)', function () {
    it('builds URIs but refuses the live check, which connects over the network', async () => {
      const a = await api();
      assert.equal(vscode.workspace.isTrusted, false);
      await vscode.commands.executeCommand('cockroachTls.changefeedBuilder');
      const panel = await waitFor('the builder panel', () => a.changefeed.panel);
      await waitFor('the webview script to start', () => panel.ready, 30_000);
      const v = await send(panel, { type: 'change', form: { host: 'broker.example.com', port: '9093', tables: 't' } });
      assert.ok(v.ok, JSON.stringify(v.findings));
      assert.equal(v.trusted, false);
      assert.equal(v.displayUri, 'kafka://broker.example.com:9093');
      await panel.receive({ type: 'liveCheck' });
      assert.equal(panel.view?.live?.category, 'error');
      assert.match(panel.view?.live?.message ?? '', /trusted workspace/);
      panel.dispose();
    });
  });
