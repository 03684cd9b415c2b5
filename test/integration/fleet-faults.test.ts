/**
 * fleet rotate-node when things go wrong, against real nodes: a reload that fails, a node that serves
 * the wrong certificate after its reload, its sshd killed in the middle of an upload, an unknown and a
 * changed SSH host key. Each time every node serves a valid certificate chaining to the CA (the one in
 * its certs dir), a failed node's files are back byte for byte, and a refused host key changes nothing.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { X509Certificate, createHash } from 'node:crypto';
import type { ServedProbe } from '../../src/core/certsdir/rotate/reload';
import { type NodeStatus, loadInventory, planFleetRotateNode, runFleetPlan, systemSshTransport, tlsProbe } from '../../src/core/fleet';
import { defaultJournalPath } from '../../src/core/fleet/journal';
import { probe } from '../../src/core/tls/probe';
import { agedNodeCerts, makeCertsDir } from '../support/certs';
import { Fleet, TestNode, defaultReload } from '../support/fleet';

async function assertServesItsFiles(fleet: Fleet): Promise<void> {
  for (const n of fleet.nodes) {
    const r = await probe('localhost', n.server.port, { caFile: fleet.caCert, timeoutMs: 5000 });
    assert.equal(r.chain[0]?.serial, n.fileSerial(), `${n.name} serves the node.crt in its certs dir`);
    assert.equal(r.verification?.ok, true, `${n.name}'s certificate chains to the CA`);
  }
}

/** The backup folders of every node. */
const listBackups = (fleet: Fleet) => fleet.nodes.map((n) => (existsSync(`${n.certsDir}.backups`) ? readdirSync(`${n.certsDir}.backups`).join(',') : ''));

const fileHash = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

describe('fleet rotate-node failure injection over real SSH', function () {
  this.timeout(240_000);
  let fleet: Fleet;

  before(async function () {
    this.timeout(120_000);
    fleet = await Fleet.start();
  });
  after(async function () {
    this.timeout(60_000);
    await fleet?.stop();
  });
  beforeEach(() => {
    // Each case starts a new run (a failed run's journal would be resumed otherwise).
    rmSync(defaultJournalPath(fleet.inventory), { force: true });
    fleet.opts.reload = undefined;
    fleet.opts.unknownHostKey = undefined;
    fleet.opts.changedHostKey = undefined;
    fleet.writeKnownHosts();
    fleet.writeInventory();
  });

  function reloadFor(name: string, f: (n: TestNode) => string): void {
    fleet.opts.reload = (n) => (n.name === name ? f(n) : defaultReload(n));
    fleet.writeInventory();
  }

  it('a reload that fails on n2: n1 stays done, n2 is restored byte for byte and serves its old certificate, n3 is not touched', async () => {
    reloadFor('n2', (n) => `${defaultReload(n)}; echo reload broke >&2; exit 3`);
    const snap = fleet.snapshots();
    const before = fleet.nodes.map((n) => n.fileSerial());
    const r = await fleet.cli('rotate-node', [...fleet.rotateArgs(), '--verify-timeout', '10s']);
    assert.equal(r.status, 1, r.stdout);
    assert.match(r.stderr, /stopped at node n2, step reload: the reload command .* exited with 3.*Done: n1\./);
    assert.notEqual(fleet.node('n1').fileSerial(), before[0]);
    assert.equal(fleet.node('n2').snapshot(), snap.n2, 'n2 byte for byte as before');
    assert.equal(fleet.node('n3').snapshot(), snap.n3, 'n3 untouched');
    assert.match(r.stdout, /n2 +\| restored +\| reload .*\| yes /);
    await assertServesItsFiles(fleet);
  });

  it('n2 serves a foreign certificate after its reload: it is restored byte for byte and serves its own again', async () => {
    const other = await makeCertsDir({ hosts: ['localhost', '127.0.0.1'] });
    const flag = join(fleet.root, 'wrong-once');
    writeFileSync(flag, '');
    // Once: the reload swaps in another CA's certificate and key (a misconfigured node), then reloads.
    reloadFor(
      'n2',
      (n) =>
        `if [ -e ${flag} ]; then rm -f ${flag}; cp ${join(other.certsDir, 'node.crt')} ${join(n.certsDir, 'node.crt')}; cp ${join(other.certsDir, 'node.key')} ${join(n.certsDir, 'node.key')}; fi; ${defaultReload(n)}`,
    );
    const snap = fleet.snapshots();
    const r = await fleet.cli('rotate-node', [...fleet.rotateArgs(), '--verify-timeout', '5s']);
    assert.equal(r.status, 1, r.stdout);
    assert.match(r.stderr, /stopped at node n2, step verify: localhost:\d+ serves serial [0-9a-f]+, not serial/);
    assert.equal(fleet.node('n2').snapshot(), snap.n2, 'n2 byte for byte as before');
    assert.equal(fleet.node('n3').snapshot(), snap.n3);
    await assertServesItsFiles(fleet);
  });

  it("n2's sshd killed in the middle of an upload: nothing of n2 is replaced; once sshd is back, rollback restores every node and a new run completes", async () => {
    const snap = fleet.snapshots();
    fleet.node('n2').injectSshdKill('upload');
    const r = await fleet.cli('rotate-node', fleet.rotateArgs());
    assert.equal(r.status, 1, r.stdout);
    assert.match(
      r.stderr,
      /stopped at node n2, step upload: n2 \(root@127\.0\.0\.1:\d+\): the SSH connection was lost.*restoring it failed too|stopped at node n2, step upload/,
    );
    assert.equal(fleet.node('n2').sshdRunning, false, "n2's sshd is dead");
    await assertServesItsFiles(fleet);
    for (const f of ['node.crt', 'node.key']) assert.equal(existsSync(join(fleet.node('n2').certsDir, f)), true);
    assert.equal(fleet.node('n3').snapshot(), snap.n3);

    await fleet.node('n2').startSshd();
    const back = await fleet.cli('rollback');
    assert.equal(back.status, 0, back.stderr + back.stdout);
    for (const n of fleet.nodes) assert.equal(n.snapshot(), snap[n.name], `${n.name} byte for byte as before the run (the partial upload removed)`);
    await assertServesItsFiles(fleet);

    const again = await fleet.cli('rotate-node', fleet.rotateArgs());
    assert.equal(again.status, 0, again.stderr + again.stdout);
    for (const n of fleet.nodes) assert.notEqual(n.snapshot(), snap[n.name]);
    await assertServesItsFiles(fleet);
  });

  it('a cancel while n1 is being verified is seen at once (no probe after it): n1 is restored byte for byte, n2 and n3 never start', async () => {
    // n1 serves a foreign certificate after its reload, so its verify would probe until the (long) timeout.
    const other = await makeCertsDir({ hosts: ['localhost', '127.0.0.1'] });
    const flag = join(fleet.root, `wrong-for-cancel-${Date.now()}`);
    writeFileSync(flag, '');
    reloadFor(
      'n1',
      (n) =>
        `if [ -e ${flag} ]; then rm -f ${flag}; cp ${join(other.certsDir, 'node.crt')} ${join(n.certsDir, 'node.crt')}; cp ${join(other.certsDir, 'node.key')} ${join(n.certsDir, 'node.key')}; fi; ${defaultReload(n)}`,
    );
    const snap = fleet.snapshots();
    const inv = loadInventory(fleet.inventory, { home: fleet.home });
    const plan = planFleetRotateNode({ inventory: inv, caCert: fleet.caCert, caKey: fleet.caKey });
    const abort = new AbortController();
    const seen = { verifyProbes: 0, afterCancel: 0, restoreProbes: 0 };
    // The run's probes carry its signal; the restore's carry none (a restore is never cut short).
    const counting: ServedProbe = async (host, port, caFile, signal) => {
      if (!signal) seen.restoreProbes++;
      else if (signal.aborted) seen.afterCancel++;
      else if (++seen.verifyProbes === 2) setImmediate(() => abort.abort());
      return tlsProbe(host, port, caFile, signal);
    };
    const r = await runFleetPlan(plan, {
      transport: systemSshTransport({ knownHostsFile: inv.knownHostsFile, identityFile: inv.sshIdentityFile, env: fleet.env() }),
      probe: counting,
      signal: abort.signal,
      verifyTimeoutMs: 600_000,
    });
    assert.deepEqual(
      r.nodes.map((n) => [n.name, n.status, n.step, n.cause]),
      [
        ['n1', 'restored', 'verify', 'cancelled'],
        ['n2', 'skipped', undefined, undefined],
        ['n3', 'skipped', undefined, undefined],
      ],
    );
    assert.equal(r.nodes[0].restoredByteForByte, true);
    assert.equal(seen.verifyProbes, 2, 'the verify stopped at the cancel');
    assert.equal(seen.afterCancel, 0, 'no probe of the run after the cancel');
    assert.ok(seen.restoreProbes >= 1, 'the restore checked what n1 serves');
    assert.deepEqual(fleet.snapshots(), snap, 'every node byte for byte as before');
    await assertServesItsFiles(fleet);
  });

  it('fleet status: what each node serves with its expiry; an expired served certificate and one that is not the node.crt on disk are mismatches', async () => {
    const n2 = fleet.node('n2');
    const aged = await agedNodeCerts({ root: mkdtempSync(join(fleet.root, 'aged-')), certsDir: dirname(fleet.caCert), caKey: fleet.caKey });
    const files = ['node.crt', 'node.key'].map((f) => join(n2.certsDir, f));
    const keep = files.map((f) => readFileSync(f));
    const iso = (pem: Buffer) => new Date(new X509Certificate(pem).validTo).toISOString();
    const serial = (pem: Buffer) => new X509Certificate(pem).serialNumber.toLowerCase();
    const expired = readFileSync(aged.expired.cert);
    /** Overwrites n2's files in place (owner and mode kept); with `reload`, until n2 serves the new node.crt. */
    const put = async (crt: Buffer, key: Buffer, reload: boolean) => {
      writeFileSync(files[0], crt);
      writeFileSync(files[1], key);
      if (!reload) return;
      spawnSync('sh', ['-c', defaultReload(n2)]);
      for (let i = 0; i < 100; i++) {
        const r = await probe('localhost', n2.server.port, { caFile: fleet.caCert, timeoutMs: 5000 });
        if (r.chain[0]?.serial === serial(crt)) return;
        await new Promise((res) => setTimeout(res, 100));
      }
      assert.fail(`n2 does not serve serial ${serial(crt)}`);
    };
    try {
      // n2 serves an expired certificate of the CA, while its certs dir holds the valid one again (not reloaded).
      await put(expired, readFileSync(aged.expired.key), true);
      await put(keep[0], keep[1], false);
      const st = await fleet.cli('status', ['--json']);
      assert.equal(st.status, 1, st.stderr + st.stdout);
      const nodes = (JSON.parse(st.stdout) as { nodes: NodeStatus[] }).nodes;
      for (const n of nodes) {
        const file = readFileSync(join(fleet.node(n.name).certsDir, 'node.crt'));
        assert.equal(n.files.find((f) => f.file === 'node.crt')?.notAfter, iso(file));
        if (n.name === 'n2') continue;
        assert.deepEqual(n.mismatches, [], n.name);
        assert.deepEqual([n.served?.serial, n.served?.notAfter, n.served?.chainsToCa], [serial(file), iso(file), true], n.name);
      }
      const s2 = nodes.find((n) => n.name === 'n2');
      assert.equal(s2?.served?.serial, serial(expired));
      assert.equal(s2?.served?.notAfter, iso(expired));
      assert.ok((s2?.served?.daysLeft ?? 0) < 0, `served daysLeft ${s2?.served?.daysLeft}`);
      const m = s2?.mismatches ?? [];
      assert.equal(m.length, 2, m.join('\n'));
      assert.match(
        m[0],
        new RegExp(
          `serves serial ${serial(expired)}, expires ${iso(expired)}, but .*node\\.crt is serial ${serial(keep[0])}, expires ${iso(keep[0])}: reload the node`,
        ),
      );
      assert.match(m[1], new RegExp(`serves a certificate that expired ${iso(expired)}: clients refuse it`));
      const text = await fleet.cli('status');
      assert.equal(text.status, 1);
      assert.equal(s2?.served?.expired, true);
      assert.ok(text.stdout.includes(`${serial(expired)} (${iso(expired).slice(0, 10)}, ${s2?.served?.daysLeft} d) (EXPIRED)`), text.stdout);
    } finally {
      await put(keep[0], keep[1], true);
    }
    await assertServesItsFiles(fleet);
  });

  for (const kind of ['unknown', 'changed'] as const) {
    it(`${kind === 'unknown' ? 'an' : 'a'} ${kind} host key on n3 is refused before anything is changed on any node`, async () => {
      if (kind === 'unknown') fleet.opts.unknownHostKey = ['n3'];
      else fleet.opts.changedHostKey = ['n3'];
      fleet.writeKnownHosts();
      const known = fileHash(fleet.knownHosts);
      const snap = fleet.snapshots();
      const backups = listBackups(fleet);
      const r = await fleet.cli('rotate-node', fleet.rotateArgs());
      assert.equal(r.status, 1, r.stdout);
      assert.match(
        r.stderr,
        kind === 'unknown'
          ? /n3 \(root@127\.0\.0\.1:\d+\): its SSH host key is not in .*known_hosts/
          : /n3 .*: its SSH host key is not the one in .*the key has changed/,
      );
      assert.match(r.stderr, /before anything was changed/);
      assert.deepEqual(fleet.snapshots(), snap, 'no node changed');
      assert.equal(fileHash(fleet.knownHosts), known, 'known_hosts not written (no trust on first use)');
      assert.equal(existsSync(defaultJournalPath(fleet.inventory)), false, 'no run was started');
      assert.deepEqual(listBackups(fleet), backups, 'no backup was made on any node');
      await assertServesItsFiles(fleet);
    });
  }

  /** Each node's reload notes when it starts and ends (ns since the epoch, in a file of the test's), around the usual SIGHUP. */
  function timedReloads(extra: (n: TestNode) => string): string {
    const log = join(fleet.root, `reloads-${Date.now()}.log`);
    fleet.opts.reload = (n) => `echo "${n.name} start $(date +%s%N)" >> ${log}; ${extra(n)}; ${defaultReload(n)}; echo "${n.name} end $(date +%s%N)" >> ${log}`;
    fleet.writeInventory();
    return log;
  }
  const readTimes = (log: string) => {
    const t: Record<string, { start?: number; end?: number }> = {};
    for (const [name, what, ns] of readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split(' '))) {
      t[name] ??= {};
      t[name][what as 'start' | 'end'] = Number(BigInt(ns) / 1_000_000n);
    }
    return t;
  };

  it('--parallel 2: two nodes at a time, never three; every node done and serving its new certificate', async () => {
    const log = timedReloads(() => 'sleep 1.5');
    const before = fleet.nodes.map((n) => n.fileSerial());
    const r = await fleet.cli('rotate-node', [...fleet.rotateArgs(), '--parallel', '2', '--json']);
    assert.equal(r.status, 0, r.stderr + r.stdout);
    const { report } = JSON.parse(r.stdout) as { report: { ok: boolean; nodes: { name: string; status: string }[] } };
    assert.equal(report.ok, true);
    assert.deepEqual(
      report.nodes.map((n) => [n.name, n.status]),
      fleet.nodes.map((n) => [n.name, 'done']),
    );
    for (const [i, n] of fleet.nodes.entries()) assert.notEqual(n.fileSerial(), before[i], `${n.name} has a new node.crt`);
    const t = readTimes(log);
    const [a, b, c] = ['n1', 'n2', 'n3'].map((n) => t[n] as { start: number; end: number });
    assert.ok(b.start < a.end && a.start < b.end, `n1 and n2 reloaded at the same time (n1 ${a.start}–${a.end}, n2 ${b.start}–${b.end})`);
    assert.ok(c.start >= Math.min(a.end, b.end), `n3 started (${c.start}) before n1 or n2 ended (${a.end}, ${b.end}): three at a time`);
    await assertServesItsFiles(fleet);
  });

  it('--parallel 2 and a reload that fails on n1: n2, already at work, finishes; n3 never starts, also while n1 is being restored', async () => {
    // n1's reload fails at once, and its second run (the restore's) takes 4 s; n2 finishes in between:
    // no worker may take n3 while n1 is being restored.
    const once = join(fleet.root, `n1-failed-${Date.now()}`);
    const log = timedReloads((n) => (n.name === 'n1' ? `if [ -f ${once} ]; then sleep 4; else touch ${once}; echo reload broke >&2; exit 3; fi` : 'sleep 1'));
    const snap = fleet.snapshots();
    const before = fleet.nodes.map((n) => n.fileSerial());
    const r = await fleet.cli('rotate-node', [...fleet.rotateArgs(), '--parallel', '2', '--verify-timeout', '10s', '--json']);
    assert.equal(r.status, 1, r.stdout);
    const { report } = JSON.parse(r.stdout) as { report: { ok: boolean; nodes: { name: string; status: string; step?: string }[] } };
    assert.deepEqual(
      report.nodes.map((n) => [n.name, n.status]),
      [
        ['n1', 'restored'],
        ['n2', 'done'],
        ['n3', 'skipped'],
      ],
    );
    assert.equal(report.nodes[0].step, 'reload');
    assert.equal(fleet.node('n1').snapshot(), snap.n1, 'n1 byte for byte as before');
    assert.notEqual(fleet.node('n2').fileSerial(), before[1], 'n2 has its new node.crt');
    assert.equal(fleet.node('n3').snapshot(), snap.n3, 'n3 untouched');
    assert.equal(readTimes(log).n3, undefined, 'n3 was never reloaded');
    await assertServesItsFiles(fleet);
  });

  it('distribute-ca refuses a CA file that does not verify the nodes, then pushes a combined one', async () => {
    const other = await makeCertsDir();
    const snap = fleet.snapshots();
    const refused = await fleet.cli('distribute-ca', ['--ca-cert', join(other.certsDir, 'ca.crt')]);
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /n1: the new ca\.crt does not verify its node\.crt .* nothing was changed on any node/);
    assert.deepEqual(fleet.snapshots(), snap);
    const combined = join(fleet.root, 'combined');
    mkdirSync(combined, { recursive: true });
    writeFileSync(join(combined, 'ca.crt'), readFileSync(join(other.certsDir, 'ca.crt'), 'utf8') + readFileSync(fleet.caCert, 'utf8'));
    copyFileSync(join(combined, 'ca.crt'), join(combined, 'bundle.crt'));
    const r = await fleet.cli('distribute-ca', ['--ca-cert', join(combined, 'bundle.crt')]);
    assert.equal(r.status, 0, r.stderr + r.stdout);
    for (const n of fleet.nodes) assert.equal(fileHash(join(n.certsDir, 'ca.crt')), fileHash(join(combined, 'bundle.crt')));
    await assertServesItsFiles(fleet);
  });
});
