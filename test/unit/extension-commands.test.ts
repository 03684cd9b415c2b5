import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMMAND_CATEGORY, COMMAND_IDS } from '../../src/extension/commandIds';

interface Contributed {
  command: string;
  title: string;
  category?: string;
}

const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8'));
const contributed: Contributed[] = pkg.contributes.commands;

describe('the command table against package.json', () => {
  it('lists each command once', () => {
    assert.equal(new Set(COMMAND_IDS).size, COMMAND_IDS.length);
    assert.equal(new Set(contributed.map((c) => c.command)).size, contributed.length);
  });

  it('every command of the table is contributed, and every contributed command is in the table', () => {
    const table = new Set<string>(COMMAND_IDS);
    const pj = new Set(contributed.map((c) => c.command));
    assert.deepEqual(
      [...table].filter((id) => !pj.has(id)),
      [],
      'in the table, not in contributes.commands',
    );
    assert.deepEqual(
      [...pj].filter((id) => !table.has(id)),
      [],
      'in contributes.commands, not in the table',
    );
  });

  it(`every contributed command has a title and the one category "${COMMAND_CATEGORY}"`, () => {
    assert.equal(COMMAND_CATEGORY, 'CockroachDB TLS');
    for (const c of contributed) {
      assert.equal(c.category, COMMAND_CATEGORY, c.command);
      assert.ok(c.title.trim(), `${c.command} has no title`);
      assert.match(c.command, /^cockroachTls\.[a-z][A-Za-z]*$/);
    }
  });

  it('menus and welcome links name only commands of the table', () => {
    const table = new Set<string>(COMMAND_IDS);
    const menus = pkg.contributes.menus as Record<string, { command: string }[]>;
    for (const [where, items] of Object.entries(menus)) {
      for (const item of items) assert.ok(table.has(item.command), `${where}: ${item.command}`);
    }
    for (const w of pkg.contributes.viewsWelcome as { contents: string }[]) {
      for (const m of w.contents.matchAll(/\(command:([^)?]+)/g)) assert.ok(table.has(m[1]), m[1]);
    }
  });
});
