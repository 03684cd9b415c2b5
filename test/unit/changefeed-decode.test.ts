import { strict as assert } from 'node:assert';
import { decodeParam, decodeStdBase64, GoBase64Error, parseGoBool, parseQuery, queryUnescape, rawQueryOf } from '../../src/core/changefeed/decode';
import { encodeFileParam, encodeQueryValue } from '../../src/core/changefeed/encode';

/** The error Go's base64.StdEncoding.DecodeString returns, or the decoded text. */
function go64(s: string): string {
  try {
    return decodeStdBase64(Buffer.from(s, 'latin1')).toString('latin1');
  } catch (err) {
    assert.ok(err instanceof GoBase64Error);
    return err.message;
  }
}

describe('changefeed decoder: Go url.ParseQuery and base64.StdEncoding, as CockroachDB runs them', () => {
  it("QueryUnescape: %XX decoded, + is a space, bad escapes are errors with Go's message", () => {
    assert.equal(queryUnescape('a+b%20c%2B%2f').toString(), 'a b c+/');
    assert.equal(queryUnescape('caf%C3%A9').toString(), 'café');
    assert.equal(queryUnescape('café').toString(), 'café');
    assert.throws(() => queryUnescape('%zz'), /^GoEscapeError: invalid URL escape "%zz"$/);
    assert.throws(() => queryUnescape('ab%4'), /invalid URL escape "%4"/);
    assert.throws(() => queryUnescape('ab%'), /invalid URL escape "%"/);
    assert.throws(() => queryUnescape('%G1x'), /invalid URL escape "%G1"/);
  });

  it('ParseQuery: pairs split on &, a pair with ";" or a bad escape is dropped with the first error, empty pairs skipped', () => {
    const q = parseQuery('a=1&&b&c=x;y&d=%ZZ&a=2&e=%3D');
    assert.deepEqual(
      q.pairs.filter((p) => !p.error).map((p) => [p.key, p.text]),
      [
        ['a', '1'],
        ['b', ''],
        ['a', '2'],
        ['e', '='],
      ],
    );
    assert.equal(q.error, 'invalid semicolon separator in query');
    assert.deepEqual(
      q.pairs.filter((p) => p.error).map((p) => [p.rawKey, p.error]),
      [
        ['c', 'invalid semicolon separator in query'],
        ['d', 'invalid URL escape "%ZZ"'],
      ],
    );
    const a = q.pairs[0];
    assert.deepEqual([a.start, a.keyEnd, a.valueStart, a.end], [0, 1, 2, 3]);
    assert.deepEqual(parseQuery('').pairs, []);
  });

  it("StdEncoding: standard alphabet, padding required, newlines skipped, Go's byte offsets in errors", () => {
    const cases: [string, string][] = [
      ['', ''],
      ['QQ==', 'A'],
      ['QUI=', 'AB'],
      ['QUJD', 'ABC'],
      ['QU\nJD\r\n', 'ABC'],
      ['QQ==\n', 'A'],
      ['QR==', 'A'], // non-strict: trailing bits are not checked
      ['QQ', 'illegal base64 data at input byte 0'],
      ['QUJDRA', 'illegal base64 data at input byte 4'],
      ['QQ=', 'illegal base64 data at input byte 3'],
      ['QQ=x', 'illegal base64 data at input byte 2'],
      ['Q===', 'illegal base64 data at input byte 1'],
      ['=QQQ', 'illegal base64 data at input byte 0'],
      ['QQ==QQ==', 'illegal base64 data at input byte 4'],
      ['QU JD', 'illegal base64 data at input byte 2'],
      ['QU\tJD', 'illegal base64 data at input byte 2'],
      ['-_8=', 'illegal base64 data at input byte 0'],
      ['+/8=', '\xfb\xff'],
    ];
    for (const [input, want] of cases) assert.equal(go64(input), want, JSON.stringify(input));
  });

  it('decodeParam: the first value, empty means unset, errors say "param <name> must be base 64 encoded"', () => {
    assert.deepEqual(decodeParam('ca_cert=', 'ca_cert'), { ok: true, present: false, bytes: Buffer.alloc(0) });
    assert.deepEqual(decodeParam('x=1', 'ca_cert'), { ok: true, present: false, bytes: Buffer.alloc(0) });
    const two = decodeParam('ca_cert=QQ%3D%3D&ca_cert=!', 'ca_cert');
    assert.ok(two.ok && two.bytes.toString() === 'A');
    assert.deepEqual(decodeParam('ca_cert=!', 'ca_cert'), {
      ok: false,
      present: true,
      error: 'param ca_cert must be base 64 encoded: illegal base64 data at input byte 0',
    });
  });

  it('the three classic mistakes fail exactly as CockroachDB fails them', () => {
    const bytes = Buffer.from([0xfb, 0xef, 0xbe, 0x00]); // base64 "++++AA==": both "+" and "="
    const b64 = bytes.toString('base64');
    assert.equal(b64, '++++AA==');
    assert.equal(encodeFileParam(bytes), '%2B%2B%2B%2BAA%3D%3D');
    // A raw "+" is read as a space.
    assert.deepEqual(decodeParam(`client_key=${b64}`, 'client_key'), {
      ok: false,
      present: true,
      error: 'param client_key must be base 64 encoded: illegal base64 data at input byte 0',
    });
    // URL-safe base64.
    const urlSafe = bytes.toString('base64url');
    assert.equal(decodeParam(`ca_cert=${urlSafe}`, 'ca_cert').ok, false);
    // Missing padding.
    assert.match(
      (decodeParam(`ca_cert=${encodeQueryValue(b64.replace(/=+$/, ''))}`, 'ca_cert') as { error: string }).error,
      /must be base 64 encoded: illegal base64 data at input byte 4/,
    );
    // And the encoded form decodes.
    const good = decodeParam(`client_key=${encodeFileParam(bytes)}`, 'client_key');
    assert.ok(good.ok && good.bytes.equals(bytes));
  });

  it('ParseBool and the raw query, as Go has them', () => {
    for (const t of ['1', 't', 'T', 'TRUE', 'true', 'True']) assert.equal(parseGoBool(t), true);
    for (const f of ['0', 'f', 'F', 'FALSE', 'false', 'False']) assert.equal(parseGoBool(f), false);
    for (const x of ['yes', 'on', 'tRUE', '']) assert.equal(parseGoBool(x), undefined);
    assert.deepEqual(rawQueryOf('kafka://h:1/p?a=1&b=2#frag?x'), { query: 'a=1&b=2', offset: 14 });
    assert.deepEqual(rawQueryOf('kafka://h:1'), { query: '', offset: 11 });
  });

  it('encodeQueryValue leaves only unreserved characters unescaped', () => {
    assert.equal(encodeQueryValue("a+b/c=d e&f'g%h~i_j.k-l"), 'a%2Bb%2Fc%3Dd%20e%26f%27g%25h~i_j.k-l');
    assert.equal(encodeQueryValue('pässwörd'), 'p%C3%A4ssw%C3%B6rd');
  });
});
