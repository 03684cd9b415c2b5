import { strict as assert } from 'node:assert';
import { UserError } from '../../src/core/errors';
import { InputFileError } from '../../src/core/input';

/** A second copy of src/core/errors, as a lazily loaded bundle (dist/core-*.js) carries its own. */
function otherCopy(): typeof import('../../src/core/errors') {
  const path = require.resolve('../../src/core/errors');
  const saved = require.cache[path];
  delete require.cache[path];
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a fresh module instance on purpose
    return require(path) as typeof import('../../src/core/errors');
  } finally {
    require.cache[path] = saved;
  }
}

describe('UserError across copies of its module', () => {
  const copy = otherCopy();

  it('is a different class in the other copy', () => {
    assert.notEqual(copy.UserError, UserError);
  });

  it('instanceof UserError holds for a UserError from either copy, and for its subclasses', () => {
    assert.ok(new copy.UserError('x') instanceof UserError);
    assert.ok(new UserError('x') instanceof copy.UserError);
    assert.ok(new InputFileError('/tmp/f: no such file', '/tmp/f', 'missing') instanceof copy.UserError);
  });

  it('is false for other errors and values', () => {
    for (const x of [new Error('x'), new TypeError('x'), { message: 'x', name: 'UserError' }, null, undefined, 'UserError', 0])
      assert.equal(x instanceof UserError, false, String(x));
  });

  it('a subclass keeps the prototype test', () => {
    assert.ok(new InputFileError('/tmp/f: no such file', '/tmp/f', 'missing') instanceof InputFileError);
    assert.equal(new UserError('x') instanceof InputFileError, false);
  });
});
