/**
 * The explainer against the real libraries: for each client library installed here, every failure
 * that test-connection classifies is reproduced against real servers and sockets (PostgreSQL with
 * TLS and certificate login, stubs that answer 'N', close after 'S' or never answer, a closed port,
 * a .invalid host), with the client kit's own program, run as its `run` says. What the program
 * prints on stderr is what an application logs (Java: the message and its cause chain). explain
 * must classify each text: the category of the failure, or, for a text that names no single cause,
 * "ambiguous" with that category among the candidates. A library update that changes a text fails here.
 */
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, cpSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createClient } from '../../src/core/certsdir/create';
import { ClientId, ClientKit } from '../../src/core/connstr/clients/types';
import { buildClientKit } from '../../src/core/connstr/clients/kit';
import { explain } from '../../src/core/tls/explain';
import { Category } from '../../src/core/tls/types';
import { CertsFixture, agedNodeCerts, makeCertsDir } from '../support/certs';
import { clientEnv, runShell } from '../support/clients';
import { closedPort, pgStub } from '../support/pgstub';
import { PgServer } from '../support/postgres';
import { tmpDir } from '../support/tmp';
import { writeFileSync } from 'node:fs';

const DAY_MS = 86_400_000;
const LIBRARIES: ClientId[] = ['psql', 'psycopg2', 'psycopg3', 'jdbc', 'pgx', 'lib-pq', 'node-pg', 'typeorm', 'ruby-pg'];

/** A failure kind: its category, and the connection that produces it. */
interface Kind {
  name: string;
  category: Category;
  url: () => string;
  /** The server state it needs (the swap server's node certificate). */
  swap?: 'narrow' | 'expired' | 'future';
}

export interface Observed {
  library: ClientId;
  kind: string;
  category: Category;
  /** undefined: the library connected (it cannot produce this failure) or waited past the limit. */
  text?: string;
  outcome: 'failed' | 'connected' | 'hung';
}

const observed: Observed[] = [];

function pgUrl(host: string, port: number, user: string, f: { ca: string; cert?: string; key?: string }): string {
  const q = [`sslmode=verify-full`, `sslrootcert=${encodeURIComponent(f.ca)}`];
  if (f.cert) q.push(`sslcert=${encodeURIComponent(f.cert)}`);
  if (f.key) q.push(`sslkey=${encodeURIComponent(f.key)}`);
  return `postgresql://${user}@${host}:${port}/postgres?${q.join('&')}`;
}

async function kitFor(library: ClientId, url: string, out: string): Promise<ClientKit> {
  const { kit } = await buildClientKit(library, url, { cwd: '/', derivedDir: out, newPassword: () => 'not-used' });
  for (const f of kit.files) if (f.status === 'write' && f.data) writeFileSync(f.path, f.data, { mode: f.mode });
  if (kit.programFile) writeFileSync(join(out, kit.programFile), kit.program);
  return kit;
}

describe('explain classifies what each real client library prints for each failure', function () {
  this.timeout(900_000);
  let fx: CertsFixture;
  let other: CertsFixture;
  let narrow: CertsFixture;
  let good: PgServer | undefined;
  let swap: PgServer | undefined;
  const stubs: { port: number; close: () => Promise<void> }[] = [];

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

    good = new PgServer({ certsDir: fx.certsDir });
    swap = new PgServer({ certsDir: narrow.certsDir });
    await Promise.all([good.start(), swap.start()]);
    await Promise.all([good.createRole('alice'), swap.createRole('alice')]);
    const noTls = await pgStub((s) => s.write('N'));
    const eof = await pgStub((s) => {
      s.write('S');
      s.once('data', () => s.destroy());
    });
    const hang = await pgStub('hang');
    stubs.push(noTls, eof, hang);
    const refused = await closedPort();

    const f = (dir: string, caDir = dir) => ({ ca: join(caDir, 'ca.crt'), cert: join(dir, 'client.alice.crt'), key: join(dir, 'client.alice.key') });
    const g = good;
    const n = (which: string) => f(which === 'narrow' ? narrow.certsDir : join(narrow.root, which), narrow.certsDir);
    const kinds: Kind[] = [
      { name: 'unknown CA', category: 'unknown-authority', url: () => pgUrl('localhost', g.port, 'alice', f(fx.certsDir, other.certsDir)) },
      { name: 'host mismatch', category: 'hostname-mismatch', swap: 'narrow', url: () => pgUrl('127.0.0.1', swap!.port, 'alice', n('narrow')) },
      { name: 'server cert expired', category: 'server-cert-expired', swap: 'expired', url: () => pgUrl('localhost', swap!.port, 'alice', n('narrow')) },
      {
        name: 'server cert not yet valid',
        category: 'server-cert-not-yet-valid',
        swap: 'future',
        url: () => pgUrl('localhost', swap!.port, 'alice', n('narrow')),
      },
      { name: 'client cert from another CA', category: 'client-cert-rejected', url: () => pgUrl('localhost', g.port, 'alice', f(other.certsDir, fx.certsDir)) },
      { name: 'client cert expired', category: 'client-cert-rejected', url: () => pgUrl('localhost', g.port, 'alice', f(expiredClient)) },
      { name: 'wrong user', category: 'auth-failed', url: () => pgUrl('localhost', g.port, 'bob', f(fx.certsDir)) },
      { name: 'SSL off', category: 'ssl-not-supported', url: () => pgUrl('localhost', noTls.port, 'alice', f(fx.certsDir)) },
      { name: 'EOF during the handshake', category: 'handshake-eof', url: () => pgUrl('localhost', eof.port, 'alice', f(fx.certsDir)) },
      { name: 'refused', category: 'connection-refused', url: () => pgUrl('localhost', refused, 'alice', f(fx.certsDir)) },
      { name: 'DNS', category: 'dns', url: () => pgUrl('no-such-host.invalid', 26257, 'alice', f(fx.certsDir)) },
      { name: 'timeout', category: 'timeout', url: () => pgUrl('localhost', hang.port, 'alice', f(fx.certsDir)) },
      {
        name: 'key mismatch',
        category: 'key-mismatch',
        url: () => pgUrl('localhost', g.port, 'alice', { ...f(fx.certsDir), key: join(other.certsDir, 'client.alice.key') }),
      },
      { name: 'key permissions', category: 'key-permissions', url: () => pgUrl('localhost', g.port, 'alice', f(loose)) },
      {
        name: 'missing file',
        category: 'file-missing',
        url: () => pgUrl('localhost', g.port, 'alice', { ...f(fx.certsDir), ca: join(fx.root, 'no-such-ca.crt') }),
      },
    ];

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
          const kit = await kitFor(library, kind.url(), out);
          const r = await runShell(kit.run, out, { ...clientEnv(), PGCONNECT_TIMEOUT: '3' }, 20_000);
          const outcome = r.status === 0 ? 'connected' : r.status === -1 ? 'hung' : 'failed';
          observed.push({ library, kind: kind.name, category: kind.category, outcome, ...(outcome === 'failed' ? { text: r.stderr } : {}) });
        }),
      );
    }
    if (process.env.CRDB_TLS_OBSERVED) writeFileSync(process.env.CRDB_TLS_OBSERVED, JSON.stringify(observed, null, 1));
  });

  after(async function () {
    this.timeout(60_000);
    await Promise.all([good?.stop(), swap?.stop(), ...stubs.map((s) => s.close())]);
  });

  for (const library of LIBRARIES) {
    it(`${library}: every failure it produces is classified`, () => {
      const mine = observed.filter((o) => o.library === library);
      assert.equal(mine.length, 15, 'every kind was tried');
      const wrong: string[] = [];
      for (const o of mine.filter((x) => x.outcome === 'failed')) {
        const r = explain(o.text!);
        const ok = r.category === o.category || (r.category === 'ambiguous' && (r.candidates ?? []).includes(o.category));
        if (!ok) wrong.push(`${o.kind} (${o.category}) → ${r.category} ${r.candidates?.join('|') ?? ''} [${r.matched?.id}]: ${o.text!.trim().slice(-600)}`);
      }
      const produced = mine.filter((x) => x.outcome === 'failed').length;
      console.log(
        `      ${library}: ${produced} of 15 failure kinds produced, ${produced - wrong.length} classified; connected: ${
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
      assert.deepEqual(wrong, []);
    });
  }
});
