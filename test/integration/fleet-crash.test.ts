/**
 * kill -9 of crdb-tls fleet rotate-node at each step of a node (the journal is written before each
 * step), then the same command again resumes the run and `fleet rollback` undoes it: every node keeps
 * serving a valid certificate chaining to the CA, an untouched node stays byte for byte, the resumed
 * run ends with each node serving its new node.crt, and the rollback puts every file back byte for byte.
 */
import { strict as assert } from 'node:assert';
import { probe } from '../../src/core/tls/probe';
import { Fleet } from '../support/fleet';

async function servesValid(fleet: Fleet, mustMatchFiles: boolean): Promise<void> {
  for (const n of fleet.nodes) {
    const r = await probe('localhost', n.server.port, { caFile: fleet.caCert, timeoutMs: 5000 });
    assert.equal(r.verification?.ok, true, `${n.name} serves a certificate chaining to the CA`);
    assert.equal(r.chain[0]?.validity, 'valid', `${n.name}'s certificate is valid`);
    if (mustMatchFiles) assert.equal(r.chain[0]?.serial, n.fileSerial(), `${n.name} serves the node.crt in its certs dir`);
  }
}

const KILLS: { at: string; filesChanged: boolean }[] = [
  { at: 'n2:issue:start', filesChanged: false },
  { at: 'n2:upload:start', filesChanged: false },
  { at: 'n2:upload:done', filesChanged: false },
  { at: 'n2:backup:start', filesChanged: false },
  { at: 'n2:rename:start', filesChanged: false },
  { at: 'n2:rename:done', filesChanged: true },
  { at: 'n2:reload:start', filesChanged: true },
  { at: 'n2:verify:start', filesChanged: true },
];

describe('fleet rotate-node killed (SIGKILL) at each step, then resumed and rolled back', function () {
  this.timeout(600_000);
  let fleet: Fleet;

  before(async function () {
    this.timeout(120_000);
    fleet = await Fleet.start();
  });
  after(async function () {
    this.timeout(60_000);
    await fleet?.stop();
  });

  for (const k of KILLS) {
    it(`killed at ${k.at}: resume completes every node, rollback restores every file byte for byte`, async () => {
      const s0 = fleet.snapshots();
      const serials0 = fleet.nodes.map((n) => n.fileSerial());
      const killed = await fleet.cli('rotate-node', fleet.rotateArgs(), { CRDB_TLS_TEST_FLEET_KILL_AT: k.at });
      assert.equal(killed.signal, 'SIGKILL', `killed at ${k.at}: ${killed.stdout}`);
      await servesValid(fleet, !k.filesChanged);
      assert.notEqual(fleet.node('n1').fileSerial(), serials0[0], 'n1 was done before the kill');
      assert.equal(fleet.node('n3').snapshot(), s0.n3, 'n3 untouched');
      if (!k.filesChanged) assert.equal(fleet.node('n2').fileSerial(), serials0[1], "n2's node.crt not replaced yet");

      const resumed = await fleet.cli('rotate-node', fleet.rotateArgs());
      assert.equal(resumed.status, 0, resumed.stderr + resumed.stdout);
      assert.match(resumed.stdout, /resumed the interrupted run/);
      assert.match(resumed.stdout, /n1 +\| already-done/);
      await servesValid(fleet, true);
      fleet.nodes.forEach((n, i) => assert.notEqual(n.fileSerial(), serials0[i], `${n.name} rotated`));

      const back = await fleet.cli('rollback');
      assert.equal(back.status, 0, back.stderr + back.stdout);
      assert.deepEqual(fleet.snapshots(), s0, 'every node byte for byte as before the run');
      await servesValid(fleet, true);
    });
  }

  it('killed at n2:rename:done, then rolled back without resuming: every node as before, byte for byte', async () => {
    const s0 = fleet.snapshots();
    const killed = await fleet.cli('rotate-node', fleet.rotateArgs(), { CRDB_TLS_TEST_FLEET_KILL_AT: 'n2:rename:done' });
    assert.equal(killed.signal, 'SIGKILL');
    const dry = await fleet.cli('rotate-node', [...fleet.rotateArgs(), '--dry-run']);
    assert.match(dry.stdout, /resumes the interrupted run/);
    const other = await fleet.cli('distribute-ca', ['--ca-cert', fleet.caCert]);
    assert.equal(other.status, 1);
    assert.match(other.stderr, /unfinished fleet run .* \(a rotate-node run, running\).*fleet rollback --inventory/);
    // --dry-run: the plan from the local journal (each changed node's backup, reload and verify), no node touched.
    const before = fleet.snapshots();
    const plan = await fleet.cli('rollback', ['--dry-run']);
    assert.equal(plan.status, 0, plan.stderr + plan.stdout);
    assert.match(plan.stdout, /^Undo the fleet rotate-node run /m);
    assert.match(plan.stdout, /^ {2}n2: changed, not finished/m);
    assert.match(plan.stdout, /^ {4}reload: /m);
    assert.match(plan.stdout, /^Dry run: no node was contacted or changed\.$/m);
    const planJson = JSON.parse((await fleet.cli('rollback', ['--dry-run', '--json'])).stdout);
    assert.equal(planJson.dryRun, true);
    assert.equal(planJson.plan.command, 'rotate-node');
    assert.deepEqual(fleet.snapshots(), before, 'the dry run changed no node');
    const back = await fleet.cli('rollback', ['--json']);
    assert.equal(back.status, 0, back.stderr + back.stdout);
    const report = JSON.parse(back.stdout).report;
    assert.deepEqual(
      report.nodes.map((n: { name: string; status: string; restoredByteForByte?: boolean }) => [n.name, n.status, n.restoredByteForByte]),
      [
        ['n1', 'restored', true],
        ['n2', 'restored', true],
        ['n3', 'restored', true],
      ],
    );
    assert.deepEqual(fleet.snapshots(), s0);
    await servesValid(fleet, true);
  });
});
