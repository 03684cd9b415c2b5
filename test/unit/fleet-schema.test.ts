/** The inventory's JSON schema (media/fleet-inventory.schema.json, contributed through yamlValidation) against the inventory parser. */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { parseInventory } from '../../src/core/fleet/inventory';

const root = join(__dirname, '..', '..', '..');
const schema = JSON.parse(readFileSync(join(root, 'media', 'fleet-inventory.schema.json'), 'utf8'));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const validate = new Ajv({ allErrors: true, strict: true }).compile(schema);

/** The README's example inventory: the first yaml block of the Fleets section. */
function readmeInventory(): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### Fleets'));
  const m = /```yaml\n([\s\S]*?)```/.exec(section);
  assert.ok(m, 'README: no yaml block in the Fleets section');
  return m[1];
}

const NODE = { name: 'n1', ssh: 'cockroach@10.0.0.11:22', certsDir: '/var/lib/cockroach/certs', hosts: ['n1.internal'], verify: 'n1.internal:26257' };
const BAD: [string, unknown][] = [
  ['no nodes', {}],
  ['an empty node list', { nodes: [] }],
  ['an unknown top-level field', { nodes: [NODE], sshKey: '~/.ssh/id' }],
  ['an unknown node field', { nodes: [{ ...NODE, port: 22 }] }],
  ['a node without verify', { nodes: [{ ...NODE, verify: undefined }] }],
  ['a relative certsDir', { nodes: [{ ...NODE, certsDir: 'certs' }] }],
  ['an empty hosts list', { nodes: [{ ...NODE, hosts: [] }] }],
  ['hosts as a string', { nodes: [{ ...NODE, hosts: 'n1.internal' }] }],
  ['a node name with a slash', { nodes: [{ ...NODE, name: 'n/1' }] }],
  ['an ssh host that reads as an option', { nodes: [{ ...NODE, ssh: 'cockroach@-oProxyCommand=x' }] }],
  ['an ssh target with a space', { nodes: [{ ...NODE, ssh: 'cockroach@10.0.0.11 -p 22' }] }],
  ['a numeric reload', { nodes: [{ ...NODE, reload: 1 }] }],
  ['an empty reload', { nodes: [{ ...NODE, reload: '' }] }],
  ['a reload of two lines', { nodes: [{ ...NODE, reload: 'pg_ctl reload\nrm -rf /' }] }],
];

describe('fleet inventory schema (media/fleet-inventory.schema.json)', () => {
  it("accepts the README's example inventory, which the parser accepts too", () => {
    const text = readmeInventory();
    assert.ok(validate(parse(text)), JSON.stringify(validate.errors));
    assert.equal(parseInventory(text, '/etc/fleet.yaml', { home: '/home/op' }).nodes.length, 1);
  });

  it('accepts every optional field the parser reads (and a reload on one line, quoted)', () => {
    const text = `sshIdentityFile: keys/id\nknownHostsFile: ~/known\nnodes:\n  - name: a.b_c-1\n    ssh: '[::1]:2222'\n    certsDir: /c/\n    hosts: [localhost, 127.0.0.1]\n    verify: localhost\n    reload: 'pg_ctl -D /d reload'\n`;
    assert.ok(validate(parse(text)), JSON.stringify(validate.errors));
    parseInventory(text, '/etc/fleet.yaml', { home: '/home/op' });
  });

  for (const [what, doc] of BAD)
    it(`rejects ${what}, as the parser does`, () => {
      const json = JSON.parse(JSON.stringify(doc));
      assert.equal(validate(json), false, `the schema accepts ${what}`);
      assert.throws(() => parseInventory(JSON.stringify(json), '/etc/fleet.yaml', { home: '/home/op' }), /inventory \/etc\/fleet\.yaml/);
    });

  it('documents every field, and package.json contributes it for inventory files through yamlValidation', () => {
    const fields = { ...schema.properties, ...schema.definitions.node.properties };
    for (const [k, v] of Object.entries(fields)) assert.ok((v as { description?: string }).description, `${k} has no description`);
    const entries = (pkg.contributes.yamlValidation ?? []) as { fileMatch: string | string[]; url: string }[];
    const entry = entries.find((e) => e.url === './media/fleet-inventory.schema.json');
    assert.ok(entry, 'no yamlValidation entry for ./media/fleet-inventory.schema.json');
    assert.deepEqual([entry.fileMatch].flat().sort(), ['*.fleet.yaml', '*.fleet.yml', 'crdb-tls-fleet.yaml', 'crdb-tls-fleet.yml'].sort());
  });
});
