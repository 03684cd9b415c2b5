import { strict as assert } from 'node:assert';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DerError,
  TAG,
  bitIsSet,
  childrenOf,
  decodeBitString,
  decodeBoolean,
  decodeOid,
  decodeString,
  decodeTime,
  integerHex,
  integerValue,
  readDer,
  readTlv,
} from '../../src/core/pki/asn1';
import {
  compactIpv6,
  decodeAuthorityKeyId,
  decodeBasicConstraints,
  decodeExtKeyUsage,
  decodeKeyUsage,
  decodePublicKeyInfo,
  decodeSubjectAltName,
  decodeSubjectKeyId,
  keyUsageNames,
  readCertificate,
  readExtensions,
} from '../../src/core/pki/x509der';
import { decodeName, formatName } from '../../src/core/pki/x509name';
import { extensionText, serialHex, serialText, signatureAlgorithmName } from '../../src/core/pki/x509text';
import { certInfo } from '../../src/core/pki/certinfo';
import { makeCertsDir } from '../support/certs';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

/** A DER element with the given identifier byte(s) and content, length in the minimal form. */
function tlv(id: number, content: Buffer): Buffer {
  const n = content.length;
  let len: Buffer;
  if (n < 0x80) len = Buffer.from([n]);
  else {
    const bytes: number[] = [];
    for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
    len = Buffer.from([0x80 | bytes.length, ...bytes]);
  }
  return Buffer.concat([Buffer.from([id]), len, content]);
}
const seq = (...parts: Buffer[]) => tlv(0x30, Buffer.concat(parts));

function encodeOid(oid: string): Buffer {
  const arcs = oid.split('.').map(BigInt);
  const out: number[] = [];
  for (const arc of [arcs[0] * 40n + arcs[1], ...arcs.slice(2)]) {
    const groups: number[] = [];
    let v = arc;
    do {
      groups.unshift(Number(v & 0x7fn));
      v >>= 7n;
    } while (v > 0n);
    out.push(...groups.map((g, i) => (i < groups.length - 1 ? g | 0x80 : g)));
  }
  return Buffer.from(out);
}

const throwsDer = (f: () => unknown, re: RegExp) => assert.throws(f, (err: unknown) => err instanceof DerError && re.test(err.message));

describe('DER reader', () => {
  it('reads short and long form lengths', () => {
    const short = readDer(hex('02 01 05'));
    assert.deepEqual([short.cls, short.constructed, short.tag, short.headerLength, short.value.length], ['universal', false, TAG.INTEGER, 2, 1]);
    const long1 = readDer(tlv(0x04, Buffer.alloc(0x80, 7)));
    assert.deepEqual([long1.headerLength, long1.value.length], [3, 0x80]);
    assert.equal(long1.raw.subarray(0, 3).toString('hex'), '048180');
    const long2 = readDer(tlv(0x04, Buffer.alloc(300, 1)));
    assert.deepEqual([long2.headerLength, long2.value.length], [4, 300]);
    assert.equal(long2.raw.subarray(0, 4).toString('hex'), '0482012c');
    const long3 = readDer(tlv(0x04, Buffer.alloc(70_000)));
    assert.deepEqual([long3.headerLength, long3.value.length], [5, 70_000]);
  });

  it('reads tag classes, constructed forms and high tag numbers', () => {
    const ctx = readDer(hex('a0 03 02 01 02'));
    assert.deepEqual([ctx.cls, ctx.constructed, ctx.tag], ['context', true, 0]);
    assert.equal(integerValue(childrenOf(ctx)[0]), 2n);
    assert.deepEqual([readDer(hex('41 00')).cls, readDer(hex('c1 00')).cls], ['application', 'private']);
    const high = readDer(hex('9f 64 01 aa'));
    assert.deepEqual([high.cls, high.tag, high.headerLength, high.value.toString('hex')], ['context', 100, 3, 'aa']);
    assert.equal(readDer(hex('9f 81 00 00')).tag, 128);
  });

  it('reads nested children with their offsets', () => {
    const outer = readDer(seq(hex('02 01 01'), seq(hex('01 01 ff'), hex('04 00')), hex('05 00')));
    const kids = childrenOf(outer);
    assert.deepEqual(
      kids.map((k) => [k.tag, k.offset]),
      [
        [TAG.INTEGER, 0],
        [TAG.SEQUENCE, 3],
        [TAG.NULL, 10],
      ],
    );
    const inner = childrenOf(kids[1]);
    assert.equal(decodeBoolean(inner[0]), true);
    assert.equal(inner[1].value.length, 0);
    assert.deepEqual(childrenOf(readDer(hex('30 00'))), []);
    throwsDer(() => childrenOf(kids[0]), /primitive, not constructed/);
  });

  it('throws on truncated input instead of reading past the end', () => {
    throwsDer(() => readTlv(Buffer.alloc(0)), /truncated DER: tag/);
    throwsDer(() => readTlv(hex('30')), /truncated DER: length/);
    throwsDer(() => readTlv(hex('30 05 02 01')), /truncated DER: content at offset 2 needs 5 byte\(s\), 2 left/);
    throwsDer(() => readTlv(hex('04 82 01')), /truncated DER: length/);
    throwsDer(() => readTlv(hex('9f 81')), /truncated DER: tag number/);
    throwsDer(() => readTlv(tlv(0x04, Buffer.alloc(300)).subarray(0, 299)), /truncated DER: content/);
    // A child that claims more than its parent holds.
    throwsDer(() => childrenOf(readDer(hex('30 03 02 05 00'))), /truncated DER/);
  });

  it('refuses what DER forbids', () => {
    throwsDer(() => readTlv(hex('30 80 00 00')), /indefinite length/);
    throwsDer(() => readTlv(hex('04 81 05 00 00 00 00 00')), /must use the short form/);
    throwsDer(() => readTlv(Buffer.concat([hex('04 82 00 80'), Buffer.alloc(0x80)])), /leading zero/);
    throwsDer(() => readTlv(hex('04 85 00 00 00 00 01 00')), /too large/);
    throwsDer(() => readTlv(hex('9f 1e 00')), /short form/);
    throwsDer(() => readTlv(hex('9f 80 01 00')), /leading zero/);
    throwsDer(() => readDer(hex('05 00 00')), /1 byte\(s\) after the end/);
  });

  it('decodes OIDs, including large arcs and the 2.x arc', () => {
    assert.equal(decodeOid(hex('2a 86 48 86 f7 0d 01 01 0b')), '1.2.840.113549.1.1.11');
    assert.equal(decodeOid(hex('55 1d 0f')), '2.5.29.15');
    assert.equal(decodeOid(hex('88 37')), '2.999');
    assert.equal(decodeOid(hex('00')), '0.0');
    const uuidOid = '2.25.329800735698586629295641978511506172918';
    assert.equal(decodeOid(encodeOid(uuidOid)), uuidOid);
    throwsDer(() => decodeOid(hex('2a 86')), /ends inside a sub-identifier/);
    throwsDer(() => decodeOid(hex('2a 80 01')), /leading zero/);
    throwsDer(() => decodeOid(Buffer.alloc(0)), /empty/);
  });

  it('decodes INTEGERs strictly, as hex and as signed values', () => {
    assert.equal(integerHex(readDer(hex('02 02 00 80'))), '0080');
    assert.equal(integerValue(readDer(hex('02 02 00 80'))), 128n);
    assert.equal(integerValue(readDer(hex('02 01 ff'))), -1n);
    assert.equal(integerValue(readDer(hex('02 02 ff 7f'))), -129n);
    throwsDer(() => integerHex(readDer(hex('02 02 00 01'))), /not minimally encoded/);
    throwsDer(() => integerHex(readDer(hex('02 02 ff 80'))), /not minimally encoded/);
    throwsDer(() => integerHex(readDer(hex('02 00'))), /empty INTEGER/);
    throwsDer(() => integerHex(readDer(hex('04 01 00'))), /should be INTEGER, found OCTET_STRING/);
    throwsDer(() => decodeBoolean(readDer(hex('01 01 01'))), /00 or FF/);
  });

  it('prints serials as openssl does', () => {
    assert.equal(serialText(readDer(hex('02 02 12 34'))), '4660 (0x1234)');
    assert.equal(serialText(readDer(hex('02 01 fb'))), '-5 (-0x5)');
    assert.equal(serialHex(readDer(hex('02 01 fb'))), '-05');
    const long = readDer(hex('02 12 00 dc 58 b9 82 21 ab 99 99 44 75 fb c3 c2 c1 cb c3 01'));
    assert.equal(serialText(long), 'dc:58:b9:82:21:ab:99:99:44:75:fb:c3:c2:c1:cb:c3:01');
    assert.equal(serialHex(long), 'DC58B98221AB99994475FBC3C2C1CBC301');
    assert.equal(serialText(readDer(hex('02 09 00 80 00 00 00 00 00 00 00'))), '80:00:00:00:00:00:00:00', '2^63 does not fit a long');
  });

  it('decodes BIT STRINGs with their unused bits', () => {
    const bs = decodeBitString(readDer(hex('03 03 07 a0 80')));
    assert.deepEqual(
      [0, 1, 2, 8, 9].map((i) => bitIsSet(bs, i)),
      [true, false, true, true, false],
    );
    assert.equal(bitIsSet(bs, 40), false);
    throwsDer(() => decodeBitString(readDer(hex('03 02 08 00'))), /8 unused bits/);
    throwsDer(() => decodeBitString(readDer(hex('03 01 01'))), /1 unused bits/);
    throwsDer(() => decodeBitString(readDer(hex('03 00'))), /no unused-bits byte/);
    throwsDer(() => decodeBitString(readDer(hex('03 02 01 01'))), /unused bits are not zero/);
  });

  it('decodes UTCTime and GeneralizedTime in UTC', () => {
    const t = (tag: number, s: string) => decodeTime(readDer(tlv(tag, Buffer.from(s, 'latin1'))));
    assert.equal(t(TAG.UTC_TIME, '491231235959Z').toISOString(), '2049-12-31T23:59:59.000Z');
    assert.equal(t(TAG.UTC_TIME, '500101000000Z').toISOString(), '1950-01-01T00:00:00.000Z');
    assert.equal(t(TAG.GENERALIZED_TIME, '20500101000000Z').toISOString(), '2050-01-01T00:00:00.000Z');
    assert.equal(t(TAG.GENERALIZED_TIME, '20240229120000.5Z').toISOString(), '2024-02-29T12:00:00.500Z');
    throwsDer(() => t(TAG.GENERALIZED_TIME, '20230229000000Z'), /not a valid date/);
    throwsDer(() => t(TAG.UTC_TIME, '240101000000+0100'), /not in the DER form/);
    throwsDer(() => t(TAG.UTC_TIME, '2401010000Z'), /not in the DER form/);
    throwsDer(() => t(TAG.INTEGER, '0'), /UTCTime or GeneralizedTime/);
  });

  it('decodes the string types of names and prints names as openssl does', () => {
    assert.equal(decodeString(readDer(tlv(TAG.BMP_STRING, Buffer.from('00 4a 00 e9'.replace(/ /g, ''), 'hex')))), 'Jé');
    assert.equal(decodeString(readDer(tlv(TAG.UTF8_STRING, Buffer.from('José')))), 'José');
    assert.equal(decodeString(readDer(tlv(TAG.T61_STRING, Buffer.from([0x4a, 0xe9])))), 'Jé');
    assert.equal(decodeString(readDer(tlv(TAG.UNIVERSAL_STRING, hex('00 01 f6 00')))), '\u{1f600}');
    throwsDer(() => decodeString(readDer(hex('02 01 00'))), /not a string type/);
    const atv = (oid: string, value: Buffer) => tlv(0x31, seq(tlv(0x06, encodeOid(oid)), value));
    const name = seq(
      atv('2.5.4.6', tlv(TAG.PRINTABLE_STRING, Buffer.from('US'))),
      atv('2.5.4.10', tlv(TAG.UTF8_STRING, Buffer.from('Acme, Inc.'))),
      tlv(
        0x31,
        Buffer.concat([
          seq(tlv(0x06, encodeOid('0.9.2342.19200300.100.1.1')), tlv(TAG.UTF8_STRING, Buffer.from('u'))),
          seq(tlv(0x06, encodeOid('0.9.2342.19200300.100.1.25')), tlv(TAG.IA5_STRING, Buffer.from('c'))),
        ]),
      ),
      atv('2.5.4.3', tlv(TAG.UTF8_STRING, Buffer.from('q"x\\'))),
      atv('1.2.3.4', tlv(TAG.UTF8_STRING, Buffer.from(' lead'))),
    );
    const rdns = decodeName(readDer(name));
    assert.equal(formatName(rdns), 'C = US, O = "Acme, Inc.", UID = u + DC = c, CN = q\\"x\\\\, 1.2.3.4 = " lead"');
    assert.equal(formatName(rdns, 'slash'), '/C=US/O=Acme, Inc./UID=u+DC=c/CN=q"x\\/1.2.3.4= lead');
  });

  it('writes IPv6 addresses the short way (RFC 5952)', () => {
    for (const [groups, text] of [
      [[0, 0, 0, 0, 0, 0, 0, 1], '::1'],
      [[0xfd00, 0, 0, 0, 0, 0, 0, 0xa], 'fd00::a'],
      [[0x2001, 0xdb8, 0, 0, 1, 0, 0, 1], '2001:db8::1:0:0:1'],
      [[1, 0, 2, 0, 3, 0, 4, 0], '1:0:2:0:3:0:4:0'],
      [[0, 0, 0, 0, 0, 0, 0, 0], '::'],
      [[1, 0, 0, 2, 0, 0, 0, 3], '1:0:0:2::3'],
    ] as const) {
      assert.equal(compactIpv6([...groups]), text, groups.join(','));
    }
  });
});

describe('certificate decoders, on certificates our core issues', function () {
  let ca: X509Certificate;
  let node: X509Certificate;
  let client: X509Certificate;
  before(async () => {
    const fx = await makeCertsDir({ users: ['root'], hosts: ['localhost', 'node1.example.com', '127.0.0.1', '::1'] });
    const load = (f: string) => new X509Certificate(readFileSync(join(fx.certsDir, f)));
    [ca, node, client] = [load('ca.crt'), load('node.crt'), load('client.root.crt')];
  });

  const ext = (c: X509Certificate, oid: string) => {
    const e = readExtensions(c.raw).find((x) => x.oid === oid);
    assert.ok(e, `extension ${oid}`);
    return e;
  };

  it('lists the extensions in order with their criticality', () => {
    assert.deepEqual(
      readExtensions(ca.raw).map((e) => [e.name, e.critical]),
      [
        ['X509v3 Key Usage', true],
        ['X509v3 Basic Constraints', true],
        ['X509v3 Subject Key Identifier', false],
      ],
    );
    assert.deepEqual(
      readExtensions(node.raw).map((e) => [e.name, e.critical]),
      [
        ['X509v3 Key Usage', true],
        ['X509v3 Extended Key Usage', false],
        ['X509v3 Authority Key Identifier', false],
        ['X509v3 Subject Alternative Name', false],
      ],
    );
  });

  it('names the key usage bits as openssl does, and as inspect.ts does', () => {
    assert.deepEqual(keyUsageNames(ca.raw), ['Digital Signature', 'Non Repudiation', 'Key Encipherment', 'Certificate Sign']);
    assert.deepEqual(keyUsageNames(node.raw), ['Digital Signature', 'Key Encipherment']);
    for (const c of [ca, node, client]) assert.deepEqual(keyUsageNames(c.raw, 'id'), certInfo(c).keyUsage);
    assert.deepEqual(certInfo(node).extKeyUsage, ['serverAuth', 'clientAuth']);
    assert.deepEqual(certInfo(client).extKeyUsage, ['clientAuth']);
    assert.deepEqual(certInfo(ca).extKeyUsage, []);
    assert.deepEqual(
      decodeKeyUsage(hex('03 02 00 ff')).map((b) => b.bit),
      [0, 1, 2, 3, 4, 5, 6, 7],
    );
    assert.deepEqual(
      decodeKeyUsage(hex('03 03 07 00 80')).map((b) => b.name),
      ['Decipher Only'],
    );
  });

  it('decodes extended key usage, basic constraints and key identifiers', () => {
    assert.deepEqual(
      decodeExtKeyUsage(ext(node, '2.5.29.37').value).map((e) => e.name),
      ['TLS Web Server Authentication', 'TLS Web Client Authentication'],
    );
    assert.deepEqual(decodeExtKeyUsage(ext(client, '2.5.29.37').value), [{ oid: '1.3.6.1.5.5.7.3.2', name: 'TLS Web Client Authentication' }]);
    assert.deepEqual(
      decodeExtKeyUsage(seq(tlv(0x06, encodeOid('1.3.6.1.5.5.7.3.3')), tlv(0x06, encodeOid('1.2.3.4')))).map((e) => e.name),
      ['Code Signing', '1.2.3.4'],
    );
    assert.deepEqual(decodeBasicConstraints(ext(ca, '2.5.29.19').value), { ca: true, pathLen: 1 });
    assert.deepEqual(decodeBasicConstraints(hex('30 00')), { ca: false });
    throwsDer(() => decodeBasicConstraints(hex('30 03 04 01 00')), /should be INTEGER/);
    const ski = decodeSubjectKeyId(ext(ca, '2.5.29.14').value);
    assert.match(ski, /^([0-9A-F]{2}:){19}[0-9A-F]{2}$/);
    assert.deepEqual(decodeAuthorityKeyId(ext(node, '2.5.29.35').value), { keyId: ski });
    assert.deepEqual(decodeAuthorityKeyId(ext(client, '2.5.29.35').value), { keyId: ski });
    assert.deepEqual(extensionText(ext(ca, '2.5.29.19')), ['CA:TRUE, pathlen:1']);
    // keyid, issuer and serial (sign pad dropped, as openssl prints it) on lines of their own.
    const name = seq(tlv(0x31, seq(tlv(0x06, encodeOid('2.5.4.3')), tlv(TAG.UTF8_STRING, Buffer.from('Old CA')))));
    const aki = seq(tlv(0x80, hex('0a0b')), tlv(0xa1, tlv(0xa4, name)), tlv(0x82, hex('00e501')));
    assert.deepEqual(decodeAuthorityKeyId(aki), { keyId: '0A:0B', issuer: [{ type: 'DirName', value: '/CN=Old CA' }], serial: 'E5:01' });
    assert.deepEqual(extensionText({ oid: '2.5.29.35', name: 'X509v3 Authority Key Identifier', critical: false, value: aki }), [
      'keyid:0A:0B',
      'DirName:/CN=Old CA',
      'serial:E5:01',
    ]);
    throwsDer(() => decodeAuthorityKeyId(seq(tlv(0x83, hex('00')))), /unexpected \[3\]/);
  });

  it('decodes the SANs as Node sees them, with IPv6 expanded and compact', () => {
    const sans = decodeSubjectAltName(ext(node, '2.5.29.17').value);
    assert.deepEqual(sans, [
      { type: 'DNS', value: 'localhost' },
      { type: 'DNS', value: 'node1.example.com' },
      { type: 'IP Address', value: '127.0.0.1', compact: '127.0.0.1' },
      { type: 'IP Address', value: '0:0:0:0:0:0:0:1', compact: '::1' },
    ]);
    assert.equal(node.subjectAltName, sans.map((s) => `${s.type}:${s.value}`).join(', '));
    assert.deepEqual(certInfo(node).sans, { dns: ['localhost', 'node1.example.com'], ip: ['127.0.0.1', '::1'], uri: [], email: [] });
    assert.deepEqual(certInfo(ca).sans, { dns: [], ip: [], uri: [], email: [] });
    assert.equal(certInfo(node).authorityKeyId, certInfo(ca).subjectKeyId);
    const other = decodeSubjectAltName(
      seq(
        tlv(0x86, Buffer.from('crdb://tenant/1/user/root')),
        tlv(0x81, Buffer.from('a@b.c')),
        tlv(0x88, encodeOid('1.2.3')),
        tlv(0x87, hex('0a000001ffffff00')),
      ),
    );
    assert.deepEqual(
      other.map((g) => `${g.type}:${g.value}`),
      ['URI:crdb://tenant/1/user/root', 'email:a@b.c', 'Registered ID:1.2.3', 'IP Address:<invalid length=8>'],
    );
    throwsDer(() => decodeSubjectAltName(seq(tlv(0xa2, Buffer.alloc(0)))), /must be primitive/);
  });

  it("reads the fields openssl shows, matching Node's X509Certificate", () => {
    for (const c of [ca, node, client]) {
      const s = readCertificate(c.raw);
      assert.equal(s.version, 3);
      assert.equal(serialHex(s.serial).replace(/^0+/, ''), c.serialNumber.replace(/^0+/, '').toUpperCase());
      assert.equal(s.notBefore.getTime(), Date.parse(c.validFrom));
      assert.equal(s.notAfter.getTime(), Date.parse(c.validTo));
      assert.equal(formatName(decodeName(s.subject), 'slash'), '/' + c.subject.split('\n').join('/'));
      assert.equal(signatureAlgorithmName(c.raw), 'sha256WithRSAEncryption');
      const pk = decodePublicKeyInfo(s.spki);
      assert.deepEqual(pk, { algorithm: 'rsaEncryption', bits: c.publicKey.asymmetricKeyDetails?.modulusLength, exponent: 65537 });
    }
    assert.equal(signatureAlgorithmName('1.2.840.10045.4.3.2'), 'ecdsa-with-SHA256');
    assert.equal(signatureAlgorithmName('1.2.3.4'), '1.2.3.4');
  });

  it('throws a DerError, never anything else, on every truncation and on corrupted bytes', () => {
    const der = node.raw;
    for (let n = 0; n < der.length; n++) {
      assert.throws(() => readCertificate(der.subarray(0, n)), DerError, `prefix of ${n} bytes`);
    }
    let seed = 42;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let i = 0; i < 3000; i++) {
      const bad = Buffer.from(der);
      for (let k = 0; k < 1 + (i % 4); k++) bad[rand() % bad.length] = rand() % 256;
      try {
        const s = readCertificate(bad);
        for (const e of s.extensions)
          try {
            extensionText(e);
          } catch (err) {
            assert.ok(err instanceof DerError, String(err));
          }
        decodePublicKeyInfo(s.spki);
        formatName(decodeName(s.subject));
      } catch (err) {
        assert.ok(err instanceof DerError, `corruption ${i}: ${String(err)}`);
      }
    }
    for (const garbage of [Buffer.from('hello world'), Buffer.from('-----BEGIN CERTIFICATE-----'), Buffer.alloc(64, 0xff)]) {
      assert.throws(() => readCertificate(garbage), DerError);
    }
  });
});
