/**
 * Reading PKCS#10 CSRs (core/pki/csrread, describeCsr): requests from our `cert create-csr` (RSA
 * and ECDSA) and from `openssl req` (extensions, a challengePassword, none, DER, Ed25519), each
 * field cross-checked with `openssl req -text -noout`; the self-signature verified, a tampered one
 * refused; `crdb-tls inspect FILE.csr` prints and exits by it; `cert check` refuses a CSR in one sentence.
 */
import { strict as assert } from 'node:assert';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describeCsr, DescribedCsr, isCsrContent } from '../../src/core/pki/describeCsr';
import { crdbTls, openssl } from '../support/exec';
import { tmpDir } from '../support/tmp';

/** The lines of `openssl req -text -noout` our description must agree with, trimmed. */
function opensslFields(file: string, der = false): string[] {
  return openssl(['req', '-text', '-noout', ...(der ? ['-inform', 'der'] : []), '-in', file])
    .stdout.split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
}

function assertMatchesOpenssl(c: DescribedCsr, file: string, der = false): void {
  const o = opensslFields(file, der);
  const after = (label: string) => o[o.indexOf(label) + 1];
  assert.ok(o.includes(`Subject: ${c.subject}`), `subject ${c.subject} in ${o.join('\n')}`);
  assert.ok(o.includes(`Public Key Algorithm: ${c.publicKey.algorithm}`), c.publicKey.algorithm);
  if (c.publicKey.algorithm !== 'ED25519' && c.publicKey.bits) assert.ok(o.includes(`Public-Key: (${c.publicKey.bits} bit)`), `${c.publicKey.bits} bit`);
  if (c.publicKey.exponent !== undefined) assert.ok(o.includes(`Exponent: ${c.publicKey.exponent} (0x${c.publicKey.exponent.toString(16)})`));
  if (c.publicKey.curve) assert.ok(o.includes(`ASN1 OID: ${c.publicKey.curve}`), c.publicKey.curve);
  assert.ok(o.includes(`Signature Algorithm: ${c.signatureAlgorithm}`), c.signatureAlgorithm);
  for (const e of c.extensions) {
    const label = o.find((l) => l.startsWith(`${e.name}:`));
    assert.ok(label, `openssl shows ${e.name}`);
    assert.equal(label, `${e.name}:${e.critical ? ' critical' : ''}`);
    assert.equal(after(label), e.lines[0], e.name);
  }
  // openssl prints the "Requested Extensions:" heading even when none were requested.
  if (c.extensions.length === 0) assert.equal(o[o.indexOf('Requested Extensions:') + 1], `Signature Algorithm: ${c.signatureAlgorithm}`);
}

describe('reading certificate signing requests', function () {
  this.timeout(120_000);
  const w = tmpDir();
  const d = join(w, 'certs');
  const read = (f: string) => readFileSync(f);

  before(() => {
    mkdirSync(d, { mode: 0o700 });
    for (const args of [
      ['node', 'localhost', '127.0.0.1', '::1', 'db.example.com'],
      ['client', 'app.reader', '--key-type', 'ecdsa'],
    ]) {
      const r = crdbTls(['cert', 'create-csr', ...args, '--certs-dir', d]);
      assert.equal(r.status, 0, r.stderr);
    }
  });

  it('an RSA node CSR from create-csr: subject, key, SANs, EKUs and keyUsage as openssl reads them; the signature verifies', () => {
    const f = join(d, 'node.csr');
    const r = describeCsr(read(f), f);
    assert.equal(r.ok, true, r.text);
    assert.equal(r.requests.length, 1);
    const c = r.requests[0];
    assertMatchesOpenssl(c, f);
    assert.equal(c.subject, 'O = Cockroach, CN = node');
    assert.equal(c.commonName, 'node');
    assert.deepEqual([c.publicKey.algorithm, c.publicKey.bits, c.publicKey.exponent], ['rsaEncryption', 2048, 65537]);
    assert.deepEqual(
      c.sans.map((s) => s.compact ?? s.value),
      ['localhost', 'db.example.com', '127.0.0.1', '::1'],
    );
    assert.deepEqual(c.extKeyUsageIds, ['serverAuth', 'clientAuth']);
    assert.deepEqual(c.keyUsage, ['Digital Signature', 'Key Encipherment']);
    assert.equal(c.signatureValid, true);
    assert.equal(c.requestedRole, 'node certificate');
    assert.ok(
      c.checks.every((k) => k.ok),
      JSON.stringify(c.checks),
    );
    const v = openssl(['req', '-verify', '-noout', '-in', f]);
    assert.match(v.stdout + v.stderr, /verify OK/);
  });

  it('an ECDSA client CSR from create-csr', () => {
    const f = join(d, 'client.app.reader.csr');
    const c = describeCsr(read(f), f).requests[0];
    assertMatchesOpenssl(c, f);
    assert.deepEqual([c.publicKey.algorithm, c.publicKey.curve, c.publicKey.nistCurve], ['id-ecPublicKey', 'prime256v1', 'P-256']);
    assert.equal(c.signatureAlgorithm, 'ecdsa-with-SHA256');
    assert.equal(c.signatureValid, true);
    assert.equal(c.commonName, 'app.reader');
    assert.deepEqual(c.extKeyUsageIds, ['clientAuth']);
    assert.deepEqual(c.sans, []);
    assert.equal(c.requestedRole, 'client certificate for SQL user "app.reader"');
  });

  it('CSRs from openssl req: requested extensions, a challengePassword (never shown), none at all, DER, Ed25519', () => {
    const cnf = join(w, 'req.cnf');
    writeFileSync(
      cnf,
      [
        '[req]',
        'distinguished_name = dn',
        'attributes = attrs',
        'prompt = no',
        '[dn]',
        'O = Corp',
        'OU = Databases',
        'CN = db1.corp.example',
        '[attrs]',
        'challengePassword = s3cret-value',
        '[ext]',
        'subjectAltName = DNS:db1.corp.example, DNS:*.db.corp.example, IP:10.0.0.5',
        'extendedKeyUsage = serverAuth',
        'keyUsage = critical, digitalSignature, keyEncipherment',
        'basicConstraints = CA:FALSE',
        '',
      ].join('\n'),
    );
    const ext = join(w, 'server.csr');
    openssl(['req', '-new', '-newkey', 'rsa:3072', '-nodes', '-keyout', join(w, 'server.key'), '-config', cnf, '-reqexts', 'ext', '-out', ext]);
    const r = describeCsr(read(ext), ext);
    const c = r.requests[0];
    assertMatchesOpenssl(c, ext);
    assert.equal(c.subject, 'O = Corp, OU = Databases, CN = db1.corp.example');
    assert.equal(c.publicKey.bits, 3072);
    assert.deepEqual(
      c.sans.map((s) => `${s.type}:${s.compact ?? s.value}`),
      ['DNS:db1.corp.example', 'DNS:*.db.corp.example', 'IP Address:10.0.0.5'],
    );
    assert.deepEqual(
      c.attributes.map((a) => [a.name, a.values]),
      [['challengePassword', ['<hidden>']]],
    );
    assert.ok(!r.text.includes('s3cret') && !JSON.stringify(r).includes('s3cret'), 'the challenge password is never shown');
    // Taken for a node (serverAuth, an IP SAN): the CN and clientAuth are missing, each with the fix.
    assert.equal(c.requestedRole, 'node certificate');
    const bad = c.checks.filter((k) => !k.ok).map((k) => k.text);
    assert.equal(bad.length, 2, bad.join('\n'));
    assert.match(
      bad[0],
      /^requested subject CN has principals \["db1\.corp\.example","db1\.corp\.example","\*\.db\.corp\.example"\], expected "node".*crdb-tls cert create-csr node <hosts>/,
    );
    assert.match(bad[1], /^requested extendedKeyUsage allows serverAuth but lacks clientAuth: .*node-to-node connections fail/);

    const none = join(w, 'plain.csr');
    openssl([
      'req',
      '-new',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:secp384r1',
      '-nodes',
      '-keyout',
      join(w, 'plain.key'),
      '-subj',
      '/CN=alice',
      '-out',
      none,
    ]);
    const p = describeCsr(read(none), none).requests[0];
    assertMatchesOpenssl(p, none);
    assert.deepEqual([p.extensions, p.attributes, p.publicKey.curve, p.signatureValid], [[], [], 'secp384r1', true]);
    assert.match(describeCsr(read(none), none).text, /\(no extensions requested\)/);

    const der = join(w, 'plain.der');
    openssl(['req', '-in', none, '-outform', 'der', '-out', der]);
    assert.ok(isCsrContent(read(der)));
    const dd = describeCsr(read(der), der).requests[0];
    assertMatchesOpenssl(dd, der, true);
    assert.equal(dd.signatureValid, true);

    const ed = join(w, 'ed.csr');
    openssl(['req', '-new', '-newkey', 'ed25519', '-nodes', '-keyout', join(w, 'ed.key'), '-subj', '/O=Cockroach/CN=node', '-out', ed]);
    const e = describeCsr(read(ed), ed).requests[0];
    assertMatchesOpenssl(e, ed);
    assert.equal(e.signatureValid, true);
    assert.match(
      e.checks.find((k) => !k.ok && /public key/.test(k.text))?.text ?? '',
      /^requested public key is ed25519: CockroachDB and its clients accept RSA .* and ECDSA/,
    );
  });

  it('a tampered request does not verify: not ok, inspect exits 1; bad input is one sentence naming the file', () => {
    const f = join(d, 'node.csr');
    const pem = read(f).toString('latin1');
    const body = Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s/g, ''), 'base64');
    const at = body.indexOf(Buffer.from('localhost'));
    body[at] = 'L'.charCodeAt(0); // still valid DER: only the signed bytes changed
    const bad = join(w, 'tampered.csr');
    writeFileSync(bad, `-----BEGIN CERTIFICATE REQUEST-----\n${body.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END CERTIFICATE REQUEST-----\n`);
    const r = describeCsr(read(bad), bad);
    assert.equal(r.ok, false);
    assert.equal(r.requests[0].signatureValid, false);
    assert.match(r.problems.join(' '), /request 1 in tampered\.csr does not verify with its own public key: make the request again/);
    const o = openssl(['req', '-verify', '-noout', '-in', bad], { allowFail: true });
    assert.match(o.stdout + o.stderr, /verify failure/, 'openssl agrees (OpenSSL 3.0 exits 0 even so)');
    assert.equal(crdbTls(['inspect', bad]).status, 1);

    for (const [content, re] of [
      ['', /tampered\.csr is empty: make the request again/],
      [
        '-----BEGIN CERTIFICATE REQUEST-----\nMAA=\n-----END CERTIFICATE REQUEST-----\n',
        /request 1 in tampered\.csr cannot be read \(.*\): make the request again/,
      ],
    ] as const) {
      const x = describeCsr(Buffer.from(content), bad);
      assert.equal(x.ok, false);
      assert.match(x.problems[0], re);
    }
  });

  it('crdb-tls inspect FILE.csr describes it (text and --json); cert check refuses a CSR: a request, not a certificate', () => {
    const f = join(d, 'node.csr');
    const t = crdbTls(['inspect', f]);
    assert.equal(t.status, 0, t.stderr);
    assert.match(t.stdout, /^Certificate signing request file: /);
    assert.match(t.stdout, /Signature: sha256WithRSAEncryption, verified/);
    assert.match(t.stdout, /\[ok\] requested subjectAltName is localhost, db\.example\.com, 127\.0\.0\.1, ::1/);
    const j = JSON.parse(crdbTls(['inspect', f, '--json']).stdout);
    assert.equal(j.kind, 'csr');
    assert.equal(j.requests[0].commonName, 'node');
    assert.equal(j.text, undefined);
    const c = crdbTls(['cert', 'check', f]);
    assert.equal(c.status, 1);
    assert.match(c.stdout + c.stderr, /node\.csr is a certificate signing request \(PEM "CERTIFICATE REQUEST"\), not a certificate: have your CA sign it/);
  });
});
