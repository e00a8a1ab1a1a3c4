import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import '../helpers/fast-check-seed.js';
import { normalizePrefix, sanitizeSegment, segmentFits } from '../../src/graphite/sanitize.js';

describe('sanitizeSegment', () => {
  const cases: [string, string][] = [
    ['errors', 'errors'],
    ['99percentile', '99percentile'],
    ['GET /a.b', 'GET-_a-b'], // the Python mapping: ' ' -> '-', '/' -> '_', '.' -> '-'
    ['tab\there', 'tab-here'],
    ['new\nline', 'new-line'],
    ['nbsp\u00a0x', 'nbsp-x'],
    ['sep\u001fx', 'sep-x'], // Python's str.split() splits on \x1c-\x1f too
    ['nel\u0085x', 'nel-x'],
    ['ctl\u0000\u0007\u007f\u0090x', 'ctl____x'],
    ['x;k=v', 'x_k=v'], // would be a tagged series
    ['x{k="v"}', 'x_k="v"_'],
    ['~tilde', '_tilde'],
    ['a*b?c[d]e,f', 'a_b_c_d_e_f'],
    ['', '_'],
    [' padded\t', 'padded'], // Python scales strips the ends first: 'GET ' stays 'GET'
    ['\u001f x \u0085', 'x'],
    ['   ', '_'],
    ['héllo-wörld', 'héllo-wörld'], // valid non-ASCII stays
    ['emoji😀', 'emoji😀'],
    ['lone\ud800x', 'lone_x'],
    ['lone\udc00x', 'lone_x'],
    ['a:b=c-d_e', 'a:b=c-d_e'],
  ];
  for (const [input, want] of cases) {
    it(`${JSON.stringify(input)} -> ${JSON.stringify(want)}`, () => assert.equal(sanitizeSegment(input), want));
  }

  it('never leaves a character carbon would split on, rewrite or parse, and is idempotent', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const out = sanitizeSegment(s);
        assert.ok(out.length > 0);
        assert.doesNotMatch(out, /[\s./;{}~*?[\],\u0000-\u001f\u007f-\u009f]/u);
        assert.equal(Buffer.from(out, 'utf8').toString('utf8'), out); // no lone surrogates
        assert.equal(sanitizeSegment(out), out);
      }),
    );
  });
});

describe('normalizePrefix', () => {
  it('adds the trailing dot, drops empty parts, sanitizes each part', () => {
    assert.equal(normalizePrefix('my.server.prefix.'), 'my.server.prefix.');
    assert.equal(normalizePrefix('my.server.prefix'), 'my.server.prefix.');
    assert.equal(normalizePrefix('.lead..dot.'), 'lead.dot.');
    assert.equal(normalizePrefix('My Host.example.com'), 'My-Host.example.com.');
    assert.equal(normalizePrefix(' my server . x'), 'my-server.x.');
    assert.equal(normalizePrefix(''), '');
    assert.equal(normalizePrefix('...'), '');
  });
  it('rejects a non-string prefix', () => {
    assert.throws(() => normalizePrefix(3 as unknown as string), /invalid graphite prefix 3/);
  });
});

describe('segmentFits', () => {
  it('allows at most 255 UTF-8 bytes', () => {
    assert.equal(segmentFits('a'.repeat(255)), true);
    assert.equal(segmentFits('a'.repeat(256)), false);
    assert.equal(segmentFits('é'.repeat(127)), true); // 254 bytes
    assert.equal(segmentFits('é'.repeat(128)), false); // 256 bytes
  });
});
