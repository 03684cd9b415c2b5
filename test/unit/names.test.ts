import { strict as assert } from 'node:assert';
import { hostProblem, hostsToSans, normalizeUserName, validateUserName } from '../../src/core/pki/names';
import { UserError } from '../../src/core/errors';

describe('user names (CockroachDB rules)', () => {
  it('case-folds and NFC-normalises like lexbase.NormalizeName', () => {
    assert.equal(normalizeUserName('Root'), 'root');
    assert.equal(normalizeUserName('J\u0055\u0308rgen'), 'j\u00fcrgen'); // U + combining diaeresis → ü
    assert.equal(normalizeUserName('\u0130stanbul'), 'istanbul');
  });

  it('accepts the names cockroach cert create-client accepts', () => {
    for (const u of ['root', 'my_user', 'app.reader', 'a-b', '_x', '9lives', 'Jürgen']) assert.doesNotThrow(() => validateUserName(u), u);
    assert.equal(validateUserName('MAXROACH'), 'maxroach');
  });

  it('rejects names CockroachDB rejects, saying what is allowed', () => {
    for (const u of ['', '-x', '.x', 'a b', 'a/b', 'a@b', 'x'.repeat(64), 'é'.repeat(32)]) {
      assert.throws(
        () => validateUserName(u),
        (e: unknown) => e instanceof UserError && /Invalid user name/.test(e.message),
        JSON.stringify(u),
      );
    }
    assert.doesNotThrow(() => validateUserName('x'.repeat(63)));
  });
});

describe('node hosts', () => {
  it('splits IPs from DNS names as net.ParseIP would', () => {
    assert.deepEqual(hostsToSans(['localhost', '127.0.0.1', '::1', '*.crdb.internal', 'node-1.example.com']), {
      dns: ['localhost', '*.crdb.internal', 'node-1.example.com'],
      ip: ['127.0.0.1', '::1'],
    });
  });

  it("requires at least one host, with cockroach's message", () => {
    assert.throws(() => hostsToSans([]), /create-node requires at least one host name or address, none was specified/);
  });

  it('rejects hosts that cannot be a SAN', () => {
    for (const h of ['', 'has space', 'a..b', 'foo.*.com', '-lead.com', 'fe80::1%eth0', 'x'.repeat(64) + '.com', 'http://host']) {
      assert.ok(hostProblem(h), JSON.stringify(h));
      assert.throws(() => hostsToSans([h]), /Invalid host/);
    }
  });
});
