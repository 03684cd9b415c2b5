import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { makeCertsDir } from '../support/certs';
import { run, REPO_ROOT } from '../support/exec';
import { tmpDir } from '../support/tmp';

describe('the CLI as an npm package (npm pack, npm install -g from the tarball)', function () {
  this.timeout(180_000);
  let prefix: string;
  let bin: string;

  before(() => {
    const out = tmpDir('npm-pack-');
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const packed = run(npm, ['pack', '--pack-destination', out, '--json'], { cwd: REPO_ROOT, timeoutMs: 120_000 });
    assert.equal(packed.status, 0, packed.stderr);
    const [info] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
    assert.deepEqual(
      info.files.map((f) => f.path).sort(),
      ['CHANGELOG.md', 'LICENSE', 'README.md', 'dist/cli.js', 'dist/vendor/node-forge.js', 'dist/vendor/pg.js', 'dist/vendor/yaml.js', 'package.json'],
      'the tarball holds the CLI bundle and its lazily loaded vendor bundles only',
    );
    prefix = tmpDir('npm-prefix-');
    // Offline: the package has no dependencies to fetch.
    const installed = run(npm, ['install', '-g', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', join(out, info.filename)], {
      cwd: prefix,
      timeoutMs: 120_000,
    });
    assert.equal(installed.status, 0, installed.stderr);
    bin = join(prefix, 'bin', 'crdb-tls');
    assert.ok(existsSync(bin), `${bin} is installed`);
    const pkgDir = join(prefix, 'lib', 'node_modules', 'cockroach-tls');
    assert.ok(!existsSync(join(pkgDir, 'node_modules')), 'no dependencies were installed');
    assert.deepEqual(readdirSync(pkgDir).sort(), ['CHANGELOG.md', 'LICENSE', 'README.md', 'dist', 'package.json']);
  });

  it('crdb-tls --version prints package.json version', () => {
    const r = run(bin, ['--version'], { cwd: prefix, env: { ...process.env, NODE_PATH: '' } });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).version);
  });

  it('crdb-tls cert list reads a certs dir, and cert create-client issues (node-forge from dist/vendor)', async () => {
    const fx = await makeCertsDir();
    const env = { ...process.env, NODE_PATH: '' };
    const list = run(bin, ['cert', 'list', '--certs-dir', fx.certsDir], { cwd: prefix, env });
    assert.equal(list.status, 0, list.stderr);
    assert.match(list.stdout, /Certificate directory: /);
    assert.match(list.stdout, /client\.root\.crt/);
    const issued = run(bin, ['cert', 'create-client', 'bob', '--certs-dir', fx.certsDir, '--ca-key', fx.caKey], { cwd: prefix, env });
    assert.equal(issued.status, 0, issued.stderr);
    assert.ok(existsSync(join(fx.certsDir, 'client.bob.crt')));
  });
});
