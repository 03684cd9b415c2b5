/**
 * fleet rotate-node against three real nodes (PostgreSQL with TLS reading its certs dir, reloaded by
 * SIGHUP, each behind its own sshd on loopback) while a client opens a new verify-full connection to
 * every node every 100 ms; then status, distribute-ca, dry-run and rollback of a finished run.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { TLSSocket } from 'node:tls';
import { Client } from 'pg';
import { probe } from '../../src/core/tls/probe';
import { Fleet, TestNode } from '../support/fleet';

interface Attempt {
  node: string;
  startedAt: number;
  serial?: string;
  error?: string;
}

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function connectOnce(n: TestNode, f: Fleet['client']): Promise<string> {
  const c = new Client({
    host: 'localhost',
    port: n.server.port,
    user: 'root',
    database: 'postgres',
    connectionTimeoutMillis: 10_000,
    ssl: { ca: readFileSync(f.ca, 'utf8'), cert: readFileSync(f.cert, 'utf8'), key: readFileSync(f.key, 'utf8'), rejectUnauthorized: true },
  });
  c.on('error', () => undefined);
  try {
    await c.connect();
    const serial = (c as unknown as { connection: { stream: TLSSocket } }).connection.stream.getPeerCertificate().serialNumber.toLowerCase();
    await c.query('SELECT 1');
    return serial;
  } finally {
    await Promise.race([c.end().catch(() => undefined), delay(2000)]);
  }
}

/** A new verify-full connection (sslmode=verify-full: CA and host name checked) to every node every `everyMs`. */
function clientLoop(fleet: Fleet, everyMs = 100): { stop: () => Promise<Attempt[]> } {
  const attempts: Promise<Attempt>[] = [];
  const fire = () => {
    for (const n of fleet.nodes) {
      const startedAt = Date.now();
      attempts.push(
        connectOnce(n, fleet.client).then(
          (serial) => ({ node: n.name, startedAt, serial }),
          (err: unknown) => ({ node: n.name, startedAt, error: String(err) }),
        ),
      );
    }
  };
  fire();
  const timer = setInterval(fire, everyMs);
  return {
    stop: async () => {
      clearInterval(timer);
      return Promise.all(attempts);
    },
  };
}

async function served(n: TestNode, ca: string): Promise<{ serial?: string; ok?: boolean }> {
  const r = await probe('localhost', n.server.port, { caFile: ca, timeoutMs: 5000 });
  return { serial: r.chain[0]?.serial, ok: r.verification?.ok };
}

describe('fleet rotate-node over real SSH, three PostgreSQL nodes', function () {
  this.timeout(240_000);
  let fleet: Fleet | undefined;

  afterEach(async function () {
    this.timeout(60_000);
    await fleet?.stop();
    fleet = undefined;
  });

  it('rolls through three nodes while a client connects to each every 100 ms: no failed connection, each serves the cert in its certs dir', async () => {
    fleet = await Fleet.start();
    const before = Object.fromEntries(fleet.nodes.map((n) => [n.name, n.fileSerial()]));
    const dry = await fleet.cli('rotate-node', [...fleet.rotateArgs(), '--dry-run', '--json']);
    assert.equal(dry.status, 0, dry.stderr);
    const plan = JSON.parse(dry.stdout).plan;
    assert.deepEqual(
      plan.nodes.map((n: { name: string; reload: string }) => n.name),
      ['n1', 'n2', 'n3'],
    );
    assert.match(plan.nodes[0].reload, /kill -HUP/);
    assert.deepEqual(
      fleet.nodes.map((n) => n.fileSerial()),
      Object.values(before),
      'the dry run changed nothing',
    );

    const loop = clientLoop(fleet);
    await delay(500);
    const r = await fleet.cli('rotate-node', fleet.rotateArgs());
    await delay(500);
    const attempts = await loop.stop();
    assert.equal(r.status, 0, `${r.stderr}\n${r.stdout}`);
    const failed = attempts.filter((a) => a.error);
    assert.deepEqual(failed, [], 'no connection failed during the rollout');
    for (const n of fleet.nodes) {
      assert.notEqual(n.fileSerial(), before[n.name], `${n.name} has a new node.crt`);
      const s = await served(n, fleet.caCert);
      assert.equal(s.serial, n.fileSerial(), `${n.name} serves the node.crt in its certs dir`);
      assert.equal(s.ok, true, `${n.name}'s certificate chains to the CA`);
      const mine = attempts.filter((a) => a.node === n.name);
      assert.ok(mine.length >= 10, `${n.name}: ${mine.length} connections`);
      assert.ok(mine.some((a) => a.serial === before[n.name]) && mine.some((a) => a.serial === n.fileSerial()), `${n.name}: old then new serial seen`);
    }
    assert.ok(attempts.length >= 30, `${attempts.length} connections in all`);
    for (const n of ['n1', 'n2', 'n3']) assert.match(r.stdout, new RegExp(`${n}: verify done`));

    const st = await fleet.cli('status', ['--json']);
    assert.equal(st.status, 0, st.stderr + st.stdout);
    const status = JSON.parse(st.stdout);
    for (const n of status.nodes) {
      assert.deepEqual(n.mismatches, []);
      assert.equal(n.served.serial, fleet.node(n.name).fileSerial());
      assert.equal(n.served.chainsToCa, true);
      // What the port serves expires when the node.crt on disk does (read here, not from the status).
      const onDisk = new Date(new X509Certificate(readFileSync(join(fleet.node(n.name).certsDir, 'node.crt'))).validTo).toISOString();
      assert.equal(n.served.notAfter, onDisk, `${n.name}: the served certificate's expiry`);
      assert.equal(n.files.find((f: { file: string }) => f.file === 'node.crt').notAfter, onDisk);
      assert.ok(n.served.daysLeft > 300, `${n.name}: ${n.served.daysLeft} days left`);
    }
    const text = await fleet.cli('status');
    assert.equal(text.status, 0, text.stderr);
    for (const n of status.nodes)
      assert.ok(text.stdout.includes(`${n.served.serial} (${n.served.notAfter.slice(0, 10)}, ${n.served.daysLeft} d)`), text.stdout);
  });
});
