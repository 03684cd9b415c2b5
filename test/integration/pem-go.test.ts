/**
 * splitPem against the real thing: Go's encoding/pem (what CockroachDB uses to read certs dirs),
 * built from test/support/go/pemdecode.go with Debian's golang-go, on real PEM and a seeded corpus
 * of damaged PEM. Then the same files through `openssl verify`, to pin what opensslPemProblems says.
 */
import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { opensslPemProblems, splitPem } from '../../src/core/pki/pem';
import { makeCertsDir } from '../support/certs';
import { REPO_ROOT } from '../support/exec';
import { rng } from '../support/fuzz';
import { tmpDir } from '../support/tmp';

interface GoBlock {
  type: string;
  headers: Record<string, string>;
  der: string;
}

function goDecode(inputs: string[], bin: string): GoBlock[][] {
  const out = execFileSync(bin, { input: JSON.stringify(inputs.map((s) => Buffer.from(s, 'latin1').toString('base64'))), maxBuffer: 256 * 1024 * 1024 });
  return JSON.parse(out.toString('utf8')) as GoBlock[][];
}

function ours(text: string): GoBlock[] {
  return splitPem(text).map((b) => ({ type: b.type, headers: b.headers ?? {}, der: b.der.toString('hex') }));
}

/** Small edits that hit the parser's edge cases: dashes, newlines, CR, spaces, tabs, colons, padding, NUL. */
function mutate(text: string, rand: () => number): string {
  const alphabet = [
    '-',
    '-----',
    '\n',
    '\r\n',
    '\r',
    ' ',
    '\t',
    ':',
    '=',
    '\0',
    'A',
    '/',
    '+',
    '\n\n',
    '-----END CERTIFICATE-----',
    '-----BEGIN CERTIFICATE-----\n',
  ];
  let s = text;
  const n = 1 + Math.floor(rand() * 3);
  for (let i = 0; i < n; i++) {
    const at = Math.floor(rand() * (s.length + 1));
    const r = rand();
    if (r < 0.45) s = s.slice(0, at) + alphabet[Math.floor(rand() * alphabet.length)] + s.slice(at);
    else if (r < 0.8) s = s.slice(0, at) + s.slice(at + 1 + Math.floor(rand() * 4));
    else s = s.slice(0, at) + s.slice(at, at + 1).toLowerCase() + s.slice(at + 1);
  }
  return s;
}

describe('PEM as CockroachDB reads it (Go encoding/pem, built here)', function () {
  this.timeout(180_000);
  let bin: string;
  let ca: string;
  let key: string;
  let dir: string;

  before(async () => {
    dir = tmpDir();
    bin = join(dir, 'pemdecode');
    execFileSync('go', ['build', '-o', bin, join(REPO_ROOT, 'test', 'support', 'go', 'pemdecode.go')], {
      env: { ...process.env, GO111MODULE: 'off', GOCACHE: join(dir, 'gocache'), GOPATH: join(dir, 'gopath') },
    });
    const fx = await makeCertsDir({ users: ['root'] });
    ca = readFileSync(join(fx.certsDir, 'ca.crt'), 'latin1');
    key = readFileSync(join(fx.certsDir, 'node.key'), 'latin1');
  });

  it('finds the same blocks, headers and bytes as Go on hand-made edge cases', () => {
    const l = ca.split('\n');
    const cases = [
      ca,
      key,
      ca + key,
      `junk before\n${ca}junk after`,
      ca.replace(/\n/g, '\r\n'),
      ca.trimEnd(),
      ca.trimEnd() + ca,
      ca.replace('-----\n', '-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\n'),
      ca.replace('-----\n', '-----\nA: b\n'),
      ca.replace(`${l[3]}\n`, `${l[3]}\n\n`),
      ca.replace(l[3], `${l[3].slice(0, 9)}\0${l[3].slice(10)}`),
      ca.replace(l[3], ` \t${l[3]}  `),
      ca.replace('-----END CERTIFICATE-----', '-----END CERTIFICATE-----   '),
      ca.replace('-----END CERTIFICATE-----', '-----END CERTIFICATE----- x'),
      ca.replace('-----END CERTIFICATE-----', '-----END KEY-----'),
      ca.replace('-----BEGIN CERTIFICATE-----', '-----BEGIN CERTIFICATE-----x'),
      `x${ca}`,
      ` ${ca}`,
      ca.replace(/=+\n-----END/, '\n-----END'),
      '-----BEGIN A-----\n-----END A-----\n',
      '-----BEGIN -----\nAAAA\n-----END -----\n',
      '',
      '-----BEGIN CERTIFICATE-----',
      '\n-----BEGIN CERTIFICATE-----\n',
    ];
    const go = goDecode(cases, bin);
    cases.forEach((c, i) => assert.deepEqual(ours(c), go[i], `case ${i}: ${JSON.stringify(c.slice(0, 80))}`));
  });

  it('finds the same blocks as Go on 2000 seeded mutations of real PEM', () => {
    const rand = rng(Number(process.env.FUZZ_SEED ?? 20261201));
    const seeds = [ca, key, ca + key, ca.replace(/\n/g, '\r\n')];
    const cases = Array.from({ length: 2000 }, (_, i) => mutate(seeds[i % seeds.length], rand));
    const go = goDecode(cases, bin);
    const diff = cases.map((c, i) => ({ i, c })).filter(({ c, i }) => JSON.stringify(ours(c)) !== JSON.stringify(go[i]));
    assert.deepEqual(
      diff.slice(0, 3).map(({ c, i }) => ({ input: c, ours: ours(c), go: go[i] })),
      [],
    );
  });

  it('says when openssl cannot load a CA file that Go reads (and not otherwise)', () => {
    const l = ca.split('\n');
    const node = join(dir, 'self.pem');
    writeFileSync(node, ca);
    const files: [string, string, boolean][] = [
      ['plain', ca, false],
      ['crlf', ca.replace(/\n/g, '\r\n'), false],
      ['proc-type', ca.replace('-----\n', '-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00000000000000000000000000000000\n\n'), true],
      ['blank line', ca.replace(`${l[3]}\n`, `${l[3]}\n\n`), true],
      ['nul', ca.replace(l[3], `${l[3].slice(0, 9)}\0${l[3].slice(10)}`), true],
      ['one line', ca.trimEnd() + ca, true],
    ];
    for (const [name, text, trips] of files) {
      const p = join(dir, `${name.replace(/ /g, '-')}.pem`);
      writeFileSync(p, text);
      const r = spawnSync('openssl', ['verify', '-CAfile', p, node], { encoding: 'utf8' });
      const problems = opensslPemProblems(text);
      assert.equal(problems.length > 0, trips, `${name}: ${problems.join('; ')}`);
      if (name !== 'one line') assert.equal(r.status !== 0, trips, `${name}: openssl verify exit ${r.status}: ${r.stderr}`);
    }
  });
});
