/**
 * Troubleshooting against real servers: two PostgreSQL servers with TLS and certificate
 * authentication (CockroachDB's stand-in on the wire), started once, and small Node servers for
 * what PostgreSQL will not do (answer 'N', close after 'S', never answer). Every test-connection
 * category is reproduced for real, and the messages psql and node-postgres print are checked
 * against the explain catalogue.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Io } from '../../src/cli/io';
import { runExplain } from '../../src/cli/explain';
import { runProbe } from '../../src/cli/probe';
import { runTestConnection } from '../../src/cli/testConnection';
import { createClient } from '../../src/core/certsdir/create';
import { explain } from '../../src/core/tls/explain';
import { probe } from '../../src/core/tls/probe';
import { TestConnectionResult, testConnection } from '../../src/core/tls/testConnection';
import { Category } from '../../src/core/tls/types';
import { CertsFixture, agedNodeCerts, makeCertsDir } from '../support/certs';
import { PgServer } from '../support/postgres';
import { closedPort, pgStub } from '../support/pgstub';
import { tmpDir } from '../support/tmp';

const DAY_MS = 86_400_000;
/** psql (libpq) without touching the event loop, so that in-process stubs can answer. */
function psql(url: string): Promise<{ status: number; stderr: string }> {
  return new Promise((resolve) => {
    const home = tmpDir('crdb-tls-home-');
    const p = spawn('psql', [url, '-X', '-A', '-t', '-c', 'select 1'], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, PGCONNECT_TIMEOUT: '5', LC_ALL: 'C' },
    });
    let stderr = '';
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('close', (code) => resolve({ status: code ?? -1, stderr }));
  });
}

function capture(): Io & { text: () => string } {
  let s = '';
  return { out: (t) => (s += t), env: { ...process.env }, text: () => s };
}

interface Files {
  ca: string;
  cert?: string;
  key?: string;
}

function url(host: string, port: number, user: string, f: Files, sslmode = 'verify-full'): string {
  const q = [`sslmode=${sslmode}`, `sslrootcert=${encodeURIComponent(f.ca)}`];
  if (f.cert) q.push(`sslcert=${encodeURIComponent(f.cert)}`);
  if (f.key) q.push(`sslkey=${encodeURIComponent(f.key)}`);
  return `postgresql://${user}@${host}:${port}/postgres?${q.join('&')}`;
}

function filesOf(dir: string, user: string, caDir = dir): Required<Files> {
  return { ca: join(caDir, 'ca.crt'), cert: join(dir, `client.${user}.crt`), key: join(dir, `client.${user}.key`) };
}

/** A messages log: what each client printed for each category, checked against explain at the end. */
const observed: { client: string; text: string; category: Category }[] = [];

function expectCategory(r: TestConnectionResult, category: Category): void {
  assert.equal(r.category, category, `${r.category}: ${r.cause}\n${JSON.stringify(r.details.error)}`);
  assert.equal(r.ok, category === 'ok');
  assert.ok(r.cause.length > 30 && r.fix.length > 10, `${r.cause} / ${r.fix}`);
  assert.doesNotMatch(`${r.cause} ${r.fix}`, /undefined|\[object/);
  if (r.details.error) observed.push({ client: 'node-postgres', text: r.details.error.message, category });
}

describe('TLS troubleshooting against real servers', function () {
  this.timeout(60_000);
  let fx: CertsFixture; // users root and alice; node cert for localhost and 127.0.0.1
  let other: CertsFixture; // another cluster's CA and client alice
  let narrow: CertsFixture; // node cert for localhost only
  let good: PgServer | undefined;
  let swap: PgServer | undefined;
  let swapServes = 'narrow';
  const swapFiles: Record<string, { cert: string; key: string }> = {};
  const stubs: { close: () => Promise<void> }[] = [];
  let noTls: { port: number };
  let eof: { port: number };
  let hang: { port: number };

  before(async function () {
    this.timeout(120_000);
    [fx, other, narrow] = await Promise.all([
      makeCertsDir({ users: ['root', 'alice'] }),
      makeCertsDir({ users: ['alice'] }),
      makeCertsDir({ hosts: ['localhost'], users: ['alice'] }),
    ]);
    // node certs the second server swaps in: expired, and not valid for ten more days.
    Object.assign(swapFiles, await agedNodeCerts(narrow));
    swapFiles.narrow = { cert: join(narrow.certsDir, 'node.crt'), key: join(narrow.certsDir, 'node.key') };
    good = new PgServer({ certsDir: fx.certsDir });
    swap = new PgServer({ certsDir: narrow.certsDir });
    await Promise.all([good.start(), swap.start()]);
    await Promise.all([good.createRole('root'), good.createRole('alice'), swap.createRole('alice')]);
    const n = await pgStub((s) => s.write('N'));
    const e = await pgStub((s) => {
      s.write('S');
      s.once('data', () => s.destroy());
    });
    const h = await pgStub('hang');
    stubs.push(n, e, h);
    [noTls, eof, hang] = [n, e, h];
  });

  after(async function () {
    this.timeout(30_000);
    await Promise.all([good?.stop(), swap?.stop(), ...stubs.map((s) => s.close())]);
  });

  const A = (): PgServer => {
    assert.ok(good, 'server not started');
    return good;
  };
  /** The second server, serving the node certificate `which` (swapped in and reloaded when needed). */
  const B = async (which: 'narrow' | 'expired' | 'future'): Promise<PgServer> => {
    assert.ok(swap, 'server not started');
    if (swapServes !== which) {
      swap.replaceTlsFiles(swapFiles[which]);
      const r = await swap.reload();
      assert.ok(r.sslReloaded, r.log.join('\n'));
      swapServes = which;
    }
    return swap;
  };

  describe('probe', () => {
    it('reports TLS, protocol, cipher, the chain, CA verified and host matched (PostgreSQL with the issued node cert)', async () => {
      const r = await probe('localhost', A().port, { caFile: join(fx.certsDir, 'ca.crt') });
      assert.equal(r.error, undefined, JSON.stringify(r.error));
      assert.equal(r.acceptsTls, true);
      assert.equal(r.sslResponse, 'S');
      assert.match(r.protocol ?? '', /^TLSv1\.[23]$/);
      assert.ok(r.cipher?.name);
      assert.equal(r.chain[0].subject.CN, 'node');
      assert.deepEqual(r.chain[0].sans, { dns: ['localhost'], ip: ['127.0.0.1'], uri: [], email: [] });
      assert.equal(r.chain[0].issuer.CN, 'Cockroach CA');
      assert.match(r.chain[0].fingerprintSha256, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
      assert.equal(r.chain[0].validity, 'valid');
      assert.deepEqual(r.verification, { against: join(fx.certsDir, 'ca.crt'), ok: true });
      assert.deepEqual(r.hostname, { name: 'localhost', ok: true });
      assert.ok(r.timings.handshakeMs !== undefined && r.timings.totalMs >= r.timings.handshakeMs);
      const ip = await probe('127.0.0.1', A().port, { caFile: join(fx.certsDir, 'ca.crt') });
      assert.equal(ip.hostname?.ok, true);
    });

    it('says why another CA does not verify the chain (the OpenSSL code) and when the host is missing from the SANs', async () => {
      const r = await probe('127.0.0.1', (await B('narrow')).port, { caFile: join(other.certsDir, 'ca.crt') });
      assert.equal(r.acceptsTls, true);
      assert.equal(r.verification?.ok, false);
      assert.match(r.verification?.code ?? '', /SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE/);
      assert.match(r.verification?.reason ?? '', /not signed by a CA in .*same name, but with another key/);
      assert.equal(r.hostname?.ok, false);
      assert.match(r.hostname?.reason ?? '', /127\.0\.0\.1 is not in the cert's list/);
    });

    it("a server that answers 'N': acceptsTls false, ssl-not-supported", async () => {
      const r = await probe('127.0.0.1', noTls.port, { timeoutMs: 3000 });
      assert.equal(r.acceptsTls, false);
      assert.equal(r.error?.category, 'ssl-not-supported');
      assert.equal(r.chain.length, 0);
    });

    it("a server that closes after 'S': handshake-eof", async () => {
      const r = await probe('127.0.0.1', eof.port, { timeoutMs: 3000 });
      assert.equal(r.acceptsTls, true);
      assert.equal(r.error?.category, 'handshake-eof');
      assert.equal(r.error?.stage, 'handshake');
    });

    it('a closed port, an unresolvable host, a server that never answers (timeout), and cancellation', async () => {
      assert.equal((await probe('127.0.0.1', await closedPort())).error?.category, 'connection-refused');
      const dns = await probe('no-such-host.invalid', 26257, { timeoutMs: 4000 });
      assert.equal(dns.error?.category, 'dns');
      const t0 = Date.now();
      const slow = await probe('127.0.0.1', hang.port, { timeoutMs: 400 });
      assert.equal(slow.error?.category, 'timeout');
      assert.equal(slow.error?.stage, 'ssl-request');
      assert.ok(Date.now() - t0 < 2000);
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 100);
      await assert.rejects(probe('127.0.0.1', hang.port, { timeoutMs: 10_000, signal: ac.signal }), { name: 'AbortError' });
    });
  });

  describe('test-connection: every category for real', () => {
    it('ok: verify-full with the right CA and client certificate, with timings and the chain', async () => {
      const r = await testConnection(url('localhost', A().port, 'alice', filesOf(fx.certsDir, 'alice')));
      expectCategory(r, 'ok');
      assert.equal(r.details.tls, true);
      assert.equal(r.details.verification, 'full');
      assert.equal(r.details.serverChain?.[0].subject, 'CN=node, O=Cockroach');
      for (const k of ['connectMs', 'tlsMs', 'authMs', 'queryMs', 'totalMs'] as const) assert.equal(typeof r.details.timings[k], 'number', k);
      assert.match(r.cause, /verified against sslrootcert .*ca\.crt and names localhost/);
      assert.equal(r.fix, 'nothing to fix.');
    });

    it('ok: relative paths resolve against cwd', async () => {
      const r = await testConnection(url('127.0.0.1', A().port, 'root', { ca: 'certs/ca.crt', cert: 'certs/client.root.crt', key: 'certs/client.root.key' }), {
        cwd: fx.root,
      });
      expectCategory(r, 'ok');
    });

    it('unknown-authority: sslrootcert of another CA', async () => {
      const r = await testConnection(url('localhost', A().port, 'alice', filesOf(fx.certsDir, 'alice', other.certsDir)));
      expectCategory(r, 'unknown-authority');
      assert.ok(r.details.probe, 'the server was probed');
      assert.match(r.cause, new RegExp(`served by localhost:${A().port} \\(CN=node.*not signed by a CA in sslrootcert ${join(other.certsDir, 'ca.crt')}`));
      assert.match(r.fix, /point sslrootcert at the CA that issued the node certificate/);
      observed.push({
        client: 'psql',
        text: (await psql(url('localhost', A().port, 'alice', filesOf(fx.certsDir, 'alice', other.certsDir)))).stderr,
        category: 'unknown-authority',
      });
    });

    it('hostname-mismatch: 127.0.0.1 with a node cert for localhost only', async () => {
      const s = await B('narrow');
      const u = url('127.0.0.1', s.port, 'alice', filesOf(narrow.certsDir, 'alice'));
      const r = await testConnection(u);
      expectCategory(r, 'hostname-mismatch');
      assert.match(r.cause, new RegExp(`served by 127\\.0\\.0\\.1:${s.port} \\(CN=node, serial [0-9a-f]+\\) lists DNS:localhost only, not 127\\.0\\.0\\.1`));
      assert.match(
        r.fix,
        new RegExp(
          `re-issue the node cert with 127\\.0\\.0\\.1: crdb-tls cert create-node localhost 127\\.0\\.0\\.1 --certs-dir ${narrow.certsDir} --ca-key <ca\\.key> --overwrite`,
        ),
      );
      observed.push({ client: 'psql', text: (await psql(u)).stderr, category: 'hostname-mismatch' });
    });

    it('server-cert-expired: PostgreSQL serving an expired node cert', async () => {
      const s = await B('expired');
      const u = url('localhost', s.port, 'alice', filesOf(narrow.certsDir, 'alice'));
      const r = await testConnection(u);
      expectCategory(r, 'server-cert-expired');
      assert.match(r.cause, /expired on \d{4}-\d\d-\d\dT.* \(\d+ days ago\)/);
      // libpq prints the same text as for an unknown CA: explain can only say what it usually means.
      observed.push({ client: 'psql', text: (await psql(u)).stderr, category: 'unknown-authority' });
    });

    it('server-cert-not-yet-valid: a node cert valid ten days from now', async () => {
      const s = await B('future');
      const r = await testConnection(url('localhost', s.port, 'alice', filesOf(narrow.certsDir, 'alice')));
      expectCategory(r, 'server-cert-not-yet-valid');
      assert.match(r.cause, /valid only from .*\(in (9|10) days\)/);
    });

    it('client-cert-rejected: a client cert from another CA, and an expired one', async () => {
      const logFrom = A().log.length;
      const u = url('localhost', A().port, 'alice', filesOf(other.certsDir, 'alice', fx.certsDir));
      const r = await testConnection(u);
      expectCategory(r, 'client-cert-rejected');
      assert.match(r.cause, /refused the client certificate .*client\.alice\.crt.*unknown ca.*not signed by the CA that signed the server's certificate/);
      assert.match(r.fix, /crdb-tls cert create-client alice/);
      observed.push({ client: 'psql', text: (await psql(u)).stderr, category: 'client-cert-rejected' });
      observed.push({
        client: 'PostgreSQL log',
        text: (await A().waitForLog(/could not accept SSL connection: [^\n]+/, logFrom)).match(/could not accept SSL connection: [^\n]+/)?.[0] ?? '',
        category: 'client-cert-rejected',
      });

      const dir = join(tmpDir(), 'expired-client');
      mkdirSync(dir, { mode: 0o700 });
      copyFileSync(join(fx.certsDir, 'ca.crt'), join(dir, 'ca.crt'));
      await createClient({ certsDir: dir, caKey: fx.caKey, user: 'alice', now: new Date(Date.now() - 400 * DAY_MS), lifetimeMs: DAY_MS });
      const expired = await testConnection(url('localhost', A().port, 'alice', filesOf(dir, 'alice')));
      expectCategory(expired, 'client-cert-rejected');
      assert.match(expired.cause, /certificate expired.*it expired on/);
      assert.match(expired.fix, /create-client alice .*--overwrite/);
    });

    it('auth-failed: CN alice logging in as root, and no client certificate at all', async () => {
      const u = url('localhost', A().port, 'root', {
        ca: join(fx.certsDir, 'ca.crt'),
        cert: join(fx.certsDir, 'client.alice.crt'),
        key: join(fx.certsDir, 'client.alice.key'),
      });
      const r = await testConnection(u);
      expectCategory(r, 'auth-failed');
      assert.match(r.cause, /client\.alice\.crt is for CN=alice, not root/);
      assert.match(r.fix, /connect as alice.*create-client root/);
      observed.push({ client: 'psql', text: (await psql(u)).stderr, category: 'auth-failed' });
      const none = url('localhost', A().port, 'alice', { ca: join(fx.certsDir, 'ca.crt') });
      const r2 = await testConnection(none);
      expectCategory(r2, 'auth-failed');
      assert.match(r2.cause, /requires a client certificate for alice/);
      observed.push({ client: 'psql', text: (await psql(none)).stderr, category: 'auth-failed' });
    });

    it('key-permissions: a 0644 key is refused before connecting, as libpq does', async () => {
      const dir = join(tmpDir(), 'loose');
      mkdirSync(dir);
      for (const f of ['client.alice.crt', 'client.alice.key']) copyFileSync(join(fx.certsDir, f), join(dir, f));
      chmodSync(join(dir, 'client.alice.key'), 0o644);
      const u = url('localhost', A().port, 'alice', filesOf(dir, 'alice', fx.certsDir));
      const r = await testConnection(u);
      expectCategory(r, 'key-permissions');
      assert.equal(r.details.error, undefined, 'nothing was sent');
      assert.equal(r.fix.split(' (')[0], `chmod 600 ${join(dir, 'client.alice.key')}`);
      observed.push({ client: 'psql', text: (await psql(u)).stderr, category: 'key-permissions' });
    });

    it('key-mismatch: a key that does not belong to the certificate (and the right one next to it)', async () => {
      const u = url('localhost', A().port, 'alice', {
        ca: join(fx.certsDir, 'ca.crt'),
        cert: join(fx.certsDir, 'client.alice.crt'),
        key: join(fx.certsDir, 'client.root.key'),
      });
      const r = await testConnection(u);
      expectCategory(r, 'key-mismatch');
      assert.match(r.cause, /client\.root\.key does not belong to sslcert .*client\.alice\.crt \(CN=alice\)/);
      assert.equal(r.fix, `set sslkey=${join(fx.certsDir, 'client.alice.key')}: that key belongs to ${join(fx.certsDir, 'client.alice.crt')}.`);
      observed.push({ client: 'psql', text: (await psql(u)).stderr, category: 'key-mismatch' });
    });

    it('file-missing: sslrootcert that does not exist', async () => {
      const u = url('localhost', A().port, 'alice', { ...filesOf(fx.certsDir, 'alice'), ca: join(fx.root, 'nowhere', 'ca.crt') });
      const r = await testConnection(u);
      expectCategory(r, 'file-missing');
      assert.match(r.cause, new RegExp(`sslrootcert file ${join(fx.root, 'nowhere', 'ca.crt')} does not exist`));
    });

    it("ssl-not-supported: a server that answers 'N' (prefer falls back to plain, as libpq does)", async () => {
      const u = url('127.0.0.1', noTls.port, 'alice', filesOf(fx.certsDir, 'alice'));
      expectCategory(await testConnection(u), 'ssl-not-supported');
      observed.push({ client: 'psql', text: (await psql(u)).stderr, category: 'ssl-not-supported' });
      const prefer = await testConnection(`postgresql://alice@127.0.0.1:${noTls.port}/postgres`, { timeoutMs: 1000 });
      assert.ok(
        prefer.details.notes.some((n) => /retried without it/.test(n)),
        prefer.details.notes.join('\n'),
      );
    });

    it("handshake-eof: a server that closes after 'S'", async () => {
      const u = url('127.0.0.1', eof.port, 'alice', filesOf(fx.certsDir, 'alice'));
      const r = await testConnection(u);
      expectCategory(r, 'handshake-eof');
      assert.equal(r.details.probe?.error?.category, 'handshake-eof');
      observed.push({ client: 'psql', text: (await psql(u)).stderr, category: 'handshake-eof' });
    });

    it('connection-refused: a closed port', async () => {
      const u = url('127.0.0.1', await closedPort(), 'alice', filesOf(fx.certsDir, 'alice'));
      expectCategory(await testConnection(u), 'connection-refused');
      observed.push({ client: 'psql', text: (await psql(u)).stderr, category: 'connection-refused' });
    });

    it('timeout: a TCP server that never answers, short timeout; and cancellation', async () => {
      const t0 = Date.now();
      const r = await testConnection(url('127.0.0.1', hang.port, 'alice', filesOf(fx.certsDir, 'alice')), { timeoutMs: 500 });
      expectCategory(r, 'timeout');
      assert.match(r.cause, /accepted the TCP connection but did not answer the SSLRequest within 500 ms/);
      assert.ok(Date.now() - t0 < 3000, `${Date.now() - t0} ms`);
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 100);
      await assert.rejects(testConnection(url('127.0.0.1', hang.port, 'alice', filesOf(fx.certsDir, 'alice')), { timeoutMs: 10_000, signal: ac.signal }), {
        name: 'AbortError',
      });
    });

    it('dns: a .invalid host', async () => {
      const u = url('no-such-host.invalid', 26257, 'alice', filesOf(fx.certsDir, 'alice'));
      const r = await testConnection(u, { timeoutMs: 4000 });
      expectCategory(r, 'dns');
      assert.match(r.cause, /no-such-host\.invalid does not resolve/);
      observed.push({ client: 'psql', text: (await psql(u)).stderr, category: 'dns' });
    });
  });

  describe('CLI modules (captured io)', () => {
    it('probe --json: the ProbeResult; exit 0 when verified, 1 for a server without TLS', async () => {
      const io = capture();
      assert.equal(await runProbe([`localhost:${A().port}`, '--ca-file', join(fx.certsDir, 'ca.crt'), '--json'], io), 0);
      const r = JSON.parse(io.text()) as { acceptsTls: boolean; chain: { subject: { CN: string }; pem: string }[]; verification: { ok: boolean } };
      assert.equal(r.acceptsTls, true);
      assert.equal(r.chain[0].subject.CN, 'node');
      assert.match(r.chain[0].pem, /^-----BEGIN CERTIFICATE-----/);
      assert.equal(r.verification.ok, true);
      const text = capture();
      assert.equal(await runProbe([`127.0.0.1:${noTls.port}`, '--timeout', '2s'], text), 1);
      assert.match(text.text(), /answered 'N': the server does NOT accept TLS/);
    });

    it('test-connection --json: exactly {ok, category, cause, fix, details}; exit 0 only when ok', async () => {
      const io = capture();
      assert.equal(await runTestConnection([url('localhost', A().port, 'alice', filesOf(fx.certsDir, 'alice')), '--json'], io), 0);
      const ok = JSON.parse(io.text()) as Record<string, unknown>;
      assert.deepEqual(Object.keys(ok), ['ok', 'category', 'cause', 'fix', 'details']);
      assert.equal(ok.category, 'ok');
      const bad = capture();
      assert.equal(
        await runTestConnection([url('127.0.0.1', await closedPort(), 'alice', filesOf(fx.certsDir, 'alice')), '--timeout', '3s', '--json'], bad),
        1,
      );
      assert.equal((JSON.parse(bad.text()) as { category: string }).category, 'connection-refused');
      const text = capture();
      assert.equal(await runTestConnection([url('127.0.0.1', (await B('narrow')).port, 'alice', filesOf(narrow.certsDir, 'alice'))], text), 1);
      assert.match(text.text(), /^FAILED: hostname-mismatch\nCause: .*\nFix: /);
      await assert.rejects(runTestConnection(['not a url at all'], capture()), { name: 'UserError' });
    });

    it('explain --json: exactly {category, cause, fix}; exit 1 when not recognised', async () => {
      const io = capture();
      assert.equal(await runExplain(['x509: certificate signed by unknown authority', '--json'], io), 0);
      const r = JSON.parse(io.text()) as Record<string, unknown>;
      assert.deepEqual(Object.keys(r), ['category', 'cause', 'fix']);
      assert.equal(r.category, 'unknown-authority');
      const no = capture();
      assert.equal(await runExplain(['the', 'printer', 'is', 'on', 'fire'], no), 1);
      assert.match(no.text(), /^Category: other\nCause: not recognised: "the printer is on fire"/);
    });
  });

  describe('the messages psql and node-postgres printed above are in the catalogue', () => {
    it('explain maps each observed message to the category test-connection found', () => {
      assert.ok(observed.length >= 20, `${observed.length} messages observed`);
      for (const o of observed) {
        assert.ok(o.text.trim(), `${o.client} printed nothing for ${o.category}`);
        const r = explain(o.text);
        assert.ok(r.matched, `${o.client}: not recognised: ${o.text}`);
        // A text that fits several causes is "ambiguous", with the cause among its candidates.
        const category = r.category === 'ambiguous' && r.candidates?.includes(o.category) ? o.category : r.category;
        assert.equal(category, o.category, `${o.client}: ${o.text} → ${r.category} (${r.matched?.id})`);
      }
    });
  });
});
