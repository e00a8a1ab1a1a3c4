import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Aggregation, specFromJson } from '../../src/aggregate/index.js';
import { parseDurationSeconds } from '../../src/cli/duration.js';

describe('specFromJson (the JSON form of a spec)', () => {
  it('builds every aggregator type with its options', () => {
    const agg = new Aggregation(
      specFromJson({
        x: [
          'sum',
          'average',
          'inverse',
          'sorted',
          'max',
          'min',
          { type: 'sorted', name: 'top', reverse: true, limit: 1, format: 'direct' },
          { type: 'sum', name: 'total', format: 'field:n' },
        ],
        p: [{ type: 'percentiles', quantiles: [0.5, 0.9] }],
        '=*': ['sum'],
      }),
    );
    agg.addSource('a', { x: 1, '*': 5 });
    agg.addSource('b', { x: 3 });
    assert.deepEqual(agg.result(), {
      x: {
        sum: 4,
        average: { count: 2, total: 4, average: 2 },
        inverse: { '1': ['a'], '3': ['b'] },
        sorted: [
          ['a', 1],
          ['b', 3],
        ],
        max: { source: 'b', value: 3 },
        min: { source: 'a', value: 1 },
        top: [['b', 3]],
      },
      '*': { sum: 5 },
    });
    assert.equal(agg.warnings.length, 2, 'field:n on a number is a warning per source');
    assert.match(agg.warnings[0]!, /field:n format expects an object with "n"/);
  });

  it('plain "inverse" and "sorted" work on string and boolean leaves (versions, states); "sum" warns', () => {
    const agg = new Aggregation(specFromJson(JSON.parse('{"version": ["inverse", "sorted", "sum"], "up": ["inverse"], "__proto__": ["sum"]}')));
    agg.addSource('web-10', JSON.parse('{"version": "1.4.2", "up": true, "__proto__": 2}'));
    agg.addSource('web-2', JSON.parse('{"version": "1.5.0", "up": false, "__proto__": 3}'));
    agg.addSource('web-1', JSON.parse('{"version": "1.4.2", "up": true}'));
    const result = agg.result() as Record<string, unknown>;
    assert.deepEqual(result.version, {
      inverse: { '1.4.2': ['web-1', 'web-10'], '1.5.0': ['web-2'] },
      sorted: [
        ['web-1', '1.4.2'],
        ['web-10', '1.4.2'],
        ['web-2', '1.5.0'],
      ],
    });
    assert.deepEqual(result.up, { inverse: { false: ['web-2'], true: ['web-1', 'web-10'] } });
    assert.ok(Object.hasOwn(result, '__proto__'), 'a "__proto__" key of a JSON spec is a key, not a prototype');
    assert.deepEqual(Object.getOwnPropertyDescriptor(result, '__proto__')?.value, { sum: 5 });
    assert.equal(agg.warnings.length, 3);
    assert.match(agg.warnings[0]!, /source "web-10" at \/version: sum \(default format\): expected a finite number, got the string "1\.4\.2"/);
  });

  it('names the offending place of a bad spec', () => {
    assert.throws(() => specFromJson([]), /spec \/: expected an object of keys, got an array/);
    assert.throws(() => specFromJson({ a: { b: 3 } }), /spec \/a\/b: expected an object of keys, got 3/);
    assert.throws(() => specFromJson({ a: [{ type: 'sum', colour: 'red' }] }), /spec \/a\[0\]: unknown option "colour"/);
    assert.throws(() => specFromJson({ a: [{ type: 'sum', format: 'yaml' }] }), /spec \/a\[0\]: unknown data format "yaml"/);
    assert.throws(() => specFromJson({ a: [7] }), /spec \/a\[0\]: expected an aggregator type/);
    assert.throws(() => specFromJson({ a: [{ type: 'percentiles', quantiles: [2] }] }), /spec \/a\[0\]: Percentiles: quantile 2 is not in \[0, 1\]/);
    assert.throws(() => specFromJson({ a: [{ type: 'sorted', limit: 0 }] }), /spec \/a\[0\]: Sorted: limit must be a positive integer/);
    assert.throws(() => specFromJson({ 're:x': ['sum'] }), /spec \/re:x: invalid spec key/);
  });
});

describe('parseDurationSeconds (--max-age)', () => {
  it('reads s, m, h, d, ms and bare seconds', () => {
    assert.equal(parseDurationSeconds('90'), 90);
    assert.equal(parseDurationSeconds('30s'), 30);
    assert.equal(parseDurationSeconds('10m'), 600);
    assert.equal(parseDurationSeconds('1.5h'), 5400);
    assert.equal(parseDurationSeconds('2d'), 172800);
    assert.equal(parseDurationSeconds('500ms'), 0.5);
  });
  it('rejects anything else, naming it', () => {
    for (const bad of ['', 'ten', '10x', '-5m', '0', '5 minutes']) {
      assert.throws(() => parseDurationSeconds(bad), new RegExp(`invalid duration "${bad}"`));
    }
  });
});
