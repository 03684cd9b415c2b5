import { strict as assert } from 'node:assert';
import { publicEncrypt, privateDecrypt } from 'node:crypto';
import { generateRsaKeyPair } from '../../src/core/pki/rsakeygen';
import { generateRsaKey } from '../../src/core/pki/keys';
import { openssl } from '../support/exec';

const big = (b64: string | undefined) => BigInt('0x' + Buffer.from(b64 ?? '', 'base64url').toString('hex'));

describe('RSA keys from two primes searched at once (pki/rsakeygen)', function () {
  this.timeout(60_000);
  for (const bits of [2048, 1024, 3072, 2047]) {
    it(`RSA ${bits}: the size asked, e = 65537, consistent CRT values; it signs, verifies and decrypts`, async () => {
      const { privateKey, publicKey } = await generateRsaKeyPair(bits);
      assert.equal(privateKey.asymmetricKeyDetails?.modulusLength, bits);
      assert.equal(publicKey.asymmetricKeyDetails?.publicExponent, 65537n);
      const j = privateKey.export({ format: 'jwk' });
      const [n, e, d, p, q, dp, dq, qi] = [j.n, j.e, j.d, j.p, j.q, j.dp, j.dq, j.qi].map(big);
      assert.equal(p * q, n);
      assert.equal(n.toString(2).length, bits);
      assert.ok((d * e - 1n) % (p - 1n) === 0n && (d * e - 1n) % (q - 1n) === 0n, 'e·d ≡ 1 mod λ(n)');
      assert.equal(dp, d % (p - 1n));
      assert.equal(dq, d % (q - 1n));
      assert.equal((qi * q) % p, 1n);
      const msg = Buffer.from('hello');
      assert.deepEqual(privateDecrypt(privateKey, publicEncrypt(publicKey, msg)), msg);
    });
  }

  it('openssl rsa -check accepts the key files generateRsaKey writes (PKCS#1 PEM)', async () => {
    for (let i = 0; i < 3; i++) {
      const k = await generateRsaKey(2048);
      assert.match(k.pem, /^-----BEGIN RSA PRIVATE KEY-----\n/);
      const r = openssl(['rsa', '-check', '-noout'], { input: k.pem });
      assert.match(r.stdout + r.stderr, /RSA key ok/);
    }
  });
});
