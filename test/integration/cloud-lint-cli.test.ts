/**
 * crdb-tls lint and test-connection on CockroachDB Cloud hosts, through the CLI, with a temp HOME
 * whose ~/.postgresql/root.crt is a self-hosted CA, a Cloud-like CA or absent. test-connection
 * must stop in its preflight: the child runs with DNS blocked (a preload), so a Cloud host is
 * never looked up or connected to, even if the preflight let it through.
 */
import { strict as assert } from 'node:assert';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crdbTls } from '../support/exec';
import { tmpDir } from '../support/tmp';
import { cloudLikeCa } from '../support/cloudCa';

const CLOUD = 'blue-dog-147.j77.aws-us-east-1.cockroachlabs.cloud';
const CLOUD_URL = `postgresql://alice@${CLOUD}:26257/defaultdb?sslmode=verify-full`;

interface JsonFinding {
  line: number;
  code: string;
  message: string;
}

describe('crdb-tls lint / test-connection: Cloud hosts and libpq default CA file', function () {
  this.timeout(120_000);
  let root: string;
  let home: string;
  let selfCa: string;
  let cloudCa: string;
  let env: NodeJS.ProcessEnv;
  const rootCrt = () => join(home, '.postgresql', 'root.crt');

  before(() => {
    root = tmpDir();
    home = join(root, 'home');
    mkdirSync(join(home, '.postgresql'), { recursive: true });
    mkdirSync(join(root, 'safe'), { mode: 0o700 });
    const r = crdbTls(['cert', 'create-ca', '--certs-dir', join(root, 'certs'), '--ca-key', join(root, 'safe', 'ca.key')]);
    assert.equal(r.status, 0, r.stderr);
    selfCa = join(root, 'certs', 'ca.crt');
    cloudCa = cloudLikeCa(root);
    const preload = join(root, 'no-dns.js');
    writeFileSync(
      preload,
      [
        "const blocked = () => { const e = new Error('DNS blocked by the test'); e.code = 'EBLOCKED'; throw e; };",
        "require('node:dns/promises').lookup = async () => blocked();",
        "require('node:dns').lookup = (_h, _o, cb) => (typeof _o === 'function' ? _o : cb)(Object.assign(new Error('DNS blocked by the test'), { code: 'EBLOCKED' }));",
      ].join('\n'),
    );
    env = { ...process.env, HOME: home, NODE_OPTIONS: `--require ${preload}` };
    writeFileSync(join(root, 'app.env'), `CLOUD_URL=${CLOUD_URL}\nSELF_URL=postgresql://alice@db.internal:26257/defaultdb?sslmode=verify-full\n`);
  });

  const lint = () => {
    const r = crdbTls(['lint', '--json', 'app.env'], { cwd: root, env });
    return JSON.parse(r.stdout) as JsonFinding[];
  };
  const codesOn = (fs: JsonFinding[], line: number) => fs.filter((f) => f.line === line).map((f) => f.code);

  it('lint: a self-hosted CA in root.crt → cloud-ca-different on the Cloud line, rootcert-missing on the other', () => {
    copyFileSync(selfCa, rootCrt());
    const fs = lint();
    assert.deepEqual(codesOn(fs, 1), ['cloud-ca-different']);
    assert.deepEqual(codesOn(fs, 2), ['rootcert-missing']);
    const m = fs.find((f) => f.code === 'cloud-ca-different')!.message;
    assert.ok(m.includes(rootCrt()) && m.includes('crdb-tls cloud ca-cert CLUSTER --overwrite'), m);
  });

  it('lint: a Cloud-like CA in root.crt → nothing on the Cloud line', () => {
    copyFileSync(cloudCa, rootCrt());
    const fs = lint();
    assert.deepEqual(codesOn(fs, 1), []);
    assert.deepEqual(codesOn(fs, 2), ['rootcert-missing']);
  });

  it('lint: no root.crt → cloud-ca-missing', () => {
    rmSync(rootCrt(), { force: true });
    assert.deepEqual(codesOn(lint(), 1), ['cloud-ca-missing']);
  });

  it('test-connection: a CA in root.crt that looks self-hosted is named in a note, with the fix, and the (blocked) lookup still runs', () => {
    copyFileSync(selfCa, rootCrt());
    const r = crdbTls(['test-connection', '--json', CLOUD_URL], { cwd: root, env, timeoutMs: 60_000 });
    assert.equal(r.status, 1, r.stderr);
    const j = JSON.parse(r.stdout) as { category: string; details: { notes: string[] } };
    assert.notEqual(j.category, 'unknown-authority', 'only the handshake can tell: a subject is no proof');
    const note = j.details.notes.join('\n');
    assert.ok(note.includes(rootCrt()) && note.includes("a self-hosted cluster's CA") && note.includes('crdb-tls cloud ca-cert CLUSTER --overwrite'), note);
  });

  it('test-connection: with a Cloud-like CA the preflight passes and the (blocked) DNS lookup is next', () => {
    copyFileSync(cloudCa, rootCrt());
    const r = crdbTls(['test-connection', '--json', CLOUD_URL], { cwd: root, env, timeoutMs: 60_000 });
    const j = JSON.parse(r.stdout) as { category: string; cause: string };
    assert.equal(j.category, 'dns', r.stdout);
    assert.ok(j.cause.includes('EBLOCKED'), j.cause);
  });
});
