import { strict as assert } from 'node:assert';
import { roleFromFilename, signingCaFileFor } from '../../src/core/cockroach/layout';

describe('certs dir file names (CertInfoFromFilename)', () => {
  it('recognises every usage', () => {
    assert.deepEqual(roleFromFilename('ca.crt'), { usage: 'CA' });
    assert.deepEqual(roleFromFilename('ca-client.crt'), { usage: 'Client CA' });
    assert.deepEqual(roleFromFilename('ca-ui.crt'), { usage: 'UI CA' });
    assert.deepEqual(roleFromFilename('node.crt'), { usage: 'Node' });
    assert.deepEqual(roleFromFilename('ui.crt'), { usage: 'UI' });
    assert.deepEqual(roleFromFilename('client.root.crt'), { usage: 'Client', name: 'root' });
    assert.deepEqual(roleFromFilename('client-tenant.10.crt'), { usage: 'Tenant Client', name: '10' });
  });

  it('takes the user as everything between the first and the last dot', () => {
    assert.deepEqual(roleFromFilename('client.app.reader.crt'), { usage: 'Client', name: 'app.reader' });
  });

  it('flags the names CockroachDB skips as bad filenames', () => {
    assert.match(roleFromFilename('ca.old.crt').badName ?? '', /should be ca\.crt/);
    assert.match(roleFromFilename('node.2.crt').badName ?? '', /should be node\.crt/);
    assert.match(roleFromFilename('client.crt').badName ?? '', /client\.<user>\.crt/);
    assert.deepEqual(roleFromFilename('root.crt'), { usage: 'Unknown', badName: 'unknown prefix "root"' });
  });
});

describe('which CA file signs which certificate (signingCaFileFor)', () => {
  const table: [string, string[], string | undefined][] = [
    ['node.crt', [], 'ca.crt'],
    ['node.crt', ['ca-client.crt', 'ca-ui.crt'], 'ca.crt'],
    ['client.root.crt', [], 'ca.crt'],
    ['client.root.crt', ['ca-client.crt'], 'ca-client.crt'],
    ['ui.crt', [], 'ca.crt'],
    ['ui.crt', ['ca-ui.crt'], 'ca-ui.crt'],
    ['client-tenant.7.crt', [], 'ca.crt'],
    ['client-tenant.7.crt', ['ca-client-tenant.crt'], 'ca-client-tenant.crt'],
    ['ca.crt', ['ca-client.crt'], undefined],
    ['ca-client.crt', [], undefined],
    ['tls.crt', [], undefined],
  ];
  for (const [file, present, want] of table) {
    it(`${file} with ${present.length ? present.join(', ') : 'no other CA file'} → ${want ?? 'none'}`, () => {
      assert.equal(
        signingCaFileFor(file, (n) => present.includes(n)),
        want,
      );
    });
  }
});
