import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { SSLMODES, effectiveSslmode, libpqDefaultRootcert, libpqDir, sslmodeVerifies } from '../../src/core/cockroach/sslmode';

describe('cockroach/sslmode: the effective sslmode per client family', () => {
  const url = { kind: 'url', context: 'generic' };
  const kv = { kind: 'kv', context: 'generic' };
  const jdbc = { kind: 'jdbc', context: 'generic' };
  const cli = { kind: 'url', context: 'cockroach-cli' };
  const cases: [string, { kind: string; context: string }, string | undefined, string | undefined, string, string, boolean, string][] = [
    // name, string, sslmode, ssl, mode, source, verifies, where the CA comes from
    ['libpq URL, no sslmode', url, undefined, undefined, 'prefer', 'libpq', false, 'sslrootcert'],
    ['libpq key=value, no sslmode', kv, undefined, undefined, 'prefer', 'libpq', false, 'sslrootcert'],
    ['pgjdbc, no sslmode', jdbc, undefined, undefined, 'prefer', 'pgjdbc', false, 'sslrootcert'],
    ['pgjdbc ssl=false', jdbc, undefined, 'false', 'prefer', 'pgjdbc', false, 'sslrootcert'],
    ['pgjdbc ssl=true', jdbc, undefined, 'true', 'verify-full', 'pgjdbc-ssl', true, 'sslrootcert'],
    ['ssl=true outside JDBC means nothing', url, undefined, 'true', 'prefer', 'libpq', false, 'sslrootcert'],
    ['cockroach CLI', cli, undefined, undefined, 'verify-full', 'cockroach-cli', true, 'certs-dir'],
    ['written sslmode wins', cli, 'require', undefined, 'require', 'string', false, 'sslrootcert'],
    ['written verify-ca', url, 'verify-ca', undefined, 'verify-ca', 'string', true, 'sslrootcert'],
    ['written over ssl=true', jdbc, 'disable', 'true', 'disable', 'string', false, 'sslrootcert'],
    ['written but empty', url, '', undefined, '', 'string', false, 'sslrootcert'],
  ];
  for (const [name, s, sslmode, ssl, mode, source, verifies, ca] of cases) {
    it(name, () => assert.deepEqual(effectiveSslmode(s, sslmode, ssl), { mode, source, verifies, ca }));
  }

  it('lists the six modes, weakest first; only verify-ca and verify-full verify', () => {
    assert.deepEqual(SSLMODES, ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full']);
    assert.deepEqual(
      SSLMODES.filter((m) => sslmodeVerifies(m)),
      ['verify-ca', 'verify-full'],
    );
    assert.equal(sslmodeVerifies(undefined), false);
    assert.equal(sslmodeVerifies('VERIFY-FULL'), false);
  });
});

describe("cockroach/sslmode: libpq's default sslrootcert", () => {
  const cases: [string, string, string | undefined, string, string][] = [
    // platform, home, APPDATA, dir, root.crt
    ['linux', '/home/u', undefined, join('/home/u', '.postgresql'), join('/home/u', '.postgresql', 'root.crt')],
    ['darwin', '/Users/u', 'ignored', join('/Users/u', '.postgresql'), join('/Users/u', '.postgresql', 'root.crt')],
    [
      'win32',
      'C:\\Users\\u',
      'C:\\Users\\u\\AppData\\Roaming',
      'C:\\Users\\u\\AppData\\Roaming\\postgresql',
      'C:\\Users\\u\\AppData\\Roaming\\postgresql\\root.crt',
    ],
  ];
  for (const [platform, home, appData, dir, root] of cases) {
    it(`${platform}: ${root}`, () => {
      assert.equal(libpqDir(home, platform, appData), dir);
      assert.equal(libpqDefaultRootcert(home, platform, appData), root);
    });
  }
});
