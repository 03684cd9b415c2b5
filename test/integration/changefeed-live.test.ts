import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, AddressInfo, Server } from 'node:net';
import { join } from 'node:path';
import { liveCheck } from '../../src/core/changefeed/live';
import { CertsFixture, makeCertsDir } from '../support/certs';
import { startTlsServer, TlsServerHandle } from '../support/tlsServer';

async function plainServer(onConnection: (s: import('node:net').Socket) => void): Promise<{ server: Server; port: number }> {
  const server = createServer(onConnection);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

describe('changefeed live check: a TLS handshake to a broker that requires client certificates', function () {
  this.timeout(120_000);
  let a: CertsFixture;
  let b: CertsFixture;
  let wrongName: CertsFixture;
  let broker: TlsServerHandle;
  let foreignBroker: TlsServerHandle;
  let tls12Broker: TlsServerHandle;
  const read = (fx: CertsFixture, n: string) => readFileSync(join(fx.certsDir, n));
  const client = (fx: CertsFixture) => ({ cert: read(fx, 'client.root.crt'), key: read(fx, 'client.root.key') });

  before(async () => {
    [a, b, wrongName] = await Promise.all([
      makeCertsDir({ users: ['root'] }),
      makeCertsDir({ users: ['root'] }),
      makeCertsDir({ users: ['root'], hosts: ['kafka.other.example.com'] }),
    ]);
    // The broker: A's node certificate, clients must hold a certificate from A's CA.
    broker = await startTlsServer({ cert: read(a, 'node.crt'), key: read(a, 'node.key'), ca: read(a, 'ca.crt') });
    // A broker whose certificate comes from another CA (B), still accepting A's clients.
    foreignBroker = await startTlsServer({ cert: read(b, 'node.crt'), key: read(b, 'node.key'), ca: read(a, 'ca.crt') });
    tls12Broker = await startTlsServer({ cert: read(a, 'node.crt'), key: read(a, 'node.key'), ca: read(a, 'ca.crt'), maxVersion: 'TLSv1.2' });
  });

  after(async () => {
    await Promise.all([broker, foreignBroker, tls12Broker].map((s) => s?.close()));
  });

  it('accepts the right client certificate, and the CA verifies the broker', async () => {
    const r = await liveCheck({ host: broker.host, port: broker.port, ca: read(a, 'ca.crt'), ...client(a) });
    assert.equal(r.category, 'ok', r.message);
    assert.deepEqual([r.connected, r.authorized, r.serverVerified, r.serverError], [true, true, true, undefined]);
    assert.equal(r.protocol, 'TLSv1.3');
    assert.equal(r.server?.subject, 'CN=node, O=Cockroach');
    assert.match(r.message, /accepted the client certificate and its certificate verifies with the CA/);
    assert.ok(broker.accepted.includes('root'));
  });

  it('refuses a client certificate from another CA (TLS 1.3: the refusal comes after the handshake)', async () => {
    const refusedBefore = broker.refused.length;
    const r = await liveCheck({ host: broker.host, port: broker.port, ca: read(a, 'ca.crt'), ...client(b) });
    assert.equal(r.category, 'client-cert-rejected', r.message);
    assert.equal(r.authorized, false);
    assert.equal(r.serverVerified, true, 'the broker itself still verifies');
    // OpenSSL servers (Kafka's JSSE too) send an alert; Node's server verifies in JavaScript and just closes.
    if (r.code) assert.match(r.code, /ALERT_UNKNOWN_CA|ALERT_BAD_CERTIFICATE/);
    assert.match(r.message, /refused the client certificate|closed the connection right after the handshake: it most likely refused the client certificate/);
    assert.ok(broker.refused.length > refusedBefore);
  });

  it("refuses another CA's client certificate over TLS 1.2 too (the refusal comes during the handshake)", async () => {
    const r = await liveCheck({ host: tls12Broker.host, port: tls12Broker.port, ca: read(a, 'ca.crt'), ...client(b) });
    assert.equal(r.category, 'client-cert-rejected', r.message);
    assert.equal(r.connected, false);
    assert.equal(r.authorized, false);
    const ok = await liveCheck({ host: tls12Broker.host, port: tls12Broker.port, ca: read(a, 'ca.crt'), ...client(a) });
    assert.equal(ok.category, 'ok', ok.message);
    assert.equal(ok.protocol, 'TLSv1.2');
  });

  it('says a client certificate is required when none is presented', async () => {
    const r = await liveCheck({ host: broker.host, port: broker.port, ca: read(a, 'ca.crt') });
    assert.equal(r.category, 'client-cert-required', r.message);
    assert.match(r.message, /requires a client certificate .*embed client_cert and client_key/);
  });

  it('the CA check fails for a broker certificate from another CA, while the client certificate is accepted', async () => {
    const r = await liveCheck({ host: foreignBroker.host, port: foreignBroker.port, ca: read(a, 'ca.crt'), ...client(a) });
    assert.equal(r.category, 'server-unverified', r.message);
    assert.deepEqual([r.connected, r.authorized, r.serverVerified], [true, true, false]);
    assert.match(r.serverError ?? '', /UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED|UNABLE_TO_GET_ISSUER/);
    assert.match(r.message, /accepted the client certificate, but the CA in ca_cert did not issue the server's certificate/);
  });

  it('a broker certificate that does not name the host: unverified, with the reason', async () => {
    const s = await startTlsServer({ cert: read(wrongName, 'node.crt'), key: read(wrongName, 'node.key'), ca: read(wrongName, 'ca.crt') });
    try {
      const r = await liveCheck({ host: s.host, port: s.port, ca: read(wrongName, 'ca.crt'), ...client(wrongName) });
      assert.equal(r.category, 'server-unverified', r.message);
      assert.equal(r.serverError, 'ERR_TLS_CERT_ALTNAME_INVALID');
      assert.match(r.message, /does not name 127\.0\.0\.1/);
    } finally {
      await s.close();
    }
  });

  it("an OpenSSL server (as Kafka's JSSE does) refuses with an alert: unknown CA, certificate required", async () => {
    const free = await plainServer(() => undefined);
    await new Promise<void>((resolve) => free.server.close(() => resolve()));
    const d = a.certsDir;
    const server = spawn(
      'openssl',
      [
        's_server',
        '-accept',
        `127.0.0.1:${free.port}`,
        '-cert',
        join(d, 'node.crt'),
        '-key',
        join(d, 'node.key'),
        '-CAfile',
        join(d, 'ca.crt'),
        '-Verify',
        '1',
        '-verify_return_error',
        '-naccept',
        '3',
      ],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    try {
      await new Promise<void>((resolve, reject) => {
        let out = '';
        server.stdout.on('data', (c) => {
          out += c;
          if (out.includes('ACCEPT')) resolve();
        });
        server.on('exit', (code) => reject(new Error(`openssl s_server exited (${code})`)));
      });
      const foreign = await liveCheck({ host: '127.0.0.1', port: free.port, ca: read(a, 'ca.crt'), ...client(b) });
      assert.equal(foreign.category, 'client-cert-rejected', foreign.message);
      assert.equal(foreign.code, 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA');
      assert.match(foreign.message, /refused the client certificate \(ERR_SSL_TLSV1_ALERT_UNKNOWN_CA\)/);
      const none = await liveCheck({ host: '127.0.0.1', port: free.port, ca: read(a, 'ca.crt') });
      assert.equal(none.category, 'client-cert-required', none.message);
      const ok = await liveCheck({ host: '127.0.0.1', port: free.port, ca: read(a, 'ca.crt'), ...client(a) });
      assert.equal(ok.category, 'ok', ok.message);
    } finally {
      server.kill();
    }
  });

  it('nothing listening, not TLS, silence: refused, not-tls, timeout', async () => {
    const closed = await plainServer(() => undefined);
    await new Promise<void>((resolve) => closed.server.close(() => resolve()));
    const refused = await liveCheck({ host: '127.0.0.1', port: closed.port, ...client(a) });
    assert.equal(refused.category, 'refused', refused.message);
    assert.match(refused.message, /nothing listens on 127\.0\.0\.1:\d+/);

    const http = await plainServer((s) => {
      s.on('error', () => undefined);
      s.once('data', () => s.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n'));
    });
    const silent = await plainServer((s) => s.on('error', () => undefined));
    try {
      const notTls = await liveCheck({ host: '127.0.0.1', port: http.port, ...client(a) });
      assert.equal(notTls.category, 'not-tls', notTls.message);
      const timeout = await liveCheck({ host: '127.0.0.1', port: silent.port, ...client(a), timeoutMs: 300 });
      assert.equal(timeout.category, 'timeout', timeout.message);
      assert.equal(timeout.connected, false);
    } finally {
      http.server.close();
      silent.server.close();
    }
  });
});
