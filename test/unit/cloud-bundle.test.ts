/** Cloud, the pure parts: the upload guards on a CA file's text, fingerprints, the history store, the default paths. */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkCaText, normalizeFingerprint } from '../../src/core/cloud/bundle';
import { defaultRollback, findHistory, listHistory, saveHistory, userConfigDir } from '../../src/core/cloud/history';
import { defaultCaCertPath } from '../../src/core/cloud/caCert';
import { CertsFixture, makeCertsDir } from '../support/certs';
import { tmpDir } from '../support/tmp';

describe('cloud: bundles, history, paths', function () {
  this.timeout(20_000);
  let fx: CertsFixture;
  let ca: string;
  before(async () => {
    fx = await makeCertsDir({ clientCa: true, users: ['alice'] });
    ca = readFileSync(join(fx.certsDir, 'ca-client.crt'), 'utf8');
  });

  it('checkCaText: CA certificates pass, once each; a leaf, a key, a non-certificate block or no PEM are refused naming the file', () => {
    const now = new Date();
    const r = checkCaText(ca + ca, 'ca.pem', now);
    assert.equal(r.certs.length, 1, 'the same CA twice is kept once');
    assert.deepEqual(r.warnings, []);
    assert.throws(
      () => checkCaText(readFileSync(join(fx.certsDir, 'client.alice.crt'), 'utf8'), 'f.pem', now),
      /^UserError: the certificate in f\.pem .* is not a CA/,
    );
    assert.throws(() => checkCaText(ca + readFileSync(fx.clientCaKey!, 'utf8'), 'f.pem', now), /f\.pem \(--cert-file\) holds a private key/);
    assert.throws(
      () => checkCaText(`${ca}-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n`, 'f.pem', now),
      /block 2 in f\.pem .* is "X509 CRL", not CERTIFICATE/,
    );
    assert.throws(() => checkCaText('hello', 'f.pem', now), /f\.pem \(--cert-file\) holds no PEM certificate/);
    const later = new Date(Date.now() + 3670 * 86_400_000);
    assert.throws(() => checkCaText(ca, 'f.pem', later), /expired on/);
    assert.equal(checkCaText(ca, 'f.pem', later, { allowExpired: true }).certs.length, 1, 'remove --cert-file may name an expired CA');
    const nearEnd = new Date(Date.now() + 3655 * 86_400_000);
    assert.match(checkCaText(ca, 'f.pem', nearEnd).warnings[0], /expires in \d+ d/);
  });

  it('normalizeFingerprint takes hex with or without colons and a SHA256: prefix', () => {
    const fp = 'AB:'.repeat(31) + 'AB';
    assert.equal(normalizeFingerprint('ab'.repeat(32)), fp);
    assert.equal(normalizeFingerprint(`SHA256:${fp.toLowerCase()}`), fp);
    assert.equal(normalizeFingerprint('abc'), undefined);
  });

  it('history: saved entries list newest first; rollback finds the newest or an id; junk files are skipped', () => {
    const dir = tmpDir();
    const cluster = { id: 'c1', name: 'prod' };
    const a = saveHistory(dir, { cluster, command: 'client-ca set prod', status: 'NOT_SET' }, new Date('2026-01-01T00:00:00.001Z'));
    const b = saveHistory(dir, { cluster, command: 'client-ca add prod', status: 'IS_SET', x509_pem_cert: ca }, new Date('2026-01-01T00:00:00.002Z'));
    writeFileSync(join(dir, 'c1', '20260101T000000003Z-abcdef.json'), '{"not": "an entry"}');
    assert.deepEqual(
      listHistory(dir, cluster).map((e) => e.id),
      [b.id, a.id],
    );
    assert.equal(findHistory(dir, cluster).id, b.id);
    assert.equal(findHistory(dir, cluster, a.id).status, 'NOT_SET');
    assert.throws(() => findHistory(dir, cluster, 'nope'), new RegExp(`no saved bundle "nope" for cluster "prod" \\(c1\\): pick one of ${b.id}, ${a.id}`));
    assert.throws(() => findHistory(dir, { id: 'c2' }), /no saved client CA bundle for cluster c2/);
    assert.throws(() => saveHistory(dir, { cluster: { id: '../x' }, command: 'x', status: 'NOT_SET' }, new Date()), /cannot name a history folder/);
  });

  it('rollback without an ID after a rollback goes further back: entries a rollback saved, and the one it put back, are skipped', () => {
    const dir = tmpDir();
    const cluster = { id: 'c1', name: 'prod' };
    const t = (ms: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, 0, ms));
    // NOT_SET --set--> A --add--> A+B --remove--> B; each change saved the bundle before it.
    const beforeSet = saveHistory(dir, { cluster, command: 'client-ca set prod', status: 'NOT_SET' }, t(1));
    const beforeAdd = saveHistory(dir, { cluster, command: 'client-ca add prod', status: 'IS_SET', x509_pem_cert: 'A' }, t(2));
    const beforeRemove = saveHistory(dir, { cluster, command: 'client-ca remove prod', status: 'IS_SET', x509_pem_cert: 'A+B' }, t(3));
    assert.equal(findHistory(dir, cluster).id, beforeRemove.id, 'the first rollback undoes the remove');
    // The rollback saves B before putting A+B back; the next default is the add's entry, not B.
    saveHistory(dir, { cluster, command: 'client-ca rollback prod', status: 'IS_SET', x509_pem_cert: 'B', rolledBackTo: beforeRemove.id }, t(4));
    assert.equal(findHistory(dir, cluster).id, beforeAdd.id);
    saveHistory(dir, { cluster, command: 'client-ca rollback prod', status: 'IS_SET', x509_pem_cert: 'A+B', rolledBackTo: beforeAdd.id }, t(5));
    assert.equal(findHistory(dir, cluster).id, beforeSet.id);
    saveHistory(dir, { cluster, command: 'client-ca rollback prod', status: 'IS_SET', x509_pem_cert: 'A', rolledBackTo: beforeSet.id }, t(6));
    assert.throws(
      () => findHistory(dir, cluster),
      /every saved bundle of cluster "prod" \(c1\) was saved by a rollback or already rolled back to: pass the ID/,
    );
    // A new change after a rollback is undone first again.
    const beforeNew = saveHistory(dir, { cluster, command: 'client-ca add prod', status: 'NOT_SET' }, t(7));
    assert.equal(defaultRollback(listHistory(dir, cluster))?.id, beforeNew.id);
    // An explicit ID still picks any entry, one saved by a rollback too.
    assert.equal(findHistory(dir, cluster, listHistory(dir, cluster)[1].id).rolledBackTo, beforeSet.id);
  });

  it('default paths: libpq root.crt and the user config dir per platform', () => {
    assert.equal(defaultCaCertPath({}, 'linux', '/home/u'), '/home/u/.postgresql/root.crt');
    assert.equal(
      defaultCaCertPath({ APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, 'win32', 'C:\\Users\\u'),
      'C:\\Users\\u\\AppData\\Roaming\\postgresql\\root.crt',
    );
    assert.equal(userConfigDir({}, 'linux', '/home/u'), '/home/u/.config/crdb-tls');
    assert.equal(userConfigDir({ XDG_CONFIG_HOME: '/x' }, 'linux', '/home/u'), '/x/crdb-tls');
    assert.equal(userConfigDir({}, 'darwin', '/Users/u'), '/Users/u/Library/Application Support/crdb-tls');
    assert.equal(userConfigDir({ APPDATA: 'C:\\A' }, 'win32', 'C:\\U'), 'C:\\A\\crdb-tls');
  });
});
