/**
 * CockroachDB Cloud hosts in lint and in test-connection's preflight: libpq's default CA file
 * (in a temp HOME, or %APPDATA% on Windows) holding the Cloud CA, nothing, a self-hosted CA, an
 * expired CA or a leaf; sslrootcert=system per client. No network: the preflight is called with
 * the host name and returns before any packet.
 */
import { strict as assert } from 'node:assert';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, win32 } from 'node:path';
import { findConnStrings } from '../../src/core/connstr/find';
import { judgeCloudCa } from '../../src/core/connstr/cloudCa';
import { loadRef } from '../../src/core/connstr/files';
import { LintOptions, lintText } from '../../src/core/connstr/lint';
import { RULES } from '../../src/core/connstr/rules/catalog';
import { Finding, TextEdit } from '../../src/core/connstr/types';
import { diagnose } from '../../src/core/tls/diagnosis';
import { preflight } from '../../src/core/tls/preflight';
import { Ctx, TestDetails, hostPort } from '../../src/core/tls/testConnectionTypes';
import { CertsFixture, makeCertsDir } from '../support/certs';
import { tmpDir } from '../support/tmp';
import { cloudLikeCa } from '../support/cloudCa';

const DAY = 86_400_000;
const CLOUD = 'blue-dog-147.j77.aws-us-east-1.cockroachlabs.cloud';
const CLOUD_CODES = ['cloud-ca-missing', 'cloud-ca-different', 'cloud-rootcert-system'];

/** A temp HOME whose ~/.postgresql/root.crt is the concatenation of `files` (none: no root.crt). */
function home(...files: string[]): string {
  const h = tmpDir('crdb-tls-home-');
  if (files.length) {
    mkdirSync(join(h, '.postgresql'));
    writeFileSync(join(h, '.postgresql', 'root.crt'), files.map((f) => readFileSync(f, 'utf8')).join(''));
  }
  return h;
}

function applyEdits(text: string, edits: readonly TextEdit[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.newText + out.slice(e.end);
  return out;
}

interface Row {
  name: string;
  text: string;
  /** Which temp HOME (see `homes`). */
  home: string;
  must: string[];
  mustNot: string[];
  opts?: Partial<LintOptions>;
  /** Texts the first `must` finding's message includes (`<root>` is the HOME's root.crt). */
  says?: string[];
}

const URL = (q: string, host = CLOUD) => `postgresql://alice@${host}:26257/defaultdb?${q}`;

const ROWS: Row[] = [
  {
    name: 'verify-full, no sslrootcert, root.crt is a self-hosted CA',
    text: URL('sslmode=verify-full'),
    home: 'selfHosted',
    must: ['cloud-ca-different'],
    mustNot: ['rootcert-missing', 'cloud-ca-missing', 'cloud-rootcert-system'],
    says: ['<root>', "a self-hosted cluster's CA", 'CN=Cockroach CA', 'crdb-tls cloud ca-cert CLUSTER --overwrite', 'does not tell the plan'],
  },
  {
    name: 'verify-full, no sslrootcert, root.crt is a Cloud-like CA',
    text: URL('sslmode=verify-full'),
    home: 'cloud',
    must: [],
    mustNot: [...CLOUD_CODES, 'rootcert-missing'],
  },
  {
    name: 'verify-full, no sslrootcert, no root.crt',
    text: URL('sslmode=verify-full'),
    home: 'none',
    must: ['cloud-ca-missing'],
    mustNot: ['rootcert-missing', 'cloud-ca-different'],
    says: ['<root>', 'does not exist', 'crdb-tls cloud ca-cert CLUSTER', 'sslrootcert=system works there with libpq 16+ and pgx v5'],
  },
  {
    name: 'verify-ca, root.crt is an expired CA',
    text: URL('sslmode=verify-ca'),
    home: 'expired',
    must: ['cloud-ca-different'],
    mustNot: ['rootcert-missing'],
    says: ['not valid now'],
  },
  {
    name: 'root.crt holds a leaf, not a CA',
    text: URL('sslmode=verify-full'),
    home: 'leaf',
    must: ['cloud-ca-different'],
    mustNot: ['rootcert-missing'],
    says: ['no CA certificate'],
  },
  {
    name: 'root.crt holds the self-hosted CA and the Cloud CA',
    text: URL('sslmode=verify-full'),
    home: 'both',
    must: [],
    mustNot: [...CLOUD_CODES, 'rootcert-missing'],
  },
  {
    name: 'a self-hosted host keeps rootcert-missing',
    text: URL('sslmode=verify-full', 'db.internal'),
    home: 'selfHosted',
    must: ['rootcert-missing'],
    mustNot: CLOUD_CODES,
  },
  {
    name: 'a look-alike host is not Cloud',
    text: URL('sslmode=verify-full', 'x.cockroachlabs.cloud.example.com'),
    home: 'none',
    must: ['rootcert-missing'],
    mustNot: CLOUD_CODES,
  },
  {
    name: 'upper case and a trailing dot are Cloud',
    text: URL('sslmode=verify-full', 'Blue-Dog.J77.CockroachLabs.Cloud.'),
    home: 'selfHosted',
    must: ['cloud-ca-different'],
    mustNot: ['rootcert-missing'],
  },
  { name: 'sslmode=require: nothing is verified', text: URL('sslmode=require'), home: 'selfHosted', must: ['sslmode-require'], mustNot: CLOUD_CODES },
  {
    name: 'sslrootcert names a file: the default is not read',
    text: URL('sslmode=verify-full&sslrootcert=<cloudCa>'),
    home: 'selfHosted',
    must: [],
    mustNot: [...CLOUD_CODES, 'rootcert-missing'],
  },
  {
    name: 'sslrootcert=system, no client named',
    text: URL('sslmode=verify-full&sslrootcert=system'),
    home: 'selfHosted',
    must: ['cloud-rootcert-system'],
    mustNot: ['rootcert-system-unsupported', 'cloud-ca-different', 'rootcert-missing'],
    says: ['Basic or Standard', 'libpq 16+ and pgx v5', 'Advanced', 'does not tell the plan'],
  },
  {
    name: 'sslrootcert=system for psql',
    text: URL('sslmode=verify-full&sslrootcert=system'),
    home: 'none',
    opts: { client: 'psql' },
    must: ['cloud-rootcert-system'],
    mustNot: ['rootcert-system-unsupported'],
  },
  {
    name: 'sslrootcert=system for node-postgres: unsupported, with the Cloud download',
    text: URL('sslmode=verify-full&sslrootcert=system'),
    home: 'none',
    opts: { client: 'node-pg' },
    must: ['rootcert-system-unsupported'],
    mustNot: ['cloud-rootcert-system'],
    says: ['crdb-tls cloud ca-cert CLUSTER'],
  },
  {
    name: 'JDBC ssl=true (verify-full), self-hosted root.crt',
    text: `jdbc:postgresql://${CLOUD}:26257/defaultdb?ssl=true&user=alice`,
    home: 'selfHosted',
    must: ['cloud-ca-different'],
    mustNot: ['rootcert-missing'],
    says: ['pgjdbc verifies'],
  },
  {
    name: 'pgx does not read root.crt: the generic rule',
    text: URL('sslmode=verify-full'),
    home: 'selfHosted',
    opts: { client: 'pgx' },
    must: ['rootcert-missing'],
    mustNot: CLOUD_CODES,
  },
  {
    name: 'key/value string',
    text: `host=${CLOUD} port=26257 user=alice dbname=defaultdb sslmode=verify-full`,
    home: 'selfHosted',
    must: ['cloud-ca-different'],
    mustNot: ['rootcert-missing'],
  },
  {
    name: 'Windows: %APPDATA%\\postgresql\\root.crt, from the platform and environment given',
    text: URL('sslmode=verify-full'),
    home: 'selfHosted',
    opts: { platform: 'win32', vars: { APPDATA: 'C:\\Users\\alice\\AppData\\Roaming' } },
    must: ['cloud-ca-missing'],
    mustNot: ['cloud-ca-different'],
    says: [win32.join('C:\\Users\\alice\\AppData\\Roaming', 'postgresql', 'root.crt')],
  },
];

describe('Cloud hosts: lint and test-connection judge libpq default CA file', function () {
  this.timeout(60_000);
  const homes: Record<string, string> = {};
  const files: Record<string, string> = {};
  let fx: CertsFixture;

  before(async () => {
    fx = await makeCertsDir();
    const old = await makeCertsDir({ now: new Date(Date.now() - 400 * DAY), caLifetimeMs: 300 * DAY, lifetimeMs: 200 * DAY });
    const dir = tmpDir();
    files.cloudCa = cloudLikeCa(dir);
    files.selfCa = join(fx.certsDir, 'ca.crt');
    Object.assign(homes, {
      selfHosted: home(files.selfCa),
      cloud: home(files.cloudCa),
      none: home(),
      expired: home(join(old.certsDir, 'ca.crt')),
      leaf: home(join(fx.certsDir, 'node.crt')),
      both: home(files.selfCa, files.cloudCa),
    });
  });

  function lint(row: Row): { text: string; findings: Finding[] } {
    const text = row.text.replace(/<(\w+)>/g, (m, k: string) => files[k] ?? m);
    return { text, findings: lintText(text, { home: homes[row.home], platform: 'linux', vars: {}, ...row.opts }).flatMap((r) => r.findings) };
  }

  it('package.json lists every rule code of the catalogue, in both lint settings', () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as {
      contributes: { configuration: { properties: Record<string, { items?: { enum: string[] }; propertyNames?: { enum: string[] } }> } };
    };
    const props = pkg.contributes.configuration.properties;
    const lists = Object.values(props)
      .flatMap((p) => [p.items?.enum, p.propertyNames?.enum])
      .filter((e): e is string[] => !!e && e.includes('sslmode-missing'));
    assert.equal(lists.length, 2);
    for (const l of lists) assert.deepEqual([...l].sort(), Object.keys(RULES).sort());
  });

  it(`the rows use known codes (${ROWS.length} rows)`, () => {
    for (const r of ROWS) for (const c of [...r.must, ...r.mustNot]) assert.ok(RULES[c], `${r.name}: unknown code ${c}`);
    for (const c of CLOUD_CODES) assert.ok(RULES[c], c);
  });

  for (const row of ROWS) {
    it(row.name, () => {
      const { text, findings } = lint(row);
      const codes = findings.map((f) => f.code);
      const show = () => `\n  text: ${text}\n  got: ${findings.map((f) => `${f.code}: ${f.message}`).join('\n       ')}`;
      for (const c of row.must) assert.ok(codes.includes(c), `must produce ${c}${show()}`);
      for (const c of row.mustNot.filter((x) => !row.must.includes(x))) assert.ok(!codes.includes(c), `must not produce ${c}${show()}`);
      const first = findings.find((f) => f.code === row.must[0]);
      const root = join(homes[row.home], '.postgresql', 'root.crt');
      for (const s of row.says ?? []) assert.ok(first?.message.includes(s.replace('<root>', root)), `${row.must[0]} says ${s}${show()}`);
      for (const f of findings) assert.equal(f.docs, RULES[f.code].docs);
    });
  }

  it('the sslrootcert=system fix turns cloud-ca-missing into cloud-rootcert-system; no such fix for pgjdbc', () => {
    const row = ROWS.find((r) => r.name === 'verify-full, no sslrootcert, no root.crt')!;
    const { text, findings } = lint(row);
    const f = findings.find((x) => x.code === 'cloud-ca-missing')!;
    assert.deepEqual(
      f.fixes.map((x) => x.kind),
      ['add-sslrootcert', 'edit'],
    );
    const fix = f.fixes[1];
    assert.ok(fix.kind === 'edit');
    const fixed = applyEdits(text, fix.edits);
    assert.ok(fixed.endsWith('sslmode=verify-full&sslrootcert=system'), fixed);
    const after = lintText(fixed, { home: homes.none, platform: 'linux', vars: {} }).flatMap((r) => r.findings.map((x) => x.code));
    assert.deepEqual(after, ['cloud-rootcert-system']);
    const jdbc = lint(ROWS.find((r) => r.name.startsWith('JDBC'))!).findings.find((x) => x.code === 'cloud-ca-different')!;
    assert.deepEqual(
      jdbc.fixes.map((x) => x.kind),
      ['add-sslrootcert'],
    );
  });

  it('reads and judges root.crt once per run for many strings', () => {
    const text = Array.from({ length: 2000 }, (_, i) => `DB${i}=${URL('sslmode=verify-full', `c${i}.j77.aws-us-east-1.cockroachlabs.cloud`)}`).join('\n');
    const r = lintText(text, { home: homes.selfHosted, platform: 'linux', vars: {} });
    assert.equal(r.length, 2000);
    const msgs = r.map((x) => x.findings.find((f) => f.code === 'cloud-ca-different'));
    assert.ok(msgs.every(Boolean));
  });

  describe('judgeCloudCa', () => {
    const cases: [string, () => string, string][] = [
      ['a Cloud-like CA', () => files.cloudCa, 'ok'],
      ['the self-hosted CA', () => files.selfCa, 'self-hosted'],
      ['a node certificate', () => join(fx.certsDir, 'node.crt'), 'not-ca'],
      ['a key', () => join(fx.certsDir, 'node.key'), 'unusable'],
      ['no file', () => join(fx.certsDir, 'nope.crt'), 'missing'],
      ['a directory', () => fx.certsDir, 'unusable'],
    ];
    for (const [name, path, state] of cases) it(`${name}: ${state}`, () => assert.equal(judgeCloudCa(loadRef(path(), {}), new Date()).state, state));
    it('the Cloud-like CA after its expiry: expired', () =>
      assert.equal(judgeCloudCa(loadRef(files.cloudCa, {}), new Date(Date.now() + 400 * DAY)).state, 'expired'));
  });

  describe('test-connection preflight and diagnosis (no network)', () => {
    function ctxFor(url: string, h: string): Ctx {
      const c = findConnStrings(url)[0];
      const host = c.hosts[0].host;
      const details: TestDetails = { files: [], timings: { totalMs: 0 }, notes: [] };
      return {
        c,
        host,
        port: 26257,
        hp: hostPort(host, 26257),
        user: 'alice',
        sslmode: 'verify-full',
        verify: 'full',
        caCerts: [],
        caDesc: '',
        certsDir: '<certs dir>',
        now: new Date(),
        details,
        env: { home: h },
        timeoutMs: 0,
      };
    }
    const pg = (h: string) => join(h, '.postgresql');

    it('a CA that only looks self-hosted in root.crt does not stop the connection: a note names the file and crdb-tls cloud ca-cert', () => {
      const ctx = ctxFor(URL('sslmode=verify-full'), homes.selfHosted);
      const r = preflight(ctx, pg(homes.selfHosted), undefined);
      assert.equal(r, undefined, 'the handshake decides: a Cloud CA may carry the same subject');
      const root = join(homes.selfHosted, '.postgresql', 'root.crt');
      const note = ctx.details.notes.join('\n');
      assert.ok(note.includes(root) && note.includes("a self-hosted cluster's CA") && note.includes('crdb-tls cloud ca-cert CLUSTER --overwrite'), note);
    });

    for (const h of ['expired', 'leaf']) {
      it(`${h} root.crt fails before connecting too`, () => {
        const r = preflight(ctxFor(URL('sslmode=verify-full'), homes[h]), pg(homes[h]), undefined);
        assert.equal(r?.category, 'unknown-authority');
      });
    }

    it('a Cloud-like CA passes the preflight and becomes the CA pool', () => {
      const ctx = ctxFor(URL('sslmode=verify-full'), homes.cloud);
      assert.equal(preflight(ctx, pg(homes.cloud), undefined), undefined);
      assert.equal(ctx.caCerts.length, 1);
    });

    it('no root.crt: passes with public roots and a Cloud note', () => {
      const ctx = ctxFor(URL('sslmode=verify-full'), homes.none);
      assert.equal(preflight(ctx, pg(homes.none), undefined), undefined);
      assert.ok(
        ctx.details.notes.some((n) => n.includes('CockroachDB Cloud host') && n.includes('crdb-tls cloud ca-cert CLUSTER')),
        ctx.details.notes.join('\n'),
      );
    });

    it('a self-hosted host with a self-hosted root.crt is not stopped', () => {
      const ctx = ctxFor(URL('sslmode=verify-full', 'db.internal'), homes.selfHosted);
      assert.equal(preflight(ctx, pg(homes.selfHosted), undefined), undefined);
    });

    it('sslrootcert=system on a Cloud host is not stopped', () => {
      const ctx = ctxFor(URL('sslmode=verify-full&sslrootcert=system'), homes.selfHosted);
      assert.equal(preflight(ctx, pg(homes.selfHosted), undefined), undefined);
    });

    it('unknown-authority from a Cloud host with root.crt (another cluster CA): the fix is crdb-tls cloud ca-cert', () => {
      const h = tmpDir();
      mkdirSync(join(h, '.postgresql'));
      copyFileSync(files.cloudCa, join(h, '.postgresql', 'root.crt'));
      const ctx = ctxFor(URL('sslmode=verify-full'), h);
      assert.equal(preflight(ctx, pg(h), undefined), undefined);
      const error = Object.assign(new Error('unable to verify the first certificate'), { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
      const d = diagnose(ctx, 'unknown-authority', { ok: false, error, stage: 'handshake', timings: {}, sentCert: false });
      assert.ok(d.fix.includes('crdb-tls cloud ca-cert CLUSTER --overwrite') && d.fix.includes(join(h, '.postgresql', 'root.crt')), d.fix);
    });
  });
});
