import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import {
  CLIENT_SSL_DEFAULTS,
  ClientFamilyId,
  DRIVER_FAMILIES,
  LIBPQ_DEFAULT_ROOTCERT,
  SSLMODES,
  clientDefaultsText,
  effectiveSslmode,
  libpqDefaultRootcert,
  libpqDir,
  rootcertDefaultText,
  sslVerificationLines,
  sslmodeVerifies,
} from '../../src/core/cockroach/sslmode';

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

describe('cockroach/sslmode: the defaults of each client family (one table)', () => {
  // family → sslmode and sslrootcert when the string names neither, from each client's source (see the table's comment).
  const rows: [ClientFamilyId, string, string][] = [
    ['libpq', 'prefer', '~/.postgresql/root.crt'],
    ['pgjdbc', 'prefer', '~/.postgresql/root.crt'],
    ['pgx', 'prefer', '~/.postgresql/root.crt'],
    ['lib-pq', 'require', "the system's CAs"],
    ['node-postgres', 'disable', "Node's bundled CAs"],
    ['cockroach-cli', 'verify-full', 'ca.crt of --certs-dir'],
  ];
  for (const [family, sslmode, rootcert] of rows) {
    it(`${family}: sslmode ${sslmode}, sslrootcert ${rootcert}`, () => {
      assert.equal(CLIENT_SSL_DEFAULTS[family].sslmode, sslmode);
      assert.equal(rootcertDefaultText(CLIENT_SSL_DEFAULTS[family].sslrootcert), rootcert);
    });
  }
  it('covers every family, and the effective-sslmode defaults come from it', () => {
    assert.deepEqual(Object.keys(CLIENT_SSL_DEFAULTS).sort(), rows.map((r) => r[0]).sort());
    assert.equal(effectiveSslmode({ kind: 'url', context: 'cockroach-cli' }, undefined, undefined).mode, CLIENT_SSL_DEFAULTS['cockroach-cli'].sslmode);
    assert.equal(effectiveSslmode({ kind: 'jdbc', context: 'generic' }, undefined, undefined).mode, CLIENT_SSL_DEFAULTS.pgjdbc.sslmode);
    assert.equal(LIBPQ_DEFAULT_ROOTCERT, '~/.postgresql/root.crt');
  });
  it('groups the drivers by value for a string whose client is not known', () => {
    assert.equal(
      clientDefaultsText('sslmode', DRIVER_FAMILIES),
      'libpq (psql, psycopg), pgjdbc, pgx: prefer; lib/pq: require; node-postgres: disable (no TLS)',
    );
    assert.equal(
      clientDefaultsText('sslrootcert', DRIVER_FAMILIES),
      "libpq (psql, psycopg), pgjdbc, pgx: ~/.postgresql/root.crt; lib/pq: the system's CAs; node-postgres: Node's bundled CAs",
    );
  });
});

describe('cockroach/sslmode: what a string verifies (the connection-string hover)', () => {
  const url = { kind: 'url', context: 'generic' };
  const cli = { kind: 'url', context: 'cockroach-cli' };
  const jdbc = { kind: 'jdbc', context: 'generic' };
  const cases: [string, { kind: string; context: string }, { sslmode?: string; ssl?: string; sslrootcert?: string }, string[]][] = [
    [
      'no sslmode, any driver: each default',
      url,
      {},
      [
        'TLS: depends on the driver (libpq (psql, psycopg), pgjdbc, pgx: prefer; lib/pq: require; node-postgres: disable (no TLS))',
        'Server identity: not verified',
        'Host name: not checked',
      ],
    ],
    [
      "the cockroach CLI without sslmode: verify-full against its certs dir's ca.crt (as lint reads it)",
      cli,
      {},
      [
        'TLS: required (sslmode=verify-full, the default of the cockroach CLI)',
        'Server identity: verified against ca.crt of --certs-dir',
        "Host name: checked against the node certificate's SANs",
      ],
    ],
    [
      'the cockroach CLI with its sslrootcert',
      cli,
      { sslrootcert: '/c/ca.crt' },
      [
        'TLS: required (sslmode=verify-full, the default of the cockroach CLI)',
        'Server identity: verified against /c/ca.crt',
        "Host name: checked against the node certificate's SANs",
      ],
    ],
    [
      'pgjdbc without sslmode: prefer',
      jdbc,
      {},
      ['TLS: only if the server offers it (sslmode=prefer, the default of pgjdbc)', 'Server identity: not verified', 'Host name: not checked'],
    ],
    [
      'pgjdbc ssl=true: verify-full against its default file',
      jdbc,
      { ssl: 'true' },
      [
        "TLS: required (sslmode=verify-full, pgjdbc's ssl=true)",
        'Server identity: verified against ~/.postgresql/root.crt',
        "Host name: checked against the node certificate's SANs",
      ],
    ],
    [
      'verify-ca written, no sslrootcert, any driver',
      url,
      { sslmode: 'verify-ca' },
      [
        'TLS: required (sslmode=verify-ca)',
        "Server identity: verified against the driver's default (libpq (psql, psycopg), pgjdbc, pgx: ~/.postgresql/root.crt; lib/pq: the system's CAs; node-postgres: Node's bundled CAs)",
        'Host name: not checked',
      ],
    ],
    [
      'require written',
      url,
      { sslmode: 'require', sslrootcert: '/c/ca.crt' },
      ['TLS: required (sslmode=require)', 'Server identity: not verified', 'Host name: not checked'],
    ],
    ['disable written', url, { sslmode: 'disable' }, ['TLS: none (sslmode=disable)', 'Server identity: not verified', 'Host name: not checked']],
  ];
  for (const [name, s, p, lines] of cases) it(name, () => assert.deepEqual(sslVerificationLines(s, p), lines));
});
