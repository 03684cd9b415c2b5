/** The completion scripts of the built CLI (dist/cli.js) in real shells: bash always; zsh and fish when installed. */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMMANDS } from '../../src/cli/spec';
import { CLI, crdbTls } from '../support/exec';
import { tmpDir } from '../support/tmp';

const has = (sh: string) => spawnSync('sh', ['-c', `command -v ${sh}`]).status === 0;

/** bash -c with a `crdb-tls` function that runs the built CLI, the script sourced from `crdb-tls completion bash`. */
function bash(script: string): { status: number; stdout: string; stderr: string } {
  const prelude = `crdb-tls() { ${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} "$@"; }\nsource <(crdb-tls completion bash)\n`;
  const r = spawnSync('bash', ['--norc', '--noprofile', '-c', prelude + script], { encoding: 'utf8' });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** The replies of the completion function for the words (the last one is being completed). */
function complete(...words: string[]): string[] {
  const quoted = words.map((w) => `'${w.replace(/'/g, `'\\''`)}'`).join(' ');
  const r = bash(`COMP_WORDS=(crdb-tls ${quoted}); COMP_CWORD=${words.length}; COMPREPLY=(); _crdb_tls; printf '%s\\n' "\${COMPREPLY[@]}"`);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  return r.stdout.split('\n').filter(Boolean);
}

describe('crdb-tls completion', function () {
  this.timeout(60_000);
  const checked: string[] = [];
  after(() => console.log(`      completion scripts checked with: ${checked.join(', ') || 'none'}`));

  it('bash: the script passes bash -n, and after sourcing it complete -p crdb-tls prints the completion', () => {
    const r = crdbTls(['completion', 'bash']);
    assert.equal(r.status, 0, r.stderr);
    const file = join(tmpDir(), 'crdb-tls.bash');
    writeFileSync(file, r.stdout);
    const n = spawnSync('bash', ['-n', file], { encoding: 'utf8' });
    assert.equal(n.status, 0, n.stderr);
    const p = bash('complete -p crdb-tls');
    assert.equal(p.status, 0, p.stderr);
    assert.equal(p.stdout.trim(), 'complete -F _crdb_tls crdb-tls');
    checked.push('bash');
  });

  it('bash: commands, subcommands, flags and enumerated values complete from the table', () => {
    assert.deepEqual(complete('cert', 'cr'), ['create-ca', 'create-client-ca', 'create-node', 'create-client', 'create-csr']);
    const node = COMMANDS.find((c) => c.path === 'cert create-node');
    assert.deepEqual(complete('cert', 'create-node', '--'), [...(node?.flags.map((f) => `--${f.name}`) ?? []), '--help']);
    assert.deepEqual(complete('cert', 'create-node', '--key-type', ''), ['rsa', 'ecdsa']);
    assert.deepEqual(complete('cert', 'create-node', '--key-type', '=', 'e'), ['ecdsa']);
    assert.deepEqual(complete('monitor', '--format', 'p'), ['prometheus']);
    assert.deepEqual(complete('cloud', 'client-ca', 'r'), ['remove', 'rollback']);
    assert.deepEqual(complete('help', 'cloud', 'c'), ['client-ca', 'clusters', 'ca-cert']);
    assert.deepEqual(complete('completion', ''), ['bash', 'zsh', 'fish']);
    assert.ok(complete('').includes('changefeed-uri'));
    // A hidden flag (another fleet command's) is not offered.
    assert.ok(!complete('fleet', 'status', '--').includes('--ca-key'));
  });

  it('bash: file and directory names where the table says so', () => {
    const dir = tmpDir();
    writeFileSync(join(dir, 'node.crt'), '');
    assert.deepEqual(complete('inspect', join(dir, 'no')), [join(dir, 'node.crt')]);
    assert.deepEqual(complete('cert', 'create-node', '--ca-key', join(dir, 'n')), [join(dir, 'node.crt')]);
    assert.deepEqual(complete('cert', 'list', '--certs-dir', join(dir, 'n')), []);
    // The positional after a value flag's value: inspect FILE after --ca-file CA.
    assert.deepEqual(complete('inspect', '--ca-file', 'x', join(dir, 'no')), [join(dir, 'node.crt')]);
  });

  for (const sh of ['zsh', 'fish']) {
    it(`${sh}: the script passes ${sh} -n`, function () {
      // .ci/run installs both shells: a missing one fails here rather than passing unchecked.
      assert.ok(has(sh), `${sh} is not installed (apt-get install ${sh}): its completion script cannot be checked`);
      const r = crdbTls(['completion', sh]);
      assert.equal(r.status, 0, r.stderr);
      const file = join(tmpDir(), `crdb-tls.${sh}`);
      writeFileSync(file, r.stdout);
      const n = spawnSync(sh, ['-n', file], { encoding: 'utf8' });
      assert.equal(n.status, 0, n.stderr);
      checked.push(sh);
    });
  }
});
