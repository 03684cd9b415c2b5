import { strict as assert } from 'node:assert';
import { parseCertFile } from '../../src/core/pki/inspect';
import { parseDn } from '../../src/core/pki/certinfo';
import { NameAttribute, dnLine, nameRecord } from '../../src/core/pki/x509name';
import { randomSerialHex } from '../../src/core/pki/issue';

describe('certificate fields', () => {
  it('parses subjects as Node prints them', () => {
    assert.deepEqual(parseDn('O=Cockroach\nCN=node'), { O: 'Cockroach', CN: 'node' });
  });

  it('reports the loader errors for bad certificate files', () => {
    const bad = (text: string) => {
      const r = parseCertFile(Buffer.from(text), 'x.crt');
      assert.equal(r.ok, false);
      return r.ok ? '' : r.error;
    };
    assert.match(bad(''), /empty certificate file/);
    assert.match(bad('hello'), /no certificates found in x.crt/);
    assert.match(
      bad('-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n'),
      /block #0 in x.crt is of type RSA PRIVATE KEY, not CERTIFICATE/,
    );
    assert.match(bad('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'), /failed to parse certificate 0 in file x.crt/);
  });
});

describe('names: the one DN line and record (x509name)', () => {
  const a = (name: string, value: string): NameAttribute => ({ oid: '', name, value });
  // RDNs in DER order → the line (RFC 4514 order: last RDN first) and the record (CN: the last one, as Go reads it).
  const cases: [string, NameAttribute[][], string, Record<string, string>][] = [
    ["cockroach's names", [[a('O', 'Cockroach')], [a('CN', 'node')]], 'CN=node, O=Cockroach', { O: 'Cockroach', CN: 'node' }],
    [
      'a longer name, reversed whole',
      [[a('C', 'US')], [a('O', 'X')], [a('OU', 'Y')], [a('CN', 'z')]],
      'CN=z, OU=Y, O=X, C=US',
      { C: 'US', O: 'X', OU: 'Y', CN: 'z' },
    ],
    [
      'two CNs: the last one is the common name',
      [[a('O', 'Cockroach')], [a('CN', 'a')], [a('CN', 'b')]],
      'CN=b, CN=a, O=Cockroach',
      { O: 'Cockroach', CN: 'b' },
    ],
    ['two OUs are joined', [[a('OU', 'x')], [a('OU', 'y')], [a('CN', 'c')]], 'CN=c, OU=y, OU=x', { OU: 'x, y', CN: 'c' }],
    ['a multi-valued RDN', [[a('O', 'Cockroach')], [a('CN', 'n'), a('UID', '7')]], 'CN=n+UID=7, O=Cockroach', { O: 'Cockroach', CN: 'n', UID: '7' }],
    ['no name', [], '', {}],
  ];
  for (const [name, rdns, line, record] of cases) {
    it(name, () => {
      assert.equal(dnLine(rdns), line);
      assert.deepEqual(nameRecord(rdns), record);
    });
  }
});

describe('serial numbers', () => {
  it('are positive minimal DER integers of at most 128 bits', () => {
    assert.equal(
      randomSerialHex(() => Buffer.from('ff'.repeat(16), 'hex')),
      '00' + 'ff'.repeat(16),
    );
    assert.equal(
      randomSerialHex(() => Buffer.from('0001' + '11'.repeat(14), 'hex')),
      '01' + '11'.repeat(14),
    );
    assert.equal(
      randomSerialHex(() => Buffer.alloc(16)),
      '01',
    );
    for (let i = 0; i < 50; i++) {
      const s = randomSerialHex();
      assert.ok(s.length <= 34 && s.length % 2 === 0 && !/^00[0-7]/.test(s), s);
    }
  });
});
