/** The command table (src/cli/spec.ts) drives every command's parser and help: checked through main(), command by command. */
import { strict as assert } from 'node:assert';
import { main } from '../../src/cli/main';
import { COMMANDS, flagSpec } from '../../src/cli/spec';
import { UserError } from '../../src/core/errors';
import { DEFAULT_KEY_SIZE } from '../../src/core/pki/keys';
import { DEFAULT_CA_LIFETIME, DEFAULT_CERT_LIFETIME } from '../../src/core/cockroach/lifetimes';
import { DEFAULT_WARN_MS } from '../../src/core/monitor/report';
import { DEFAULT_POLL_INTERVAL_MS, DEFAULT_WAIT_TIMEOUT_MS } from '../../src/core/cloud';
import { DEFAULT_RELOAD_TIMEOUT_MS } from '../../src/core/certsdir/rotate';
import { DEFAULT_VERIFY_TIMEOUT_MS } from '../../src/core/fleet/context';
import { parseTimeout } from '../../src/core/pki/duration';

async function run(argv: string[]): Promise<{ code: number; out: string; err: string; error?: string }> {
  let out = '';
  let err = '';
  const io = { out: (s: string) => void (out += s), err: (s: string) => void (err += s), env: {} as NodeJS.ProcessEnv };
  try {
    return { code: await main(argv, io), out, err };
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    return { code: 1, out, err, error: e.message };
  }
}

/** What the parser lists as known flags: values, then lists, then bools, as args.ts writes them. */
function known(path: string): string {
  const s = flagSpec(path);
  return [...s.values, ...(s.lists ?? []), ...s.bools].map((f) => `--${f}`).join(', ');
}

describe('command table', () => {
  const parsed = COMMANDS.filter((c) => c.path !== 'help' && !c.dashIsText);

  it(`every command's parser takes its flags from the table (${parsed.length} commands: an unknown flag lists exactly the table's)`, async () => {
    for (const c of parsed) {
      const r = await run([...c.path.split(' '), '--no-such-flag']);
      const msg = r.error ?? r.err.replace(/^crdb-tls: /, '').trim();
      assert.equal(msg, `${c.path}: unknown flag --no-such-flag; known flags: ${known(c.path)}.`, c.path);
    }
  });

  it("explain (its dashes are text) parses the table's flags", async () => {
    assert.deepEqual(flagSpec('explain'), { values: [], bools: ['json', 'help'], lists: [], dashIsText: true });
    const r = await run(['explain', '--json', 'x509: certificate signed by unknown authority']);
    assert.equal(r.code, 0);
    assert.ok(JSON.parse(r.out).category);
  });

  it('COMMAND --help and crdb-tls help COMMAND show the usage, each visible flag and its default from the table', async () => {
    for (const c of COMMANDS) {
      const words = c.path.split(' ');
      const h = await run([...words, '--help']);
      assert.equal(h.code, 0, `${c.path} --help: ${h.error ?? ''}`);
      assert.ok(h.out.startsWith(`Usage: crdb-tls ${c.path} `), c.path);
      assert.ok(h.out.includes(c.summary), c.path);
      for (const f of c.flags) {
        const line = h.out.split('\n').find((l) => l.startsWith(`  --${f.name} `) || l === `  --${f.name}`);
        if (f.hidden) assert.equal(line, undefined, `${c.path}: --${f.name} is hidden`);
        else assert.ok(line?.includes(`default: ${f.default}`) || h.out.includes(`default: ${f.default}`), `${c.path} --${f.name}`);
      }
      assert.equal((await run(['help', ...words])).out, h.out, `help ${c.path}`);
    }
  });

  it('crdb-tls --help lists every command of the table; help of a group lists its subcommands', async () => {
    const top = await run(['--help']);
    for (const c of COMMANDS) assert.ok(top.out.includes(c.path.includes(' ') ? `    ${c.path} ` : `  ${c.path} `), c.path);
    const cert = await run(['help', 'cert']);
    for (const c of COMMANDS.filter((x) => x.path.startsWith('cert '))) assert.match(cert.out, new RegExp(`\\n  ${c.path.slice(5)} `));
    assert.equal((await run(['cert', '--help'])).out, cert.out);
    assert.match((await run(['help', 'cert', 'nope'])).error ?? '', /^help: unknown command "cert nope": "crdb-tls help cert" lists its commands\.$/);
  });

  it('the defaults the table states are the ones the code applies', () => {
    const flag = (path: string, name: string) => COMMANDS.find((c) => c.path === path)?.flags.find((f) => f.name === name)?.default;
    const ms = (d: string | undefined) => parseTimeout(d ?? '');
    assert.equal(flag('cert create-node', 'key-size'), String(DEFAULT_KEY_SIZE));
    assert.equal(flag('cert create-ca', 'lifetime'), DEFAULT_CA_LIFETIME);
    assert.equal(flag('cert create-client', 'lifetime'), DEFAULT_CERT_LIFETIME);
    assert.equal(flag('cert rotate-ca', 'lifetime'), DEFAULT_CA_LIFETIME);
    assert.equal(flag('fleet rotate-node', 'lifetime'), DEFAULT_CERT_LIFETIME);
    assert.equal(flag('fleet rotate-node', 'key-size'), String(DEFAULT_KEY_SIZE));
    assert.equal(ms(flag('cert rotate-node', 'reload-timeout')), DEFAULT_RELOAD_TIMEOUT_MS);
    assert.equal(ms(flag('fleet rotate-node', 'verify-timeout')), DEFAULT_VERIFY_TIMEOUT_MS);
    assert.equal(ms(flag('cloud client-ca add', 'timeout')), DEFAULT_WAIT_TIMEOUT_MS);
    assert.equal(ms(flag('cloud client-ca show', 'interval')), DEFAULT_POLL_INTERVAL_MS);
    assert.equal(flag('monitor', 'warn'), `${DEFAULT_WARN_MS / 86_400_000}d`);
    assert.equal(flag('probe', 'timeout'), '5s');
  });

  it('completion: one script per shell; a bad or missing shell is one line with the fix', async () => {
    for (const sh of ['bash', 'zsh', 'fish']) {
      const r = await run(['completion', sh]);
      assert.equal(r.code, 0);
      for (const c of COMMANDS) assert.ok(r.out.includes(c.path.split(' ').pop() ?? ''), `${sh}: ${c.path}`);
    }
    assert.equal(
      (await run(['completion', 'tcsh'])).error,
      'completion: unknown shell "tcsh": use bash, zsh or fish, e.g. source <(crdb-tls completion bash).',
    );
    assert.match((await run(['completion'])).error ?? '', /^completion needs the shell: bash, zsh or fish/);
  });
});
