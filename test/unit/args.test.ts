/**
 * cli/args: the flags of every command, on node:util parseArgs. How each pflag-like behaviour maps
 * onto node's tokens, the errors node would throw in strict mode turned into one-line UserErrors, and
 * `--version` written into the bundle at build time.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs as nodeParseArgs } from 'node:util';
import { FlagSpec, nodeParseError, parseArgs } from '../../src/cli/args';
import { UserError } from '../../src/core/errors';
import { CLI, REPO_ROOT } from '../support/exec';
import { tmpDir } from '../support/tmp';

const spec: FlagSpec = { values: ['lifetime', 'verify', 'reload-cmd'], bools: ['json', 'dry-run'], lists: ['table', 'option'] };
const KNOWN = 'known flags: --lifetime, --verify, --reload-cmd, --table, --option, --json, --dry-run.';
const parse = (argv: string[], s: FlagSpec = spec) => parseArgs(argv, s, 'cmd');
const refuses = (argv: string[], message: string, s: FlagSpec = spec) =>
  assert.throws(
    () => parse(argv, s),
    (e: unknown) => e instanceof UserError && e.message === message,
    JSON.stringify(argv),
  );

describe('cli/args on node:util parseArgs', () => {
  it('--flag=value and --flag value are the same; a value flag given twice keeps the last', () => {
    assert.deepEqual(parse(['--lifetime=1h']).values, { lifetime: '1h' });
    assert.deepEqual(parse(['--lifetime', '1h']).values, { lifetime: '1h' });
    assert.deepEqual(parse(['--lifetime', '1h', '--lifetime=2h']).values, { lifetime: '2h' });
    assert.deepEqual(parse(['--verify=a=b']).values, { verify: 'a=b' });
  });

  it('booleans: --flag, --flag=true, --flag=false; anything else is refused; the next argument is never their value', () => {
    assert.deepEqual(parse(['--json']).bools, { json: true });
    assert.deepEqual(parse(['--json=true', '--dry-run=false']).bools, { json: true, 'dry-run': false });
    const a = parse(['--json', 'false']);
    assert.deepEqual([a.bools, a.positionals], [{ json: true }, ['false']]);
    refuses(['--json=maybe'], 'cmd: --json takes true or false, not "maybe".');
    refuses(['--json='], 'cmd: --json takes true or false, not "".');
  });

  it('a value starting with "-" is a value, unless it is a flag of the command', () => {
    assert.deepEqual(parse(['--reload-cmd', '-x']).values, { 'reload-cmd': '-x' });
    assert.deepEqual(parse(['--verify', '--']).values, { verify: '--' });
    assert.deepEqual(parse(['--verify', '--nope']).values, { verify: '--nope' });
    assert.deepEqual(parse(['--verify=--json']).values, { verify: '--json' });
    refuses(['--verify', '--json'], 'cmd: --verify needs a value, e.g. --verify=VALUE.');
    refuses(['--verify', '--table=t'], 'cmd: --verify needs a value, e.g. --verify=VALUE.');
    refuses(['--verify'], 'cmd: --verify needs a value, e.g. --verify=VALUE.');
  });

  it('empty values are refused, list flags included', () => {
    for (const argv of [['--lifetime='], ['--verify', ''], ['--verify', ' \t'], ['--table='], ['--option', '']]) {
      const flag = argv[0].replace(/=.*/, '');
      refuses(argv, `cmd: ${flag} is empty: give it a value, or leave the flag out for its default.`);
    }
  });

  it('repeatable flags keep every value in order; one not given is an empty list', () => {
    const a = parse(['--table', 'a', '--option=updated', '--table=b', '--table', '-c']);
    assert.deepEqual(a.lists, { table: ['a', 'b', '-c'], option: ['updated'] });
    assert.deepEqual(parse([]).lists, { table: [], option: [] });
  });

  it('"--" ends the flags and "-" is a positional (stdin)', () => {
    const a = parse(['-', 'x', '--json', '--', '--lifetime', '-x', '--']);
    assert.deepEqual(a.positionals, ['-', 'x', '--lifetime', '-x', '--']);
    assert.deepEqual([a.bools, a.values], [{ json: true }, {}]);
  });

  it('unknown flags: named as typed with the known flags; a single-dash one (or a group) is named whole', () => {
    refuses(['--nope=1'], `cmd: unknown flag --nope; ${KNOWN}`);
    refuses(['--JSON'], `cmd: unknown flag --JSON; ${KNOWN}`);
    refuses(['-x'], `cmd: unknown flag -x: flags are long ones, such as --help; ${KNOWN}`);
    refuses(['-xvf', 'a'], `cmd: unknown flag -xvf: flags are long ones, such as --help; ${KNOWN}`);
    refuses(['-x=1'], `cmd: unknown flag "-x=1": flags are long ones, such as --help; ${KNOWN}`);
    refuses(['-1'], `cmd: unknown flag -1: flags are long ones, such as --help; ${KNOWN}`);
    // A one-letter long flag is never reached by -x (node would read -x as that flag).
    refuses(['-v', 'a'], 'cmd: unknown flag -v: flags are long ones, such as --help; known flags: --v.', { values: ['v'], bools: [] });
    refuses(['--__proto__=1'], `cmd: unknown flag "--__proto__"; ${KNOWN}`);
  });

  it('dashIsText: unknown dash arguments are text, kept whole and once; the own flags are still flags', () => {
    const a = parse(['-xyz', '--- FATAL', '--json', '--nope=1', '-'], { values: [], bools: ['json'], dashIsText: true });
    assert.deepEqual(a.positionals, ['-xyz', '--- FATAL', '--nope=1', '-']);
    assert.equal(a.bools.json, true);
    refuses(['--json=x'], 'cmd: --json takes true or false, not "x".', { values: [], bools: ['json'], dashIsText: true });
  });

  it('bad input gives one UserError line, never a node ERR_* code', () => {
    let seed = 20261201;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const atoms = [
      '--lifetime',
      '--lifetime=',
      '--verify',
      '--json',
      '--json=no',
      '--table',
      '-x',
      '-xy=z',
      '--',
      '-',
      '',
      'a',
      '--=',
      '---',
      '--a\nb',
      '--nope',
      `--${'z'.repeat(5000)}`,
    ];
    for (let i = 0; i < 3000; i++) {
      const argv = Array.from({ length: 1 + Math.floor(rand() * 5) }, () => atoms[Math.floor(rand() * atoms.length)]);
      try {
        parse(argv);
      } catch (e) {
        assert.ok(e instanceof UserError, JSON.stringify(argv));
        assert.ok(!/\bERR_[A-Z]/.test(e.message) && !e.message.includes('\n') && e.message.length < 400, e.message.slice(0, 200));
      }
    }
  });

  it('nodeParseError: what node strict mode throws becomes the one-line error naming the flag and the fix', () => {
    const options = { verify: { type: 'string' as const }, json: { type: 'boolean' as const } };
    const s: FlagSpec = { values: ['verify'], bools: ['json'] };
    const thrown = (args: string[], allowPositionals = true) => {
      try {
        nodeParseArgs({ args, options, strict: true, allowPositionals });
      } catch (e) {
        assert.match(String((e as { code?: string }).code), /^ERR_PARSE_ARGS_/);
        return nodeParseError(e, s, 'cmd').message;
      }
      assert.fail(`node accepted ${JSON.stringify(args)}`);
    };
    assert.equal(thrown(['--nope']), 'cmd: unknown flag --nope; known flags: --verify, --json.');
    assert.equal(thrown(['-x']), 'cmd: unknown flag -x: flags are long ones, such as --help; known flags: --verify, --json.');
    assert.equal(thrown(['--verify']), 'cmd: --verify needs a value, e.g. --verify=VALUE.');
    assert.equal(thrown(['--verify', '-x']), 'cmd: --verify needs a value, e.g. --verify=VALUE.');
    assert.equal(thrown(['--json=false']), 'cmd: --json takes true or false: give it as --json or --json=false.');
    assert.equal(thrown(['a'], false), 'cmd takes no arguments: pass values with flags (known flags: --verify, --json).');
    assert.equal(
      nodeParseError(new TypeError('The "args" argument must be an instance of Array'), s, 'cmd').message,
      'cmd: cannot read the arguments: give flags as --flag=VALUE or --flag VALUE; known flags: --verify, --json.',
    );
  });
});

describe('crdb-tls --version', () => {
  const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };

  it("prints package.json's version, written into dist/cli.js at build time", () => {
    const r = spawnSync(process.execPath, [CLI, '--version'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `${version}\n`);
  });

  it('does not read package.json at run time: a copy of dist/cli.js alone in a folder prints it too', () => {
    const dir = tmpDir();
    copyFileSync(CLI, join(dir, 'cli.js'));
    const r = spawnSync(process.execPath, [join(dir, 'cli.js'), '--version'], { cwd: dir, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `${version}\n`);
    assert.ok(!readFileSync(CLI, 'utf8').includes('package.json'), 'dist/cli.js names package.json');
  });
});
