import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { makeCertsDir } from '../support/certs';
import { hashTree } from '../support/tmp';
import type { Api } from '../../src/extension/extension';
import type { ImportOutcome } from '../../src/extension/wizards/outsidePki';
import { answerInputs, api, items, label, waitFor } from './support';

const restricted = process.env.CRDB_TLS_TEST_RESTRICTED === '1';
const ws = () => vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';

function openssl(args: string[]): void {
  const r = spawnSync('openssl', args, { encoding: 'utf8' });
  assert.equal(r.status, 0, `openssl ${args.join(' ')}: ${r.stderr}`);
}

if (!restricted)
  describe('certificates from another CA: Create CSR and Import Certificate', function () {
    this.timeout(90_000);
    let a: Api;
    let certs: string;
    let caKey: string;
    const cluster = () => items(a).find((i) => /outside-ca/.test(label(i.item)));

    before(async () => {
      a = await api();
      certs = join(ws(), 'outside-ca', 'certs');
      caKey = join(ws(), 'outside-ca', 'ca.key');
      await makeCertsDir({ certsDir: certs, caKey, users: [] });
      await vscode.commands.executeCommand('cockroachTls.refresh');
      await waitFor('the outside-ca cluster', cluster);
      a.testing.confirmation.ask = async () => true;
    });

    it('creates an ECDSA client key and CSR, an outside CA signs it, and the import installs it', async () => {
      const answered = answerInputs(a, [{ pick: 'Client' }, 'Bob', { pick: 'ECDSA' }]);
      const written = (await vscode.commands.executeCommand('cockroachTls.createCsr', cluster()?.node)) as string[] | undefined;
      await answered;
      assert.deepEqual(written?.map((p) => p.slice(certs.length + 1)).sort(), ['client.bob.csr', 'client.bob.key']);
      assert.equal(statSync(join(certs, 'client.bob.key')).mode & 0o777, 0o600);
      assert.match(readFileSync(join(certs, 'client.bob.key'), 'utf8'), /BEGIN EC PRIVATE KEY/);
      // The CSR opens in the certificate viewer: its subject, a valid self-signature, the role it asks for.
      const csrPath = join(certs, 'client.bob.csr');
      await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(csrPath));
      const csr = await waitFor('the CSR in the viewer', () => a.viewer.shown.get(csrPath));
      assert.equal(csr.kind, 'csr');
      const rows = Object.fromEntries(csr.sections[0].rows.map((r) => [r.label, r]));
      assert.match(rows.Subject.value, /CN ?= ?bob/);
      assert.equal(rows.Signature.tone, 'ok', rows.Signature.value);
      assert.match(rows['Public key'].value, /EC|ECDSA|prime256v1|P-256/i);
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
      // The "corporate CA": openssl signs the request, keeping its extensions.
      const signed = join(ws(), 'outside-ca', 'bob-signed.crt');
      openssl([
        'x509',
        '-req',
        '-in',
        join(certs, 'client.bob.csr'),
        '-CA',
        join(certs, 'ca.crt'),
        '-CAkey',
        caKey,
        '-copy_extensions',
        'copy',
        '-days',
        '30',
        '-out',
        signed,
      ]);
      const r = (await vscode.commands.executeCommand('cockroachTls.importCertificate', cluster()?.node, {
        source: 'files',
        path: signed,
        role: { as: 'client', user: 'bob' },
      })) as ImportOutcome;
      assert.ok(r?.ok, JSON.stringify(r));
      assert.ok(existsSync(join(certs, 'client.bob.crt')));
      const bob = await waitFor('Client: bob in the tree', () => items(a, cluster()?.node).find((i) => label(i.item) === 'Client: bob'));
      assert.notEqual((bob.item.iconPath as vscode.ThemeIcon).id, 'error');
    });

    it('refuses a certificate that breaks a rule, says why, and writes nothing', async () => {
      const before = hashTree(certs);
      const r = (await vscode.commands.executeCommand('cockroachTls.importCertificate', cluster()?.node, {
        source: 'files',
        path: join(certs, 'node.crt'),
        key: join(certs, 'node.key'),
        role: { as: 'client', user: 'carol' },
      })) as ImportOutcome;
      assert.equal(r?.ok, false);
      assert.match(r && !r.ok ? r.failures.join('\n') : '', /carol/);
      assert.equal(hashTree(certs), before);
    });
  });

if (restricted)
  describe('certificates from another CA in restricted mode', function () {
    it('Create CSR and Import Certificate are refused and write nothing', async () => {
      const a = await api();
      const before = hashTree(ws());
      assert.equal(await vscode.commands.executeCommand('cockroachTls.createCsr', items(a)[0]?.node), undefined);
      assert.equal(
        await vscode.commands.executeCommand('cockroachTls.importCertificate', items(a)[0]?.node, { source: 'files', path: join(ws(), 'x.crt') }),
        undefined,
      );
      assert.equal(hashTree(ws()), before);
    });
  });
