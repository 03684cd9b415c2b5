/**
 * PKCS#12 identities (Prisma's sslidentity, a Java keystore) for RSA and ECDSA client keys: Node's
 * TLS loads each with its passphrase (and refuses a wrong one), and a loopback TLS server that
 * requires a client certificate sees the one in the file.
 */
import { strict as assert } from 'node:assert';
import { X509Certificate, generateKeyPairSync } from 'node:crypto';
import { AddressInfo } from 'node:net';
import * as tls from 'node:tls';
import { pkcs12Der } from '../../src/core/pki/keys';
import { issueCertificate } from '../../src/core/pki/issue';

const DAY_MS = 86_400_000;
const now = new Date();

async function handshake(pfx: Buffer, passphrase: string, ca: string, server: { key: string; cert: string }): Promise<string | undefined> {
  const srv = tls.createServer({ ...server, ca, requestCert: true, rejectUnauthorized: true });
  const seen = new Promise<string | undefined>((resolve) =>
    srv.on('secureConnection', (s) => {
      resolve(String(s.getPeerCertificate().subject?.CN));
      s.end();
    }),
  );
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  try {
    const { port } = srv.address() as AddressInfo;
    const sock = tls.connect({ host: '127.0.0.1', port, pfx, passphrase, ca, servername: 'localhost' });
    await new Promise<void>((resolve, reject) => {
      sock.on('secureConnect', resolve);
      sock.on('error', reject);
    });
    const cn = await seen;
    sock.destroy();
    return cn;
  } finally {
    srv.close();
  }
}

describe('pkcs12Der: RSA and ECDSA client identities', function () {
  this.timeout(30_000);
  for (const type of ['ec', 'rsa'] as const) {
    it(`${type}: Node's TLS loads it, refuses a wrong passphrase, and the server sees the client certificate`, async () => {
      const caKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const caPem = await issueCertificate({ kind: 'ca', commonName: 'CA', lifetimeMs: DAY_MS, now, publicKey: caKey.publicKey }, { key: caKey.privateKey });
      const issuer = { cert: new X509Certificate(caPem), key: caKey.privateKey };
      const client = type === 'ec' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('rsa', { modulusLength: 2048 });
      const clientPem = await issueCertificate({ kind: 'client', commonName: 'alice', lifetimeMs: DAY_MS, now, publicKey: client.publicKey }, issuer);
      const nodeKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const nodePem = await issueCertificate(
        { kind: 'node', commonName: 'node', lifetimeMs: DAY_MS, now, dns: ['localhost'], ip: ['127.0.0.1'], publicKey: nodeKey.publicKey },
        issuer,
      );
      const pfx = await pkcs12Der(client.privateKey, clientPem + caPem, 'pässword', 'alice');
      tls.createSecureContext({ pfx, passphrase: 'pässword' });
      assert.throws(() => tls.createSecureContext({ pfx, passphrase: 'wrong' }), /mac verify failure|bad decrypt|PKCS12/i);
      const cn = await handshake(pfx, 'pässword', caPem, { key: nodeKey.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), cert: nodePem });
      assert.equal(cn, 'alice');
    });
  }

  it('refuses a PEM without a certificate', async () => {
    const k = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    await assert.rejects(pkcs12Der(k.privateKey, 'no pem here', 'pw', 'bob'), /no certificate to put into the PKCS#12 file for bob/);
  });
});
