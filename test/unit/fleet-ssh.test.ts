/**
 * The options the fleet gives the system ssh, read back through `ssh -G` (OpenSSH's own view of the
 * effective configuration): host keys are trusted from the inventory's known-hosts file only, even
 * when an ssh_config says otherwise.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sshArgs } from '../../src/core/fleet/ssh';
import { FleetNode } from '../../src/core/fleet/types';
import { tmpDir } from '../support/tmp';

const node: FleetNode = {
  name: 'n1',
  ssh: 'cockroach@127.0.0.1:2222',
  target: { user: 'cockroach', host: '127.0.0.1', port: 2222 },
  certsDir: '/var/lib/cockroach/certs',
  hosts: ['localhost'],
  verify: 'localhost:26257',
  reload: 'true',
};

/** `ssh -G` with the fleet's arguments: the effective options, lower-case keys. */
function effective(configFile: string, knownHostsFile: string): Map<string, string[]> {
  const r = spawnSync('ssh', ['-G', ...sshArgs({ knownHostsFile, configFile }, node)], { encoding: 'utf8' });
  assert.equal(r.status, 0, `ssh -G refused the fleet's options: ${r.stderr}`);
  const out = new Map<string, string[]>();
  for (const line of r.stdout.split('\n')) {
    const [k, ...v] = line.split(' ');
    if (k) out.set(k, [...(out.get(k) ?? []), v.join(' ')]);
  }
  return out;
}

describe('fleet ssh options (through ssh -G)', () => {
  it('trust comes from the inventory known-hosts file only, whatever the ssh_config says', () => {
    const dir = tmpDir();
    const config = join(dir, 'ssh_config');
    writeFileSync(
      config,
      [
        'Host *',
        '  KnownHostsCommand /bin/echo 127.0.0.1 ssh-ed25519 AAAA',
        '  VerifyHostKeyDNS yes',
        '  StrictHostKeyChecking accept-new',
        '  GlobalKnownHostsFile /etc/ssh/ssh_known_hosts',
        '  UserKnownHostsFile ~/.ssh/known_hosts',
        '  UpdateHostKeys yes',
        '',
      ].join('\n'),
    );
    const known = join(dir, 'known_hosts');
    const o = effective(config, known);
    assert.equal(o.get('knownhostscommand'), undefined, 'no KnownHostsCommand');
    assert.deepEqual(o.get('verifyhostkeydns'), ['false']);
    assert.deepEqual(o.get('stricthostkeychecking'), ['true']);
    assert.deepEqual(o.get('userknownhostsfile'), [known]);
    assert.deepEqual(o.get('globalknownhostsfile'), ['/dev/null']);
    assert.deepEqual(o.get('updatehostkeys'), ['false']);
    assert.deepEqual(o.get('batchmode'), ['yes']);
    assert.deepEqual(o.get('port'), ['2222']);
  });
});
