import { strict as assert } from 'node:assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCa, createClient } from '../../src/core/certsdir/create';
import { CertFileDescription, DescribedCert, describeCertFile, opensslDate } from '../../src/core/pki/describe';
import { splitPem, toPem } from '../../src/core/pki/pem';
import { CertsFixture, makeCertsDir } from '../support/certs';
import { openssl } from '../support/exec';
import { tmpDir } from '../support/tmp';

const DAY = 86_400_000;
const hexBuf = (h: string) => Buffer.from(h.replace(/ /g, ''), 'hex');

interface OpensslView {
  text: string;
  serial: string;
  fingerprint: string;
  notBefore: string;
  notAfter: string;
  /** Extension name → critical flag and value lines, from `openssl x509 -text`. */
  extensions: Map<string, { critical: boolean; lines: string[] }>;
}

/** What the openssl CLI says about one PEM certificate. */
function opensslView(pem: string): OpensslView {
  const x = (...args: string[]) => openssl(['x509', '-noout', ...args], { input: pem }).stdout;
  const text = x('-text');
  const extensions = new Map<string, { critical: boolean; lines: string[] }>();
  let current: { critical: boolean; lines: string[] } | undefined;
  let inExt = false;
  for (const line of text.split('\n')) {
    if (line === '        X509v3 extensions:') {
      inExt = true;
      continue;
    }
    if (!inExt) continue;
    if (/^ {4}\S/.test(line)) break; // "    Signature Algorithm:" ends the extensions
    const head = /^ {12}(\S.*?):( critical)?\s*$/.exec(line);
    if (head) extensions.set(head[1], (current = { critical: !!head[2], lines: [] }));
    else if (/^ {16}/.test(line) && current) current.lines.push(line.slice(16).trimEnd());
  }
  const after = (out: string) => out.trim().split('=').slice(1).join('=');
  const dates = x('-dates');
  return {
    text,
    extensions,
    serial: after(x('-serial')),
    fingerprint: after(x('-fingerprint', '-sha256')),
    notBefore: /notBefore=(.*)/.exec(dates)?.[1] ?? '',
    notAfter: /notAfter=(.*)/.exec(dates)?.[1] ?? '',
  };
}

function line(text: string, re: RegExp): string {
  const m = re.exec(text);
  assert.ok(m, `${re} in\n${text}`);
  return m[1].trim();
}

/** Every field our description shares with `openssl x509 -text`, compared one by one. */
function assertMatchesOpenssl(c: DescribedCert, pem: string, doc: string): void {
  const o = opensslView(pem);
  assert.equal(c.serialHex, o.serial, 'serial (-serial)');
  const serialLine = /Serial Number:(.*)\n(?: {12}(.*)\n)?/.exec(o.text);
  assert.equal(c.serialText, (serialLine?.[1].trim() || serialLine?.[2] || '').trim(), 'Serial Number');
  assert.equal(c.fingerprintSha256, o.fingerprint, 'SHA-256 fingerprint');
  assert.equal(opensslDate(new Date(c.notBefore)), o.notBefore, 'notBefore');
  assert.equal(opensslDate(new Date(c.notAfter)), o.notAfter, 'notAfter');
  assert.equal(`Version: ${c.version} (0x${c.version - 1})`, line(o.text, /^ +(Version: .*)$/m));
  assert.equal(c.signatureAlgorithm, line(o.text, /Signature Algorithm: (.*)/), 'signature algorithm');
  assert.equal(c.issuer, line(o.text, /Issuer: (.*)/), 'issuer');
  assert.equal(c.subject, line(o.text, /Subject: (.*)/), 'subject');
  assert.equal(c.publicKey.algorithm, line(o.text, /Public Key Algorithm: (.*)/), 'public key algorithm');
  const bits = /Public-Key: \((\d+) bit\)/.exec(o.text);
  if (bits) assert.equal(c.publicKey.bits, Number(bits[1]), 'public key size');
  const curve = /ASN1 OID: (.*)/.exec(o.text);
  if (curve) assert.equal(c.publicKey.curve, curve[1], 'curve');
  assert.deepEqual(
    c.extensions.map((e) => e.name),
    [...o.extensions.keys()],
    'extension names, in order',
  );
  for (const e of c.extensions) {
    const theirs = o.extensions.get(e.name);
    assert.ok(theirs);
    assert.equal(e.critical, theirs.critical, `${e.name} critical`);
    assert.deepEqual(e.lines, theirs.lines, e.name);
    // The document shows the same lines under the same heading.
    assert.ok(
      doc.includes(`        ${e.name}:${e.critical ? ' critical' : ''}\n${e.lines.map((l) => `            ${l}\n`).join('')}`),
      `${e.name} in the document`,
    );
  }
  for (const l of [
    `Serial Number:`,
    `Signature Algorithm: ${c.signatureAlgorithm}`,
    `Issuer: ${c.issuer}`,
    `Subject: ${c.subject}`,
    `Not Before: ${o.notBefore} (${c.notBefore})`,
    `Not After : ${o.notAfter} (${c.notAfter})`,
    `SHA-256 Fingerprint: ${o.fingerprint}`,
    c.serialText,
  ]) {
    assert.ok(doc.includes(l), `${l} in the document`);
  }
  if (bits) assert.ok(doc.includes(`Public-Key: (${bits[1]} bit)`));
}

function describe_(path: string, opts: { ca?: string; now?: Date; content?: Buffer } = {}): CertFileDescription {
  return describeCertFile({
    path,
    content: opts.content ?? readFileSync(path),
    now: opts.now ?? new Date(),
    clusterCa: opts.ca ? { path: opts.ca, content: readFileSync(opts.ca) } : undefined,
  });
}

const pemsOf = (path: string) => splitPem(readFileSync(path, 'latin1')).map((b) => toPem(b.type, b.der));

describe('Inspect Certificate document, cross-checked with the openssl CLI', function () {
  let a: CertsFixture;
  let b: CertsFixture;
  let caKey2: string;
  before(async () => {
    a = await makeCertsDir({ users: ['root'] });
    // B: a CA rotation in progress: ca.crt holds the new CA, then the old one that signed node.crt.
    b = await makeCertsDir({ users: ['root'], hosts: ['localhost', 'node1.example.com', '127.0.0.1', '::1'] });
    caKey2 = join(b.root, 'safe', 'ca2.key');
    await createCa({ certsDir: b.certsDir, caKey: caKey2, overwrite: true });
    await createClient({ certsDir: b.certsDir, caKey: caKey2, user: 'alice' });
  });

  it('shows every field of the CA, node and client certificates as openssl does', () => {
    for (const f of ['ca.crt', 'node.crt', 'client.root.crt']) {
      const path = join(a.certsDir, f);
      const d = describe_(path, { ca: join(a.certsDir, 'ca.crt') });
      assert.equal(d.ok, true, d.text);
      assert.equal(d.certs.length, 1);
      assertMatchesOpenssl(d.certs[0], readFileSync(path, 'latin1'), d.text);
    }
  });

  it('decodes the extensions openssl shows for our certificates', () => {
    const ca = describe_(join(a.certsDir, 'ca.crt')).certs[0];
    const node = describe_(join(a.certsDir, 'node.crt')).certs[0];
    const client = describe_(join(a.certsDir, 'client.root.crt')).certs[0];
    assert.deepEqual(ca.keyUsage, ['Digital Signature', 'Non Repudiation', 'Key Encipherment', 'Certificate Sign']);
    assert.deepEqual(ca.basicConstraints, { ca: true, pathLen: 1 });
    assert.deepEqual(node.extKeyUsage, ['TLS Web Server Authentication', 'TLS Web Client Authentication']);
    assert.deepEqual(client.extKeyUsage, ['TLS Web Client Authentication']);
    assert.equal(node.authorityKeyId, ca.subjectKeyId);
    assert.equal(client.authorityKeyId, ca.subjectKeyId);
    assert.deepEqual(
      node.sans.map((s) => s.compact ?? s.value),
      ['localhost', '127.0.0.1'],
    );
    assert.equal(node.publicKey.summary, 'RSA 2048 bit');
    assert.equal(node.commonName, 'node');
    assert.equal(client.commonName, 'root');
    assert.ok(ca.selfSigned && !node.selfSigned);
  });

  it('shows both certificates of a combined CA file, the signing one first', () => {
    const path = join(b.certsDir, 'ca.crt');
    const d = describe_(path, { ca: path });
    assert.equal(d.certs.length, 2);
    const pems = pemsOf(path);
    d.certs.forEach((c, i) => assertMatchesOpenssl(c, pems[i], d.text));
    assert.notEqual(d.certs[0].serial, d.certs[1].serial);
    assert.match(d.text, /Holds 2 certificates: CockroachDB signs new certificates with the first and trusts all of them\./);
    assert.match(d.text, /^Certificate 1 of 2 \(signs new certificates\)$/m);
    assert.match(d.text, /^Certificate 2 of 2 \(still trusted; no longer signs\)$/m);
    assert.equal(d.certs[0].chain.signedBy?.index, 0);
    assert.equal(d.certs[1].chain.signedBy?.index, 1);
    assert.match(d.certs[1].chain.text, /^self-signed; it is certificate 2 of 2 in /);
  });

  it('shows IPv6 SANs and the node checks for a node with several addresses', () => {
    const path = join(b.certsDir, 'node.crt');
    const d = describe_(path);
    assertMatchesOpenssl(d.certs[0], readFileSync(path, 'latin1'), d.text);
    assert.deepEqual(
      d.certs[0].sans.map((s) => s.compact ?? s.value),
      ['localhost', 'node1.example.com', '127.0.0.1', '::1'],
    );
    assert.match(d.text, /\[ok\] subjectAltName is localhost, node1\.example\.com, 127\.0\.0\.1, ::1:/);
  });

  it('names the CA certificate that signed each certificate', () => {
    const caA = join(a.certsDir, 'ca.crt');
    const caSerial = describe_(caA).certs[0].serial;
    for (const f of ['node.crt', 'client.root.crt']) {
      const c = describe_(join(a.certsDir, f), { ca: caA }).certs[0];
      assert.equal(c.chain.checked, true);
      assert.equal(c.chain.signedBy?.index, 0);
      assert.equal(c.chain.signedBy?.serial, caSerial);
      assert.equal(
        c.chain.text,
        `signed by certificate 1 of 1 in ${caA} (the one that signs new certificates): O = Cockroach, CN = Cockroach CA, serial ${caSerial}, valid until ${c.chain.signedBy?.notAfter}.`,
      );
    }
    // During the rotation the old node cert is signed by the second CA, the new client cert by the first.
    const caB = join(b.certsDir, 'ca.crt');
    const bundle = describe_(caB).certs;
    const oldNode = describe_(join(b.certsDir, 'node.crt'), { ca: caB });
    assert.equal(oldNode.certs[0].chain.signedBy?.index, 1);
    assert.equal(oldNode.certs[0].chain.signedBy?.serial, bundle[1].serial);
    assert.match(
      oldNode.text,
      new RegExp(`Certificate 1 \\(CN = node\\): signed by certificate 2 of 2 in .*ca\\.crt: O = Cockroach, CN = Cockroach CA, serial ${bundle[1].serial}`),
    );
    const alice = describe_(join(b.certsDir, 'client.alice.crt'), { ca: caB });
    assert.equal(alice.certs[0].chain.signedBy?.index, 0);
    assert.equal(alice.certs[0].chain.signedBy?.serial, bundle[0].serial);
    // openssl agrees.
    assert.match(openssl(['verify', '-CAfile', caB, join(b.certsDir, 'node.crt')]).stdout, /OK/);
  });

  it('says plainly when the cluster CA did not sign a certificate, and what to do', () => {
    const caB = join(b.certsDir, 'ca.crt');
    const d = describe_(join(a.certsDir, 'node.crt'), { ca: caB });
    const c = d.certs[0];
    assert.equal(c.chain.checked, true);
    assert.equal(c.chain.signedBy, undefined);
    assert.match(c.chain.text, /^NOT signed by any of the 2 certificates in .*ca\.crt \(its issuer is O = Cockroach, CN = Cockroach CA\)\./);
    assert.match(c.chain.text, /has the issuer's name, but its key did not sign this certificate/);
    assert.match(
      c.chain.text,
      /reissue it with the key of the first certificate of ca\.crt \("crdb-tls cert create-node <hosts> --ca-key <ca\.key> --overwrite"\)/,
    );
    assert.match(d.text, /^Chain \(against .*ca\.crt, 2 certificates\)$/m);
    // openssl agrees.
    assert.notEqual(openssl(['verify', '-CAfile', caB, join(a.certsDir, 'node.crt')], { allowFail: true }).status, 0);
  });

  it('shows a foreign ECDSA certificate with every extension openssl decodes', () => {
    const dir = tmpDir();
    const cnf = join(dir, 'ext.cnf');
    writeFileSync(
      cnf,
      [
        '[req]',
        'distinguished_name=dn',
        '[dn]',
        '[v3]',
        'basicConstraints=critical,CA:FALSE',
        'keyUsage=critical,digitalSignature,keyAgreement,decipherOnly',
        'extendedKeyUsage=serverAuth,clientAuth,codeSigning,1.2.3.4.5,OCSPSigning,emailProtection,timeStamping,anyExtendedKeyUsage',
        'subjectAltName=DNS:db.example.com,IP:::1,IP:fd00::a,IP:10.0.0.1,URI:crdb://tenant/1/user/root,email:ops@example.com,dirName:dir_sect,RID:1.2.3.4',
        'subjectKeyIdentifier=hash',
        'authorityKeyIdentifier=keyid:always,issuer:always',
        'crlDistributionPoints=URI:http://crl.example.com/ca.crl',
        'authorityInfoAccess=OCSP;URI:http://ocsp.example.com,caIssuers;URI:http://ca.example.com/ca.crt',
        '[dir_sect]',
        'O=Acme',
        'CN=Dir, Name',
        '',
      ].join('\n'),
    );
    const crt = join(dir, 'node.crt');
    openssl([
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      join(dir, 'k.pem'),
      '-out',
      crt,
      '-subj',
      '/C=US/O=Acme, Inc./CN=node',
      '-days',
      '30',
      '-config',
      cnf,
      '-extensions',
      'v3',
      '-sha256',
    ]);
    const d = describe_(crt, { ca: join(a.certsDir, 'ca.crt') });
    const c = d.certs[0];
    assertMatchesOpenssl(c, readFileSync(crt, 'latin1'), d.text);
    assert.equal(c.signatureAlgorithm, 'ecdsa-with-SHA256');
    assert.deepEqual([c.publicKey.bits, c.publicKey.curve, c.publicKey.nistCurve, c.publicKey.summary], [256, 'prime256v1', 'P-256', 'EC P-256 (256 bit)']);
    assert.ok(c.extKeyUsage.includes('1.2.3.4.5'));
    assert.deepEqual(
      c.sans.filter((s) => s.type === 'IP Address').map((s) => [s.value, s.compact]),
      [
        ['0:0:0:0:0:0:0:1', '::1'],
        ['FD00:0:0:0:0:0:0:A', 'fd00::a'],
        ['10.0.0.1', '10.0.0.1'],
      ],
    );
    assert.match(c.chain.text, /^NOT signed by the certificate in /);
    assert.ok(c.status === 'expiring' && c.daysLeft >= 29, c.statusText); // leaf with under 90 days left
  });

  it('reports expiry status and the share of the lifetime used, in UTC', () => {
    const path = join(a.certsDir, 'node.crt');
    const base = describe_(path).certs[0];
    const nb = Date.parse(base.notBefore);
    const na = Date.parse(base.notAfter);
    const at = (ms: number) => describe_(path, { now: new Date(ms) });
    const mid = at(nb + (na - nb) / 2);
    assert.equal(mid.certs[0].lifetimeUsedPercent, 50);
    assert.match(mid.text, /Lifetime used: 50% \(1831 days in all\)/);
    assert.equal(mid.certs[0].status, 'ok');
    const soon = at(na - 30 * DAY + 1000).certs[0];
    assert.deepEqual([soon.status, soon.daysLeft, soon.statusText], ['expiring', 29, 'expiring (29 d left)']);
    const gone = at(na + 3 * DAY);
    assert.deepEqual([gone.certs[0].status, gone.certs[0].statusText, gone.certs[0].lifetimeUsedPercent], ['expired', 'expired (3 d ago)', 100]);
    assert.match(gone.text, /Status: expired \(3 d ago\) — TLS handshakes with it fail; reissue it/);
    const early = at(nb - DAY).certs[0];
    assert.deepEqual([early.status, early.lifetimeUsedPercent], ['not-yet-valid', 0]);
    assert.match(at(Date.UTC(2030, 0, 2, 3, 4, 5)).text, /^As of: 2030-01-02 03:04:05 UTC$/m);
    // A CA uses the CA threshold (a year).
    const caPath = join(a.certsDir, 'ca.crt');
    const ca = describe_(caPath).certs[0];
    assert.equal(describe_(caPath, { now: new Date(Date.parse(ca.notAfter) - 200 * DAY) }).certs[0].status, 'expiring');
  });

  it('says what the certificate means for CockroachDB and checks it', () => {
    const node = describe_(join(a.certsDir, 'node.crt'));
    assert.match(node.text, /^CockroachDB role: node certificate \(node\.crt\)$/m);
    assert.match(node.text, /Its CN must be node, its extended key usage must/);
    assert.ok(
      node.certs[0].checks.every((ch) => ch.ok),
      JSON.stringify(node.certs[0].checks),
    );
    const client = describe_(join(a.certsDir, 'client.root.crt'));
    assert.match(client.text, /^CockroachDB role: client certificate for SQL user "root" \(client\.root\.crt\)$/m);
    assert.match(client.text, /The CN is the SQL user it logs in as \(root\)/);
    assert.match(client.text, /\[ok\] subject CN is "root": it logs in as SQL user root/);
    const ca = describe_(join(a.certsDir, 'ca.crt'));
    assert.match(ca.text, /^CockroachDB role: cluster CA certificate \(ca\.crt\)$/m);
    assert.match(ca.text, /New certificates are signed by the\s+first one/);
    assert.match(ca.text, /\[ok\] basicConstraints is CA:TRUE: a CA certificate/);

    // A client cert under another user's name, and one put where node.crt belongs.
    const clientPem = readFileSync(join(a.certsDir, 'client.root.crt'));
    const wrongUser = describeCertFile({ path: '/x/client.bob.crt', content: clientPem, now: new Date() });
    assert.match(
      wrongUser.text,
      /\[problem\] subject CN has principals \["root"\], expected "bob": CockroachDB logs a client certificate in as its CN .*; rename the file to client\.root\.crt/,
    );
    const asNode = describeCertFile({ path: '/x/node.crt', content: clientPem, now: new Date() });
    assert.match(asNode.text, /\[problem\] subject CN has principals \["root"\], expected "node"/);
    assert.match(asNode.text, /\[problem\] extendedKeyUsage allows clientAuth but lacks serverAuth: a node is a TLS server/);
    assert.match(asNode.text, /\[problem\] subjectAltName has no DNS or IP SANs/);
    const nodeAsCa = describeCertFile({ path: '/x/ca.crt', content: readFileSync(join(a.certsDir, 'node.crt')), now: new Date() });
    assert.match(nodeAsCa.text, /\[problem\] basicConstraints is not a CA certificate/);
    // An explicit usage wins over the file name.
    assert.equal(describeCertFile({ path: '/x/whatever.pem', content: clientPem, now: new Date(), usage: 'Client' }).usage, 'Client');
  });

  it('explains bad input instead of throwing', () => {
    const now = new Date();
    const d = (content: Buffer | string, path = '/x/node.crt') => describeCertFile({ path, content: Buffer.from(content), now });
    const cases: [Buffer | string, RegExp][] = [
      ['', /Problem: empty certificate file: node\.crt is empty; issue it again or restore it from a backup\./],
      ['hello', /Problem: no certificates found in node\.crt: it holds no PEM "BEGIN CERTIFICATE" block/],
      [readFileSync(join(a.certsDir, 'node.key')), /Problem: block #0 in node\.crt is of type RSA PRIVATE KEY, not CERTIFICATE: keep keys in \.key files/],
      ['-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n', /Problem: failed to parse certificate 0 in file node\.crt/],
      [Buffer.from([0x30, 0x82, 0x01]), /Problem: no certificates found/],
    ];
    for (const [content, re] of cases) {
      const r = d(content);
      assert.equal(r.ok, false);
      assert.match(r.text, re);
      assert.match(r.text, /^Certificate file: \/x\/node\.crt\nCockroachDB role: node certificate \(node\.crt\)\n/);
    }
    const key = d(readFileSync(join(a.certsDir, 'node.key')), '/x/node.key');
    assert.match(key.text, /CockroachDB role: not a CockroachDB certificate file name \(node\.key\)/);

    // DER is described, with the fix to convert it.
    const der = Buffer.from(splitPem(readFileSync(join(a.certsDir, 'node.crt'), 'latin1'))[0].der);
    const fromDer = d(der, '/x/node.der');
    assert.equal(fromDer.ok, true);
    assert.match(fromDer.text, /Problem: node\.der is a DER \(binary\) certificate, but CockroachDB reads PEM only: convert it with "openssl x509 -inform der/);
    assert.equal(fromDer.certs[0].commonName, 'node');

    // Damage our strict reader refuses but Node accepts: one extension, or the whole DER view.
    const kuAt = der.indexOf(hexBuf('03 02 05 a0'));
    assert.ok(kuAt > 0);
    const badKu = Buffer.from(der);
    badKu[kuAt + 2] = 8; // 8 unused bits
    const ku = d(toPem('CERTIFICATE', badKu));
    assert.equal(ku.ok, true);
    assert.match(ku.text, /X509v3 Key Usage: critical\n {12}<could not decode: bad DER: BIT STRING with 8 unused bits>\n/);
    assert.match(ku.text, /X509v3 Extended Key Usage:\n {12}TLS Web Server Authentication, TLS Web Client Authentication\n/);
    const critAt = der.indexOf(hexBuf('06 03 55 1d 0f 01 01 ff'));
    const berBool = Buffer.from(der);
    berBool[critAt + 7] = 0x01; // BER TRUE: OpenSSL takes it, DER does not
    const fallback = d(toPem('CERTIFICATE', berBool));
    assert.equal(fallback.ok, true, fallback.text);
    assert.match(
      fallback.certs[0].problem ?? '',
      /^some fields could not be decoded \(bad DER: BOOLEAN must be one byte, 00 or FF\); the values shown come from Node's X\.509 parser/,
    );
    assert.deepEqual(
      [fallback.certs[0].commonName, fallback.certs[0].subject, fallback.certs[0].notAfter],
      ['node', 'O = Cockroach, CN = node', fromDer.certs[0].notAfter],
    );
    assert.equal(fallback.certs[0].publicKey.summary, 'RSA 2048 bit');
    const badTime = Buffer.from(der);
    let utc = der.indexOf(hexBuf('17 0d')); // notBefore: UTCTime, 13 bytes
    while (utc >= 0 && der[utc + 14] !== 0x5a) utc = der.indexOf(hexBuf('17 0d'), utc + 1);
    assert.ok(utc > 0);
    badTime[utc + 14] = 0x30; // its Z
    const time = d(toPem('CERTIFICATE', badTime));
    assert.equal(time.ok, false);
    // Go's x509 refuses a certificate whose time is not a date; parseCertificate does too, before any field is shown.
    assert.match(
      time.text,
      /Problem: failed to parse certificate 0 in file node\.crt \(its notBefore time is not a valid date\): replace it with a valid PEM certificate\./,
    );

    // A broken cluster CA file: the chain is not checked, and the text says why.
    const broken = describeCertFile({
      path: join(a.certsDir, 'node.crt'),
      content: readFileSync(join(a.certsDir, 'node.crt')),
      now,
      clusterCa: { path: '/x/ca.crt', content: Buffer.from('junk') },
    });
    assert.equal(broken.certs[0].chain.checked, false);
    assert.match(broken.certs[0].chain.text, /^not checked: the CA file cannot be used: no certificates found in \/x\/ca\.crt/);
    assert.match(describe_(join(a.certsDir, 'node.crt')).certs[0].chain.text, /^not checked: no cluster CA file given\.$/);

    // Random bytes, with and without a PEM wrapper, never throw.
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let i = 0; i < 200; i++) {
      const bytes = Buffer.from(Array.from({ length: 1 + (rand() % 300) }, () => rand() % 256));
      if (i % 2) bytes[0] = 0x30;
      const content = i % 3 === 0 ? toPem('CERTIFICATE', bytes) : bytes;
      const r = d(content);
      assert.equal(typeof r.text, 'string');
    }
  });
});
