import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Conn } from '../../src/core/connstr/conn';
import { findConnStrings } from '../../src/core/connstr/find';
import { ConnString } from '../../src/core/connstr/types';

// out/test/unit -> the repository root.
const CONNSTR = join(__dirname, '..', '..', '..', 'src', 'core', 'connstr');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

const plain = (cs: ConnString[]) => JSON.parse(JSON.stringify(cs));

describe('connection-string scanner: one scanner per scan', () => {
  it('no module-level let, var or export let, and no file over 450 lines, in src/core/connstr', () => {
    for (const f of sources(CONNSTR)) {
      const src = readFileSync(f, 'utf8');
      assert.deepEqual(
        src.split('\n').filter((l) => /^(export )?(let|var) /.test(l)),
        [],
        f,
      );
      assert.ok(src.split('\n').length <= 450, `${f}: ${src.split('\n').length} lines`);
    }
  });

  it('a scan reads the same whatever was scanned before it (the repeated-piece caches are per scan)', () => {
    const a =
      "DATABASE_URL=postgresql://alice:s%65cret@db:26258/app?sslmode=verify-full&sslrootcert=ca.crt\nPGDSN='host=db port=26257 user=bob sslmode=require'\n";
    const b = "x postgresql://alice:s%zzcret@db:1/app?sslmode=disable&sslrootcert=%zz host=other dbname=d password='unterminated\n";
    const first = plain(findConnStrings(a));
    const other = plain(findConnStrings(b));
    assert.deepEqual(plain(findConnStrings(a)), first);
    assert.deepEqual(plain(findConnStrings(b)), other);
    // The same pieces at other offsets: copied from the first reading, shifted.
    assert.deepEqual(
      plain(findConnStrings(a + a))
        .slice(first.length)
        .map((c: { span: unknown }) => c.span),
      first.map((c: { span: { start: number; end: number } }) => ({ start: c.span.start + a.length, end: c.span.end + a.length })),
    );
  });

  it('the strings of one scan keep their table after later scans; a string built elsewhere has none', () => {
    const [c] = findConnStrings('postgresql://root@localhost:26257/defaultdb?sslmode=verify-full');
    const before = plain([c]);
    findConnStrings('postgres://other@elsewhere:1/x?a=b host=h dbname=d');
    assert.deepEqual(plain([c]), before);
    assert.ok(Conn.tableOf(c));
    assert.equal(Conn.indexOf(c), 0);
    const elsewhere = plain([c])[0] as ConnString;
    assert.equal(Conn.tableOf(elsewhere), undefined);
    assert.equal(Conn.indexOf(elsewhere), -1);
  });
});
