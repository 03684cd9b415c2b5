/** The fleet's untrusted inputs: the inventory (YAML) and the journal beside it, each refused with one line naming the field. */
import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseInventory } from '../../src/core/fleet/inventory';
import { parseJournal, readJournal } from '../../src/core/fleet/journal';
import { parseRead, remoteCommand, sq } from '../../src/core/fleet/remote';
import { classifySshFailure } from '../../src/core/fleet/ssh';
import { tmpDir } from '../support/tmp';

const NODE = `  - name: n1
    ssh: cockroach@10.0.0.11:2222
    certsDir: /var/lib/cockroach/certs
    hosts: [n1.internal, 10.0.0.11]
    verify: n1.internal:26257
`;
const inv = (body: string) => parseInventory(body, '/etc/fleet.yaml', { home: '/home/op' });

describe('fleet inventory', () => {
  it('reads nodes with defaults: reload, known_hosts, ~ and relative paths', () => {
    const i = inv(`sshIdentityFile: ~/.ssh/id_ed25519\nnodes:\n${NODE}`);
    assert.equal(i.knownHostsFile, '/home/op/.ssh/known_hosts');
    assert.equal(i.sshIdentityFile, '/home/op/.ssh/id_ed25519');
    assert.deepEqual(i.nodes[0].target, { user: 'cockroach', host: '10.0.0.11', port: 2222 });
    assert.equal(i.nodes[0].reload, 'kill -HUP $(pgrep -x cockroach)');
    assert.equal(inv(`knownHostsFile: keys/known\nnodes:\n${NODE}`).knownHostsFile, '/etc/keys/known');
  });

  const bad: [string, string, RegExp][] = [
    [
      'an ssh host that ssh would read as an option',
      NODE.replace('cockroach@10.0.0.11:2222', 'root@-oProxyCommand=x'),
      /nodes\[0\]\.ssh .* does not name a host/,
    ],
    ['a relative certsDir', NODE.replace('/var/lib/cockroach/certs', 'certs'), /nodes\[0\]\.certsDir "certs" is not an absolute path/],
    ['a certsDir with ..', NODE.replace('/var/lib/cockroach/certs', '/var/../etc'), /nodes\[0\]\.certsDir .* without "\.\."/],
    ['a host that cannot be a SAN', NODE.replace('n1.internal, ', 'bad_host!, '), /nodes\[0\]\.hosts\[0\] "bad_host!" cannot go into a node certificate/],
    ['an unknown field', NODE + '    colour: red\n', /nodes\[0\] has an unknown field "colour"/],
    ['a verify port out of range', NODE.replace('n1.internal:26257', 'n1:99999'), /port "99999" .* is not a port number/],
    ['two nodes of one name', NODE + NODE, /two nodes are named "n1"/],
    ['a duplicate YAML key', NODE.replace('    verify:', '    hosts: [x]\n    verify:'), /it is not valid YAML/],
  ];
  for (const [what, node, re] of bad) {
    it(`refuses ${what} with one line naming the file`, () => {
      assert.throws(
        () => inv(`nodes:\n${node}`),
        (e: Error) => re.test(e.message) && e.message.startsWith('inventory /etc/fleet.yaml: ') && !e.message.includes('\n'),
      );
    });
  }
  it('refuses a file with no nodes', () => assert.throws(() => inv('nodes: []\n'), /nodes is empty/));
});

describe('fleet journal (untrusted: it sits beside the inventory)', () => {
  const good = {
    version: 1,
    runId: '20250102T030405678Z',
    command: 'rotate-node',
    inventorySha256: 'a'.repeat(64),
    caCertSha256: 'b'.repeat(64),
    pid: 42,
    hostname: 'h',
    startedAt: '2025-01-02T03:04:05.678Z',
    updatedAt: '2025-01-02T03:04:05.678Z',
    state: 'running',
    nodes: [{ name: 'n1', step: 'rename', changed: true, done: false, oldSha: { 'node.crt': 'c'.repeat(64), 'node.key': null }, newSha: {} }],
  };
  const names = new Set(['n1']);
  it('reads what the run writes', () => assert.equal(parseJournal(good, names).nodes[0].step, 'rename'));
  const tamper: [string, (j: typeof good) => unknown, RegExp][] = [
    ['a node the inventory does not have', (j) => ({ ...j, nodes: [{ ...j.nodes[0], name: 'evil' }] }), /not a node of the inventory/],
    ['a file outside the command set', (j) => ({ ...j, nodes: [{ ...j.nodes[0], oldSha: { '../../etc/passwd': 'c'.repeat(64) } }] }), /unknown field/],
    ['a path field', (j) => ({ ...j, backupDir: '/tmp/x' }), /unknown field "backupDir"/],
    ['a run id that is not a time stamp', (j) => ({ ...j, runId: '../x' }), /runId .* not a backup id/],
    ['a step of no kind', (j) => ({ ...j, nodes: [{ ...j.nodes[0], step: 'rm -rf' }] }), /step .* not one of/],
    ['a certificate that is not PEM', (j) => ({ ...j, nodes: [{ ...j.nodes[0], newCert: 'x' }] }), /newCert is not one PEM certificate/],
  ];
  for (const [what, f, re] of tamper) it(`refuses ${what}`, () => assert.throws(() => parseJournal(f(good), names), re));
  it('readJournal: one line naming the file, nothing changed', () => {
    const p = join(tmpDir(), 'j.json');
    writeFileSync(p, '{"version": 2}');
    assert.throws(() => readJournal(p, names), /the fleet journal .*j\.json is not one this tool wrote for this inventory \(the journal has no "runId"\)/);
  });
});

describe('fleet remote commands and ssh errors', () => {
  it('quotes every argument as one shell word', () => {
    assert.equal(sq("a'b $(x)"), `'a'\\''b $(x)'`);
    assert.match(remoteCommand('cleanup', 'true', ["/d'ir", '.x.tmp']), /^sh -c 'true' crdb-tls-fleet-cleanup '\/d'\\''ir' '\.x\.tmp'$/);
  });
  it('parses hashes, missing files, links and base64 contents', () => {
    const r = parseRead(`F node.key ${'d'.repeat(64)}\nM ca.crt\nX node.crt\nF x.crt ${'e'.repeat(64)}\nB x.crt\naGVs\nbG8=\nE x.crt\n`);
    assert.deepEqual(r.hashes, { 'node.key': 'd'.repeat(64), 'ca.crt': null, 'node.crt': 'other', 'x.crt': 'e'.repeat(64) });
    assert.equal(r.content['x.crt'].toString(), 'hello');
  });
  it("classifies OpenSSH's refusals", () => {
    assert.equal(classifySshFailure('@@@ WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED! @@@\nHost key verification failed.'), 'host-key-changed');
    assert.equal(
      classifySshFailure('No ED25519 host key is known for [127.0.0.1]:2222 and you have requested strict checking.\nHost key verification failed.'),
      'host-key-unknown',
    );
    assert.equal(classifySshFailure('root@127.0.0.1: Permission denied (publickey).'), 'auth');
    assert.equal(classifySshFailure('ssh: connect to host 127.0.0.1 port 1: Connection refused'), 'connect');
  });
});
