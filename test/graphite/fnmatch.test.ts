import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import '../helpers/fast-check-seed.js';
import { fnmatch, fnmatchToRegExp } from '../../src/graphite/fnmatch.js';

describe('fnmatch (Python fnmatchcase semantics)', () => {
  const cases: [string, string, boolean][] = [
    ['web/errors', '*', true],
    ['web/latency/median', 'web/*', true], // '*' crosses '/'
    ['web', 'web/*', false],
    ['web/errors', 'web/error?', true],
    ['web/errors', 'web/error', false], // anchored
    ['xweb/errors', 'web/*', false],
    ['processor/thread-1/finished', 'processor/thread-*', true],
    ['a', '[abc]', true],
    ['d', '[abc]', false],
    ['d', '[!abc]', true],
    ['a', '[!abc]', false],
    ['m', '[a-z]', true],
    ['M', '[a-z]', false], // case-sensitive
    ['-', '[a-]', true],
    ['-', '[-a]', true],
    [']', '[]]', true],
    ['a', '[!]]', true],
    [']', '[!]]', false],
    ['[', '[', true], // unclosed '[' is literal
    ['[ab', '[ab', true],
    ['a.b', 'a.b', true],
    ['axb', 'a.b', false], // '.' is literal, not a RegExp dot
    ['a+b(c)', 'a+b(c)', true],
    ['a\\b', 'a\\b', true],
    ['a^b$', 'a^b$', true],
    ['x', '[z-a]', false], // an empty range matches nothing (Python 3.9+)
    ['x', '[!z-a]', true],
    ['é', '?', true], // one code point
    ['😀', '?', true], // astral code point counts once
    ['line\nbreak', '*', true],
    ['', '*', true],
    ['', '?', false],
    ['a{b}', 'a{b}', true],
    ['a|b', 'a|b', true],
  ];
  for (const [name, pattern, want] of cases) {
    it(`${JSON.stringify(name)} ~ ${JSON.stringify(pattern)} is ${want}`, () => {
      assert.equal(fnmatch(name, pattern), want);
    });
  }

  it('never throws on any pattern, and a pattern without metacharacters matches only itself', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (pattern, name) => {
        const re = fnmatchToRegExp(pattern);
        assert.equal(typeof re.test(name), 'boolean');
      }),
    );
    fc.assert(
      fc.property(
        fc.string().filter((s) => !/[*?[]/.test(s)),
        fc.string(),
        (literal, other) => {
          assert.equal(fnmatch(literal, literal), true);
          if (other !== literal) assert.equal(fnmatch(other, literal), false);
        },
      ),
    );
  });

  it('"*" + literal suffix matches exactly the names with that suffix', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.string().filter((s) => !/[*?[]/.test(s)),
        (name, suffix) => {
          assert.equal(fnmatch(name, `*${suffix}`), name.endsWith(suffix));
        },
      ),
    );
  });

  it('rejects a pattern that is not a string', () => {
    assert.throws(() => fnmatchToRegExp(42 as unknown as string), TypeError);
  });
});
