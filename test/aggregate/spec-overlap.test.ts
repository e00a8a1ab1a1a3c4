/**
 * Spec keys that overlap ('*' beside exact keys, regex keys whose name is also a data key): a
 * value is counted once, through the package as users import it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as aggregation from 'scales-metrics/aggregate';

const { Aggregation, Sum, Average, match, specFromJson } = aggregation;

describe('a value is counted once when spec keys overlap', () => {
  it("'*' beside an exact key: the exact key takes its key, '*' every other key", () => {
    const agg = new Aggregation({ status: { errors: [new Sum()], '*': [new Sum()] } });
    agg.addSource('web-1', { status: { errors: 2, ok: 10 } });
    agg.addSource('web-2', { status: { errors: 3, ok: 20 } });
    assert.deepEqual(agg.result(), { status: { errors: { sum: 5 }, ok: { sum: 30 } } });
    assert.deepEqual(agg.warnings, []);
  });

  it("the exact key's aggregators apply to its key, in whatever order the spec lists them", () => {
    const agg = new Aggregation({ '*': [new Sum()], latency: [new Average()] });
    agg.addSource('a', { latency: { count: 2, mean: 1 }, hits: 4 });
    agg.addSource('b', { latency: { count: 2, mean: 3 }, hits: 6 });
    assert.deepEqual(agg.result(), { latency: { average: { count: 4, total: 8, average: 2 } }, hits: { sum: 10 } });
    assert.deepEqual(agg.warnings, [], "'*' does not try to Sum the latency object");
  });

  it('a regex key merges other keys under a name that is itself a data key: each value once, the overlap warned', () => {
    const agg = new Aggregation({ status: { [match('errors', /errors|5\d\d/)]: [new Sum()], '*': [new Sum()] } });
    agg.addSource('web-1', { status: { errors: 1, '500': 2, '200': 7 } });
    assert.deepEqual(agg.result(), { status: { errors: { sum: 3 }, '500': { sum: 2 }, '200': { sum: 7 } } });
    assert.equal(agg.warnings.length, 1);
    assert.match(agg.warnings[0]!, /source "web-1" at \/status\/errors: more than one spec key sends this value to "errors"; counted once/);
  });

  it('the README example (5xx merged under errors, every status under its own name) counts each status once', () => {
    const agg = new Aggregation({ status: { [match('errors', /5\d\d/)]: [new Sum()], '*': [new Sum()] } });
    agg.addSource('a', { status: { '500': 2, '503': 1, '200': 7 } });
    agg.addSource('b', { status: { '500': 1 } });
    assert.deepEqual(agg.result(), { status: { errors: { sum: 4 }, '500': { sum: 3 }, '503': { sum: 1 }, '200': { sum: 7 } } });
    assert.deepEqual(agg.warnings, []);
  });

  it('a key named twice ("errors" and "=errors") is a spec error', () => {
    assert.throws(() => new Aggregation({ errors: [new Sum()], '=errors': [new Sum()] }), /the key "errors" is named twice/);
    assert.throws(
      () => new Aggregation(specFromJson({ web: { errors: ['sum'], '=errors': ['max'] } })),
      /\/web\/=errors: the key "errors" is named twice at \/web/,
    );
  });

  it('the JSON spec of scales aggregate counts once too', () => {
    const agg = new Aggregation(specFromJson({ web: { errors: ['sum'], '*': ['sum'] } }));
    agg.addSource('a', { web: { errors: 2, hits: 1 } });
    assert.deepEqual(agg.result(), { web: { errors: { sum: 2 }, hits: { sum: 1 } } });
  });
});
