import { strict as assert } from 'node:assert';
import { renderTable } from '../../src/cli/table';

describe('cockroach-style table', () => {
  it('centres headers, pads cells and counts rows', () => {
    const t = renderTable(
      ['Usage', 'Certificate File'],
      [
        ['CA', 'ca.crt'],
        ['Client', 'client.root.crt'],
      ],
    );
    assert.equal(
      t,
      ['  Usage  | Certificate File', '---------+-------------------', '  CA     | ca.crt', '  Client | client.root.crt', '(2 rows)', ''].join('\n'),
    );
  });
});
