import { strict as assert } from 'node:assert';
import { sansCoverHost } from '../../src/core/pki/names';
import { cockroachRefusesKey, roleProblems, roleResults } from '../../src/core/cockroach/certrules';

describe("sansCoverHost: Go's x509 VerifyHostname", () => {
  const sans = { dns: ['*.db.example.com', 'Node1.Example.com', 'localhost'], ip: ['127.0.0.1', '::1'] };
  const cases: [string, boolean][] = [
    ['a.db.example.com', true],
    ['A.DB.example.com', true],
    ['db.example.com', false], // a wildcard covers exactly one label
    ['a.b.db.example.com', false],
    ['node1.example.com', true],
    ['node1.example.com.', true], // the host's trailing dot is ignored
    ['localhost', true],
    ['127.0.0.1', true],
    ['::1', true],
    ['[::1]', true],
    ['0:0:0:0:0:0:0:1', true],
    ['::ffff:127.0.0.1', true], // Go's net.IP.Equal: IPv4-mapped equals IPv4
    ['127.0.0.2', false],
    ['node', false], // the CN is never used
  ];
  for (const [host, want] of cases) it(`${host} → ${want}`, () => assert.equal(sansCoverHost(sans, host), want));
  it('an IP never matches a DNS SAN and a name never matches an IP SAN', () => {
    assert.equal(sansCoverHost({ dns: ['127.0.0.1'], ip: [] }, '127.0.0.1'), false);
    assert.equal(sansCoverHost({ dns: [], ip: ['127.0.0.1'] }, 'localhost'), false);
  });
  it('a partial wildcard is matched literally, as Go does', () => {
    assert.equal(sansCoverHost({ dns: ['a*.example.com'], ip: [] }, 'ab.example.com'), false);
  });
});

describe('certrules.roleProblems', () => {
  const now = new Date('2025-01-01T00:00:00Z');
  const base = {
    commonName: 'node',
    sans: { dns: ['localhost'], ip: [] },
    extKeyUsage: ['serverAuth', 'clientAuth'],
    keyUsage: ['digitalSignature', 'keyEncipherment'],
    isCA: false,
    publicKey: 'EC prime256v1',
    notBefore: new Date('2024-01-01T00:00:00Z'),
    notAfter: new Date('2026-01-01T00:00:00Z'),
  };
  const codes = (c: Partial<typeof base>, role: Parameters<typeof roleProblems>[1] = { as: 'node' }) =>
    roleProblems({ ...base, ...c }, role, { now }).map((p) => p.code);
  it('a node certificate cockroach would issue passes', () => assert.deepEqual(codes({}), []));
  it('serverAuth alone fails the node rule; no EKU extension allows any usage, as in Go', () => {
    assert.deepEqual(codes({ extKeyUsage: ['serverAuth'] }), ['eku']);
    assert.deepEqual(codes({ extKeyUsage: [] }), []);
  });
  it('principals, SANs, key types and validity', () => {
    assert.deepEqual(codes({ commonName: 'db' }), ['principal']);
    assert.deepEqual(codes({ sans: { dns: [], ip: [] } }), ['sans']);
    assert.deepEqual(codes({ publicKey: 'RSA 1024' }), ['key-type']);
    assert.deepEqual(codes({ publicKey: 'RSA 2048' }), []);
    assert.deepEqual(codes({ publicKey: 'ed25519' }), ['key-type']);
    assert.deepEqual(codes({ notAfter: new Date('2024-06-01T00:00:00Z') }), ['expired']);
    assert.deepEqual(codes({ commonName: 'alice', extKeyUsage: ['clientAuth'] }, { as: 'client', user: 'alice' }), []);
    assert.deepEqual(codes({}, { as: 'ca' }), ['ca', 'ca-key-usage']);
  });
  it('roleResults: the kept rules say what holds, the broken ones are roleProblems; UI and tenant client certificates too', () => {
    const kept = roleResults(base, { as: 'node' }, { now });
    assert.deepEqual(
      kept.map((r) => [r.code, r.ok]),
      [
        ['principal', true],
        ['eku', true],
        ['sans', true],
        ['key-type', true],
      ],
    );
    assert.match(kept[2].text, /^is localhost: every address clients and other nodes dial/);
    assert.equal(
      roleResults({ ...base, extKeyUsage: [] }, { as: 'node' }, { now })[1].text,
      'is absent: any purpose is allowed, including serverAuth and clientAuth',
    );
    assert.deepEqual(codes({ extKeyUsage: ['clientAuth'] }, { as: 'ui' }), ['eku']);
    assert.deepEqual(codes({ sans: { dns: [], ip: [] } }, { as: 'ui' }), ['sans']);
    assert.deepEqual(codes({ extKeyUsage: ['serverAuth'], commonName: 'x' }, { as: 'tenant-client' }), ['eku']);
    assert.deepEqual(codes({ commonName: 'x', sans: { dns: [], ip: [] } }, { as: 'tenant-client' }), []);
    assert.deepEqual(
      roleProblems(base, { as: 'client', user: 'bob' }, { now }).map((p) => p.problem),
      ['has principals ["node","localhost"], expected "bob": CockroachDB logs a client certificate in as its CN (or a DNS SAN)'],
    );
  });
  it('cockroachRefusesKey: what Go itself refuses, not what only some clients do', () => {
    for (const k of ['RSA 2048', 'RSA 1024', 'RSA 8192', 'EC prime256v1', 'EC secp521r1', 'ed25519']) assert.equal(cockroachRefusesKey(k), false, k);
    for (const k of ['RSA 512', 'RSA 16384', 'EC secp256k1', 'dsa']) assert.equal(cockroachRefusesKey(k), true, k);
  });
});
