import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { embeddedCertAt } from '../../src/core/pki/embedded';
import { parseCertFile } from '../../src/core/pki/inspect';
import { makeCertsDir, CertsFixture } from '../support/certs';

describe('certificates written inside other files (embeddedCertAt)', () => {
  let fx: CertsFixture;
  let ca: string;
  let node: string;
  before(async () => {
    fx = await makeCertsDir();
    ca = readFileSync(join(fx.certsDir, 'ca.crt'), 'utf8');
    node = readFileSync(join(fx.certsDir, 'node.crt'), 'utf8');
  });
  const subjects = (b: Buffer) => {
    const r = parseCertFile(b, 'x.crt');
    assert.ok(r.ok, r.ok ? '' : r.error);
    return r.certs.map((c) => c.subject.split('\n').join(', '));
  };

  it('a PEM block, and a bundle of two written one after the other', () => {
    const text = `before\n${ca}${node}after`;
    const e = embeddedCertAt(text, text.indexOf('MII') + 10);
    assert.ok(e);
    assert.equal(e.encoding, 'pem');
    assert.deepEqual(subjects(e.bytes), ['O=Cockroach, CN=Cockroach CA', 'O=Cockroach, CN=node']);
    assert.equal(embeddedCertAt(text, 2), undefined);
    assert.equal(embeddedCertAt(text, text.length - 2), undefined);
  });

  it('a JSON string with \\n escapes, named by its key', () => {
    const text = JSON.stringify({ tls: { 'ca.crt': ca } }, null, 2);
    const e = embeddedCertAt(text, text.indexOf('MII') + 5);
    assert.ok(e);
    assert.equal(e.name, 'ca.crt');
    assert.deepEqual(subjects(e.bytes), ['O=Cockroach, CN=Cockroach CA']);
  });

  it("base64 of PEM and of DER in a Secret's data, named by the data key", () => {
    const der = parseCertFile(Buffer.from(node), 'node.crt');
    assert.ok(der.ok);
    const text = `data:\n  ca.crt: ${Buffer.from(ca).toString('base64')}\n  tls.crt: ${der.certs[0].raw.toString('base64')}\n`;
    const a = embeddedCertAt(text, text.indexOf('ca.crt: ') + 20);
    assert.equal(a?.name, 'ca.crt');
    assert.equal(a?.encoding, 'base64');
    assert.deepEqual(subjects(a.bytes), ['O=Cockroach, CN=Cockroach CA']);
    const b = embeddedCertAt(text, text.indexOf('tls.crt: ') + 20);
    assert.equal(b?.name, 'tls.crt');
    assert.equal(b?.bytes[0], 0x30);
    // Base64 that is not a certificate is not one.
    const junk = `key: ${Buffer.alloc(300, 7).toString('base64')}`;
    assert.equal(embeddedCertAt(junk, 20), undefined);
  });
});
