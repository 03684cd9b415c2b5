import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeCertsDir } from '../support/certs';
import { api, items, label, tooltipText, waitFor } from './support';

const restricted = process.env.CRDB_TLS_TEST_RESTRICTED === '1';
const ws = () => vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';

/** Our Problems on a file (other collections may report on it too). */
const problemsOn = (path: string) => vscode.languages.getDiagnostics(vscode.Uri.file(path)).filter((d) => d.source === 'CockroachDB TLS');

function openssl(args: string[]): void {
  const r = spawnSync('openssl', args, { encoding: 'utf8' });
  assert.equal(r.status, 0, `openssl ${args.join(' ')}: ${r.stderr}`);
}

/** A certs dir in the workspace whose node certificate and key are named as cert-manager names them: tls.crt, tls.key. */
async function certManagerNamed(name: string): Promise<string> {
  const dir = join(ws(), name, 'certs');
  mkdirSync(join(ws(), name), { recursive: true });
  await makeCertsDir({ certsDir: dir, caKey: join(ws(), name, 'ca.key'), users: [] });
  renameSync(join(dir, 'node.crt'), join(dir, 'tls.crt'));
  renameSync(join(dir, 'node.key'), join(dir, 'tls.key'));
  return dir;
}

async function codeActions(path: string): Promise<vscode.CodeAction[]> {
  await vscode.workspace.openTextDocument(vscode.Uri.file(path)); // the provider runs on the file's text model
  const r = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', vscode.Uri.file(path), new vscode.Range(0, 0, 0, 1));
  // The API command drops the actions' diagnostics: ours are the quick fixes with these titles.
  return (r ?? []).filter((a) => /^(Rename to|Import as) /.test(a.title));
}

const badNameProblem = (tls: string) => waitFor('the bad-filename Problem on tls.crt', () => problemsOn(tls).find((d) => d.code === 'bad-filename'));

if (!restricted)
  describe('certs dir Problems (trusted workspace)', function () {
    this.timeout(90_000);

    it('tls.crt in a certs dir: a Problem naming node.crt and Import Certificate; the rename quick fix clears it', async () => {
      const a = await api();
      const dir = await certManagerNamed('cm-named');
      const tls = join(dir, 'tls.crt');
      await vscode.commands.executeCommand('cockroachTls.refresh');
      const d = await badNameProblem(tls);
      assert.equal(d.severity, vscode.DiagnosticSeverity.Error);
      assert.equal(d.range.start.line, 0);
      assert.match(
        d.message,
        /^bad filename .*tls\.crt: unknown prefix "tls"; CockroachDB skips this file: it holds a node certificate, which CockroachDB loads as node\.crt; rename it to node\.crt and its key tls\.key to node\.key/,
      );
      assert.match(d.message, /Import Certificate… \(cockroachTls\.importCertificate\) checks it .* installs it as node\.crt\.$/);
      // The tree shows the same problem on the file's item.
      const cluster = await waitFor('the cm-named cluster', () => items(a).find((i) => /cm-named/.test(label(i.item))));
      const item = items(a, cluster.node).find((i) => label(i.item) === 'tls.crt');
      assert.ok(item, 'tls.crt in the tree');
      assert.match(String(item.item.description), /1 problem/);
      assert.ok(tooltipText(item.item).includes('CockroachDB loads as node.crt'));

      const actions = await codeActions(tls);
      assert.deepEqual(
        actions.map((x) => x.title),
        ['Rename to node.crt and node.key', 'Import as node.crt… (checks it first)'],
      );
      const imp = actions[1].command;
      assert.equal(imp?.command, 'cockroachTls.importCertificate');
      assert.deepEqual(imp?.arguments?.[1], { source: 'files', path: tls, role: { as: 'node' }, key: join(dir, 'tls.key') });

      const rename = actions[0].edit;
      assert.ok(rename);
      assert.ok(await vscode.workspace.applyEdit(rename));
      assert.ok(existsSync(join(dir, 'node.crt')) && existsSync(join(dir, 'node.key')) && !existsSync(tls));
      await vscode.commands.executeCommand('cockroachTls.refresh');
      await waitFor('the Problem to go', () => problemsOn(tls).length === 0);
      assert.deepEqual(problemsOn(join(dir, 'node.crt')), []);
      assert.deepEqual(problemsOn(join(dir, 'node.key')), []);
    });

    it('a certificate from another CA: its issuer on the item, each broken rule on the item, in the tooltip and in Problems', async () => {
      const a = await api();
      const root = join(ws(), 'other-issuer');
      const dir = join(root, 'certs');
      mkdirSync(root, { recursive: true });
      await makeCertsDir({ certsDir: dir, caKey: join(root, 'ca.key'), users: [] });
      // A corporate CA signs a "client" certificate with serverAuth only.
      const corpKey = join(root, 'corp.key');
      const corpCrt = join(root, 'corp.crt');
      openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', corpKey, '-subj', '/O=Corp/CN=Corp Issuing CA', '-days', '30', '-out', corpCrt]);
      const web = join(dir, 'client.web.crt');
      const webKey = join(dir, 'client.web.key');
      openssl(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', webKey, '-subj', '/O=Cockroach/CN=web', '-out', join(root, 'web.csr')]);
      const ext = join(root, 'web.ext');
      writeFileSync(ext, 'extendedKeyUsage=serverAuth\n');
      openssl([
        'x509',
        '-req',
        '-in',
        join(root, 'web.csr'),
        '-CA',
        corpCrt,
        '-CAkey',
        corpKey,
        '-set_serial',
        '0x1f',
        '-days',
        '30',
        '-extfile',
        ext,
        '-out',
        web,
      ]);
      chmodSync(webKey, 0o600);
      await vscode.commands.executeCommand('cockroachTls.refresh');
      const item = await waitFor('Client: web in the tree', () => {
        const c = items(a).find((i) => /other-issuer/.test(label(i.item)));
        return c && items(a, c.node).find((i) => label(i.item) === 'Client: web');
      });
      assert.match(String(item.item.description), /· 2 problems · issuer: Corp Issuing CA, not the cluster CA$/);
      const tip = tooltipText(item.item);
      assert.match(tip, /\*\*Issued by O=Corp, CN=Corp Issuing CA\*\*, not by the cluster CA of ca\.crt \(O=Cockroach, CN=Cockroach CA\)/);
      assert.match(tip, /extendedKeyUsage allows serverAuth but lacks clientAuth/);
      assert.match(tip, /does not chain to/);
      const codes = await waitFor('both Problems on client.web.crt', () => {
        const c = problemsOn(web).map((d) => String(d.code));
        return c.length === 2 && c;
      });
      assert.deepEqual(codes.sort(), ['chain', 'eku']);
    });
  });

if (restricted)
  describe('certs dir Problems (restricted mode)', function () {
    this.timeout(90_000);

    it('shows the tls.crt Problem without trust, and offers no rename (it writes files)', async () => {
      assert.equal(vscode.workspace.isTrusted, false);
      await api();
      const dir = await certManagerNamed('r-cm-named');
      const tls = join(dir, 'tls.crt');
      await vscode.commands.executeCommand('cockroachTls.refresh');
      const d = await badNameProblem(tls);
      assert.match(d.message, /CockroachDB loads as node\.crt/);
      assert.deepEqual(
        (await codeActions(tls)).map((x) => x.title),
        ['Import as node.crt… (checks it first)'],
      );
      // Renamed by hand: the Problem goes with the next listing.
      renameSync(tls, join(dir, 'node.crt'));
      renameSync(join(dir, 'tls.key'), join(dir, 'node.key'));
      await vscode.commands.executeCommand('cockroachTls.refresh');
      await waitFor('the Problem to go', () => problemsOn(tls).length === 0);
      assert.deepEqual(problemsOn(join(dir, 'node.crt')), []);
    });
  });
