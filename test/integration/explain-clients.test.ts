/**
 * The explainer against the real libraries: for each client library installed here, every failure
 * that test-connection classifies is reproduced against real servers and sockets (PostgreSQL with
 * TLS and certificate login, one whose client-CA list names another CA, stubs that answer 'N',
 * close after 'S' or never answer, a closed port, a .invalid host), with the client kit's own
 * program, run as its `run` says (the timeout kind with the client's own connect timeout where it
 * has one). What the program prints on stderr is what an application logs (Java: the message and its
 * cause chain). Each library's outcome of each kind (failed, connected, hung) is asserted against the
 * table below, and explain must classify each failure: the category of the failure, or, for a text
 * that names no single cause, "ambiguous" with that category among the candidates. A library update
 * that changes a text or an outcome fails here. CRDB_TLS_OBSERVED=FILE writes what was seen (paths
 * and ports normalised) for test/fixtures/explain-observed.json, which the unit suite classifies offline.
 */
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createClient } from '../../src/core/certsdir/create';
import { ClientKit } from '../../src/core/connstr/clients/types';
import { buildClientKit } from '../../src/core/connstr/clients/kit';
import { CertsFixture, agedNodeCerts, makeCertsDir } from '../support/certs';
import { clientEnv, runShell } from '../support/clients';
import { openssl } from '../support/exec';
import {
  EXPECTED,
  KIND_NAMES,
  KindName,
  LIBRARIES,
  Library,
  Observed,
  classifyObserved,
  expectedCategory,
  normaliseObserved,
} from '../support/explainObserved';
import { closedPort, pgStub } from '../support/pgstub';
import { PgServer } from '../support/postgres';
import { tmpDir } from '../support/tmp';

const DAY_MS = 86_400_000;

/** A failure kind: the connection that produces it, in a scratch folder of its own per library. */
interface Kind {
  name: KindName;
  url: (scratch: string) => string;
  /** The server state it needs (the swap server's node certificate). */
  swap?: 'narrow' | 'expired' | 'future';
  /** After the kit is written: take away what the kind says is missing. */
  after?: (scratch: string, kit: ClientKit) => void;
}

/** The client's own connect timeout, for the kind that never gets an answer (libpq's clients read PGCONNECT_TIMEOUT). */
const OWN_TIMEOUT: Partial<Record<Library, [RegExp, string]>> = {
  psycopg3: [/(DSN = "[^"]*)"/, '$1&connect_timeout=3"'],
  'node-pg': [/new Client\(\{ connectionString \}\)/, 'new Client({ connectionString, connectionTimeoutMillis: 3000 })'],
  typeorm: [/type: 'postgres',/, "type: 'postgres',\n  connectTimeoutMS: 3000,"],
};

function pgUrl(host: string, port: number, user: string, f: { ca: string; cert?: string; key?: string }): string {
  const q = [`sslmode=verify-full`, `sslrootcert=${encodeURIComponent(f.ca)}`];
  if (f.cert) q.push(`sslcert=${encodeURIComponent(f.cert)}`);
  if (f.key) q.push(`sslkey=${encodeURIComponent(f.key)}`);
  return `postgresql://${user}@${host}:${port}/postgres?${q.join('&')}`;
}

async function kitFor(library: Library, kind: Kind, url: string, out: string): Promise<ClientKit> {
  const { kit } = await buildClientKit(library, url, { cwd: '/', derivedDir: out, newPassword: () => 'not-used' });
  for (const f of kit.files) if (f.status === 'write' && f.data) writeFileSync(f.path, f.data, { mode: f.mode });
  let program = kit.program;
  const own = OWN_TIMEOUT[library];
  if (kind.name === 'timeout' && own) {
    program = program.replace(own[0], own[1]);
    assert.notEqual(program, kit.program, `${library}: the program has no place for its connect timeout`);
  }
  if (kit.programFile) writeFileSync(join(out, kit.programFile), program);
  return kit;
}

describe('explain classifies what each real client library prints for each failure', function () {
  this.timeout(900_000);
  let fx: CertsFixture;
  let other: CertsFixture;
  let narrow: CertsFixture;
  const servers: PgServer[] = [];
  const stubs: { port: number; close: () => Promise<void> }[] = [];
  const observed: Observed[] = [];
  const ports: Record<string, number> = {};

  before(async function () {
    this.timeout(900_000);
    [fx, other, narrow] = await Promise.all([
      makeCertsDir({ users: ['alice'] }),
      makeCertsDir({ users: ['alice'] }),
      makeCertsDir({ hosts: ['localhost'], users: ['alice'] }),
    ]);
    const swapFiles: Record<string, { cert: string; key: string }> = {
      narrow: { cert: join(narrow.certsDir, 'node.crt'), key: join(narrow.certsDir, 'node.key') },
    };
    // node certs the second server swaps in: expired, and not valid for ten more days.
    Object.assign(swapFiles, await agedNodeCerts(narrow));
    const expiredClient = join(fx.root, 'expired-client');
    mkdirSync(expiredClient, { mode: 0o700 });
    copyFileSync(join(fx.certsDir, 'ca.crt'), join(expiredClient, 'ca.crt'));
    await createClient({ certsDir: expiredClient, caKey: fx.caKey, user: 'alice', now: new Date(Date.now() - 400 * DAY_MS), lifetimeMs: DAY_MS });
    const loose = join(fx.root, 'loose');
    cpSync(fx.certsDir, loose, { recursive: true });
    chmodSync(join(loose, 'client.alice.key'), 0o644);
    // A client-CA list (ssl_ca_file) naming a CA whose DN is not the client certificate's issuer:
    // Go and Java send a certificate only when its issuer is in that list.
    const elsewhere = join(fx.root, 'elsewhere-ca');
    mkdirSync(elsewhere, { mode: 0o700 });
    openssl(
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '30', '-subj', '/O=Elsewhere/CN=Elsewhere Client CA'].concat([
        '-keyout',
        join(elsewhere, 'ca.key'),
        '-out',
        join(elsewhere, 'ca.crt'),
      ]),
    );

    const good = new PgServer({ certsDir: fx.certsDir });
    const swap = new PgServer({ certsDir: narrow.certsDir });
    const foreign = new PgServer({ certsDir: fx.certsDir, ca: join(elsewhere, 'ca.crt') });
    servers.push(good, swap, foreign);
    await Promise.all(servers.map((s) => s.start()));
    await Promise.all(servers.map((s) => s.createRole('alice')));
    const noTls = await pgStub((s) => s.write('N'));
    const eof = await pgStub((s) => {
      s.write('S');
      s.once('data', () => s.destroy());
    });
    const hang = await pgStub('hang');
    stubs.push(noTls, eof, hang);
    const refused = await closedPort();
    Object.assign(ports, { good: good.port, swap: swap.port, foreign: foreign.port, noTls: noTls.port, eof: eof.port, hang: hang.port, refused });

    const f = (dir: string, caDir = dir) => ({ ca: join(caDir, 'ca.crt'), cert: join(dir, 'client.alice.crt'), key: join(dir, 'client.alice.key') });
    const n = (which: string) => f(which === 'narrow' ? narrow.certsDir : join(narrow.root, which), narrow.certsDir);
    /** The good files, with the certificate or the key copied into the scratch folder (to be taken away after the kit is built). */
    const copied = (scratch: string, which: 'cert' | 'key') => {
      const files = f(fx.certsDir);
      const copy = join(scratch, `client.alice.${which === 'cert' ? 'crt' : 'key'}`);
      copyFileSync(files[which], copy);
      chmodSync(copy, 0o600);
      return { ...files, [which]: copy };
    };
    const kinds: Kind[] = [
      { name: 'unknown CA', url: () => pgUrl('localhost', good.port, 'alice', f(fx.certsDir, other.certsDir)) },
      { name: 'host mismatch', swap: 'narrow', url: () => pgUrl('127.0.0.1', swap.port, 'alice', n('narrow')) },
      { name: 'server cert expired', swap: 'expired', url: () => pgUrl('localhost', swap.port, 'alice', n('narrow')) },
      { name: 'server cert not yet valid', swap: 'future', url: () => pgUrl('localhost', swap.port, 'alice', n('narrow')) },
      { name: 'client cert from another CA', url: () => pgUrl('localhost', good.port, 'alice', f(other.certsDir, fx.certsDir)) },
      { name: 'client cert expired', url: () => pgUrl('localhost', good.port, 'alice', f(expiredClient)) },
      { name: 'client cert not in the server CA list', url: () => pgUrl('localhost', foreign.port, 'alice', f(fx.certsDir)) },
      { name: 'wrong user', url: () => pgUrl('localhost', good.port, 'bob', f(fx.certsDir)) },
      { name: 'SSL off', url: () => pgUrl('localhost', noTls.port, 'alice', f(fx.certsDir)) },
      { name: 'EOF during the handshake', url: () => pgUrl('localhost', eof.port, 'alice', f(fx.certsDir)) },
      { name: 'refused', url: () => pgUrl('localhost', refused, 'alice', f(fx.certsDir)) },
      { name: 'DNS', url: () => pgUrl('no-such-host.invalid', 26257, 'alice', f(fx.certsDir)) },
      { name: 'timeout', url: () => pgUrl('localhost', hang.port, 'alice', f(fx.certsDir)) },
      { name: 'key mismatch', url: () => pgUrl('localhost', good.port, 'alice', { ...f(fx.certsDir), key: join(other.certsDir, 'client.alice.key') }) },
      { name: 'key permissions', url: () => pgUrl('localhost', good.port, 'alice', f(loose)) },
      { name: 'missing CA file', url: () => pgUrl('localhost', good.port, 'alice', { ...f(fx.certsDir), ca: join(fx.root, 'no-such-ca.crt') }) },
      {
        name: 'missing cert file',
        url: (scratch) => pgUrl('localhost', good.port, 'alice', copied(scratch, 'cert')),
        after: (scratch) => rmSync(join(scratch, 'client.alice.crt')),
      },
      {
        name: 'missing key file',
        url: (scratch) => pgUrl('localhost', good.port, 'alice', copied(scratch, 'key')),
        // The key, and what the kit derived from it (pgjdbc's .pk8).
        after: (scratch, kit) => [join(scratch, 'client.alice.key'), ...kit.files.map((x) => x.path)].forEach((p) => rmSync(p, { force: true })),
      },
    ];
    assert.deepEqual(kinds.map((k) => k.name).sort(), [...KIND_NAMES].sort());

    let serving = 'narrow';
    for (const kind of [...kinds].sort((a, b) => (a.swap ?? '').localeCompare(b.swap ?? ''))) {
      if (kind.swap && kind.swap !== serving) {
        swap.replaceTlsFiles(swapFiles[kind.swap]);
        assert.ok((await swap.reload()).sslReloaded);
        serving = kind.swap;
      }
      await Promise.all(
        LIBRARIES.map(async (library) => {
          const out = tmpDir(`crdb-tls-explain-${library}-`);
          const scratch = tmpDir(`crdb-tls-explain-files-`);
          const kit = await kitFor(library, kind, kind.url(scratch), out);
          kind.after?.(scratch, kit);
          // The limit leaves room for go run's build and the JVM's start on a busy machine: a hang is a kind that never ends.
          const r = await runShell(kit.run, out, { ...clientEnv(), PGCONNECT_TIMEOUT: '3' }, 90_000);
          const outcome = r.status === 0 ? 'connected' : r.status === -1 ? 'hung' : 'failed';
          observed.push({
            library,
            kind: kind.name,
            category: expectedCategory(library, kind.name),
            outcome,
            ...(outcome === 'failed' ? { text: r.stderr } : {}),
          });
        }),
      );
    }
    if (process.env.CRDB_TLS_OBSERVED) writeFileSync(process.env.CRDB_TLS_OBSERVED, JSON.stringify(normaliseObserved(observed, ports), null, 1) + '\n');
  });

  after(async function () {
    this.timeout(60_000);
    await Promise.all([...servers.map((s) => s.stop()), ...stubs.map((s) => s.close())]);
  });

  for (const library of LIBRARIES) {
    it(`${library}: each kind's outcome as the table says, and every failure it produces classified`, () => {
      const mine = observed.filter((o) => o.library === library);
      assert.deepEqual(mine.map((o) => o.kind).sort(), [...KIND_NAMES].sort(), 'every kind was tried');
      const outcomes = Object.fromEntries(mine.map((o) => [o.kind, o.outcome]));
      const expected = Object.fromEntries(KIND_NAMES.map((k) => [k, EXPECTED[library].outcomes[k] ?? 'failed']));
      const c = classifyObserved(mine);
      console.log(
        `      ${library}: ${c.produced} of ${KIND_NAMES.length} kinds produced, ${c.exact} classified exactly, ${c.ambiguous} as ambiguous (the cause among the candidates); ` +
          `connected: ${
            mine
              .filter((x) => x.outcome === 'connected')
              .map((x) => x.kind)
              .join(', ') || 'none'
          }; hung: ${
            mine
              .filter((x) => x.outcome === 'hung')
              .map((x) => x.kind)
              .join(', ') || 'none'
          }`,
      );
      assert.deepEqual(outcomes, expected, 'outcomes (a library that starts or stops producing a failure changes this)');
      assert.deepEqual(c.wrong, []);
      assert.equal(c.produced, EXPECTED[library].produced);
    });
  }
});
