/** test-connection's diagnosis of a refused login: a configured client certificate the server never got is client-cert-not-sent. */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { diagnose } from '../../src/core/tls/diagnosis';
import { Attempt, Ctx } from '../../src/core/tls/testConnectionTypes';
import { makeCertsDir } from '../support/certs';

describe('test-connection diagnosis: a client certificate configured but not sent', function () {
  this.timeout(20_000);

  async function ctxFor(user: string, withCert: boolean): Promise<Ctx> {
    const fx = await makeCertsDir({ users: ['alice'] });
    const path = join(fx.certsDir, 'client.alice.crt');
    const cert = withCert ? { check: { path }, ref: { certs: [new X509Certificate(readFileSync(path))] } } : undefined;
    // Only what the auth-failed diagnosis reads.
    return { hp: 'db:26257', user, certsDir: fx.certsDir, details: { notes: [] }, caCerts: [], cert } as unknown as Ctx;
  }
  const failed = (message: string): Attempt => ({ ok: false, error: new Error(message), stage: 'startup', timings: {}, sentCert: true });

  it("the server asks for a certificate, or for a password from the certificate's user, although sslcert was configured", async () => {
    const alice = await ctxFor('alice', true);
    const asks = diagnose(alice, 'auth-failed', failed('connection requires a valid client certificate'));
    assert.equal(asks.category, 'client-cert-not-sent');
    assert.match(asks.cause, /^db:26257 requires a client certificate for alice as if none had been sent, although sslcert names .*client\.alice\.crt/);
    assert.match(asks.fix, /CA the server lists for clients/);
    assert.equal(diagnose(alice, 'auth-failed', failed('password authentication failed for user "alice"')).category, 'client-cert-not-sent');
  });

  it('stays auth-failed when no certificate was configured, or the certificate is for another user', async () => {
    const none = await ctxFor('alice', false);
    assert.equal(diagnose(none, 'auth-failed', failed('connection requires a valid client certificate')).category, 'auth-failed');
    assert.equal(diagnose(none, 'auth-failed', failed('password authentication failed for user "alice"')).category, 'auth-failed');
    const bob = await ctxFor('bob', true);
    assert.equal(diagnose(bob, 'auth-failed', failed('password authentication failed for user "bob"')).category, 'auth-failed');
    assert.equal(diagnose(bob, 'auth-failed', failed('certificate authentication failed for user "bob"')).category, 'auth-failed');
  });
});
