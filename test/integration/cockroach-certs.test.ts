/**
 * Certificates that cockroach itself wrote (test/fixtures/cockroach-test-certs, from the
 * cockroachdb/cockroach repository): we must read them as cockroach does, agree with
 * `openssl verify` on them, and issue certificates of the same shape.
 */
import { strict as assert } from 'node:assert';
import { cpSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, crdbTls, openssl } from '../support/exec';
import { tmpDir } from '../support/tmp';

const FIXTURE = join(REPO_ROOT, 'test', 'fixtures', 'cockroach-test-certs');
/** 2024-01-01: both certificates were valid then (node.crt expired on 2025-07-20). */
const WHEN_VALID = 1_704_067_200;

/** The extension and subject lines of `openssl x509 -text`, without the key identifiers (Go ≥ 1.15 adds them; cockroach's 2020 build did not). */
function shape(path: string): string[] {
  const text = openssl(['x509', '-in', path, '-noout', '-text']).stdout;
  const ext = text.slice(text.indexOf('X509v3 extensions:'), text.indexOf('Signature Algorithm', text.indexOf('X509v3 extensions:')));
  const lines = ext
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (/Key Identifier/.test(lines[i])) {
      i++;
      continue;
    }
    out.push(lines[i].replace(/: critical$/, ' (critical)'));
  }
  const subject = /Subject: (.*)/.exec(text)?.[1] ?? '';
  const alg = /Signature Algorithm: (.*)/.exec(text)?.[1] ?? '';
  return [`Subject: ${subject}`, `Signature: ${alg}`, ...out];
}

describe('certificates that cockroach cert wrote', function () {
  this.timeout(60_000);
  let dir: string;

  before(() => {
    dir = join(tmpDir(), 'certs');
    mkdirSync(dir, { mode: 0o700 });
    cpSync(join(FIXTURE, 'ca.crt'), join(dir, 'ca.crt'));
    cpSync(join(FIXTURE, 'node.crt'), join(dir, 'node.crt'));
  });

  it('cert list reads them as cockroach does: the CA, and a node cert for its hosts that chains to it and has expired', () => {
    const r = crdbTls(['cert', 'list', '--certs-dir', dir, '--json']);
    assert.equal(r.status, 0, r.stderr);
    const entries = JSON.parse(r.stdout) as {
      usage: string;
      certFile: string;
      status: string;
      errors: string[];
      sans: { dns: string[]; ip: string[] };
      notes: string;
    }[];
    const ca = entries.find((e) => e.usage === 'CA');
    const node = entries.find((e) => e.usage === 'Node');
    assert.ok(ca && node, r.stdout);
    assert.equal(ca.status, 'ok');
    assert.deepEqual(ca.errors, []);
    assert.equal(node.status, 'expired');
    assert.deepEqual(node.sans.dns, ['localhost', '*.local']);
    assert.deepEqual(node.sans.ip, ['127.0.0.1', '::1']);
    // The only error is the key we did not copy: no chain or name problem.
    assert.equal(node.errors.length, 1, node.errors.join('\n'));
    assert.match(node.errors[0], /node\.key is missing/);
  });

  it('verify agrees with openssl verify: expired now, and the chain itself holds (openssl -attime before the expiry)', () => {
    const ours = crdbTls(['verify', '--ca-file', join(dir, 'ca.crt'), join(dir, 'node.crt')]);
    const theirs = openssl(['verify', '-CAfile', join(dir, 'ca.crt'), join(dir, 'node.crt')], { allowFail: true });
    assert.equal(ours.status, 1);
    assert.notEqual(theirs.status, 0);
    assert.match(ours.stdout, /error 10 at 0 depth lookup: certificate has expired/);
    assert.match(theirs.stdout + theirs.stderr, /error 10 at 0 depth lookup: certificate has expired/);
    assert.match(openssl(['verify', '-attime', String(WHEN_VALID), '-CAfile', join(dir, 'ca.crt'), join(dir, 'node.crt')]).stdout, /node\.crt: OK/);
  });

  it('what crdb-tls cert issues has the shape of what cockroach cert issued: subject, key usage, basic constraints, EKUs, SANs', () => {
    const root = tmpDir();
    const ours = join(root, 'certs');
    const key = join(root, 'ca.key');
    assert.equal(crdbTls(['cert', 'create-ca', '--certs-dir', ours, '--ca-key', key]).status, 0);
    assert.equal(crdbTls(['cert', 'create-node', '127.0.0.1', '::1', 'localhost', '*.local', '--certs-dir', ours, '--ca-key', key]).status, 0);
    assert.deepEqual(shape(join(ours, 'ca.crt')), shape(join(dir, 'ca.crt')));
    // cockroach orders the SANs as DNS names first, then IPs, whatever the order given.
    assert.deepEqual(shape(join(ours, 'node.crt')), shape(join(dir, 'node.crt')));
  });

  it('a node.crt beside a CA made again with the same name (O=Cockroach, CN=Cockroach CA) and another key: not signed by it, by the signature (no key ids), as openssl verify says', () => {
    const root = tmpDir();
    const certs = join(root, 'certs');
    assert.equal(crdbTls(['cert', 'create-ca', '--certs-dir', certs, '--ca-key', join(root, 'ca.key')]).status, 0);
    cpSync(join(FIXTURE, 'node.crt'), join(certs, 'node.crt'));
    // The same issuer name, and cockroach's 2020 node.crt names no authority key id: only the signature tells.
    const subject = (f: string) => openssl(['x509', '-in', join(certs, f), '-noout', '-subject', '-issuer']).stdout;
    assert.match(subject('ca.crt'), /subject=O = Cockroach, CN = Cockroach CA/);
    assert.match(subject('node.crt'), /issuer=O = Cockroach, CN = Cockroach CA/);
    assert.doesNotMatch(openssl(['x509', '-in', join(certs, 'node.crt'), '-noout', '-text']).stdout, /Authority Key Identifier/);

    const theirs = openssl(['verify', '-CAfile', join(certs, 'ca.crt'), join(certs, 'node.crt')], { allowFail: true });
    assert.notEqual(theirs.status, 0);
    assert.match(theirs.stdout + theirs.stderr, /error 7 at 0 depth lookup: certificate signature failure/);
    const ours = crdbTls(['verify', '--ca-file', join(certs, 'ca.crt'), join(certs, 'node.crt')]);
    assert.equal(ours.status, 1);
    assert.match(ours.stdout, /error 7 at 0 depth lookup: certificate signature failure/);

    const r = crdbTls(['cert', 'list', '--certs-dir', certs, '--json']);
    assert.equal(r.status, 0, r.stderr);
    const node = (JSON.parse(r.stdout) as { usage: string; errors: string[] }[]).find((e) => e.usage === 'Node');
    assert.ok(node, r.stdout);
    assert.match(
      node.errors.join('\n'),
      /node\.crt does not chain to .*ca\.crt: its issuer CN=Cockroach CA, O=Cockroach is the name of the CA certificate in ca\.crt, but not its key: its signature does not verify with that CA's key/,
    );
  });
});
