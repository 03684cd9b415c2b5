import { strict as assert } from 'node:assert';
import { parseCertFile } from '../../src/core/pki/inspect';
import { parseDn } from '../../src/core/pki/certinfo';
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
