/**
 * create-csr --overwrite's backup through the CLI: `cert backups` labels it "create-csr" (not
 * "import"), and `cert rollback` puts the old key and CSR back byte for byte.
 */
import { strict as assert } from 'node:assert';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { crdbTls, RunResult } from '../support/exec';
import { tmpDir } from '../support/tmp';

function ok(r: RunResult, what: string): RunResult {
  assert.equal(r.status, 0, `${what} failed (${r.status}): ${r.stderr}${r.stdout}`);
  return r;
}

describe('create-csr --overwrite: its backup in cert backups and cert rollback', function () {
  this.timeout(120_000);

  it('is listed as create-csr, and rollback restores the old key and CSR', () => {
    const d = join(tmpDir(), 'certs');
    mkdirSync(d, { mode: 0o700 });
    ok(crdbTls(['cert', 'create-csr', 'client', 'bob', '--certs-dir', d, '--key-type', 'ecdsa']), 'create-csr');
    const oldKey = readFileSync(join(d, 'client.bob.key'));
    const oldCsr = readFileSync(join(d, 'client.bob.csr'));
    ok(crdbTls(['cert', 'create-csr', 'client', 'bob', '--certs-dir', d, '--key-type', 'ecdsa', '--overwrite']), 'create-csr --overwrite');
    assert.notDeepEqual(readFileSync(join(d, 'client.bob.key')), oldKey);

    const list = JSON.parse(ok(crdbTls(['cert', 'backups', '--certs-dir', d, '--json']), 'backups --json').stdout) as { id: string; reason: string }[];
    assert.deepEqual(
      list.map((b) => b.reason),
      ['create-csr'],
    );
    const text = ok(crdbTls(['cert', 'backups', '--certs-dir', d]), 'backups').stdout;
    assert.match(text, new RegExp(`${list[0].id}\\s*\\|[^|]*\\|\\s*create-csr\\s*\\|`));

    ok(crdbTls(['cert', 'rollback', list[0].id, '--certs-dir', d]), 'rollback');
    assert.deepEqual(readFileSync(join(d, 'client.bob.key')), oldKey);
    assert.deepEqual(readFileSync(join(d, 'client.bob.csr')), oldCsr);
  });
});
