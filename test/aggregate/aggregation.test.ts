import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  Aggregation,
  Average,
  DataFormats,
  Highlight,
  InverseMap,
  Sorted,
  Sum,
  humanCompare,
  match,
  parseSpecKey,
} from '../../src/aggregate/index.js';

describe('Aggregation (the original suite)', () => {
  it('no data under a star does not loop and gives an empty result', () => {
    const agg = new Aggregation({ a: { '*': [new Sum()] } });
    agg.addSource('source1', { a: {} });
    assert.deepEqual(agg.result(), {});
    assert.deepEqual(agg.warnings, []);
  });

  it('regex keys merge the matching keys under their name', () => {
    const agg = new Aggregation({
      a: {
        [match('success', /[1-3][0-9][0-9]/)]: [new Sum({ dataFormat: DataFormats.DIRECT })],
        [match('error', /[4-5][0-9][0-9]/)]: [new Sum({ dataFormat: DataFormats.DIRECT })],
      },
    });
    agg.addSource('source1', { a: { '200': 10, '302': 10, '404': 1, '500': 3 } });
    const result = agg.result() as { a: { success: { sum: number }; error: { sum: number } } };
    assert.equal(result.a.success.sum, 20);
    assert.equal(result.a.error.sum, 4);
  });
});

describe('Aggregation spec keys', () => {
  it('match() writes the JSON form and parseSpecKey reads it back, anchored', () => {
    assert.equal(match('error', /[45]\d\d/), 're:error:[45]\\d\\d');
    assert.equal(match('x', /ab/i), 're:x:/ab/i');
    const key = parseSpecKey(match('error', /[45]\d\d/));
    assert.equal(key.kind, 'regex');
    if (key.kind !== 'regex') return;
    assert.equal(key.name, 'error');
    assert.ok(key.regex.test('404'));
    assert.ok(!key.regex.test('4040'), 'the pattern must match the whole key');
    assert.ok(!key.regex.test('x404'));
    const ci = parseSpecKey('re:x:/ab/i');
    assert.ok(ci.kind === 'regex' && ci.regex.test('AB'));
  });

  it('"=" escapes a literal star or re: key', () => {
    const agg = new Aggregation({ '=*': [new Sum()], '=re:a:b': [new Sum()] });
    agg.addSource('s', { '*': 3, 're:a:b': 4, other: 100 });
    assert.deepEqual(agg.result(), { '*': { sum: 3 }, 're:a:b': { sum: 4 } });
  });

  it('rejects bad specs with a message naming the place', () => {
    assert.throws(() => new Aggregation({ a: { 're:bad:[': [new Sum()] } }), /invalid regular expression.*"bad"/);
    assert.throws(() => new Aggregation({ a: { b: [42 as unknown as Sum] } }), /\/a\/b: 42 is not an aggregator/);
    assert.throws(() => match('a:b', /x/), /invalid result name/);
    assert.throws(() => new Aggregation({ 're:nocolon': [new Sum()] }), /expected "re:<name>:<pattern>"/);
  });

  it('star keeps each key under its own name, and exact keys only take their key', () => {
    const agg = new Aggregation({ hits: { '*': [new Sum()] }, errors: [new Sum()] });
    agg.addSource('a', { hits: { '/x': 1, '/y': 2 }, errors: 1, ignored: 7 });
    agg.addSource('b', { hits: { '/x': 10 }, errors: 2 });
    assert.deepEqual(agg.result(), { hits: { '/x': { sum: 11 }, '/y': { sum: 2 } }, errors: { sum: 3 } });
  });

  it('skips missing branches, nulls and non-object data silently; drops empty branches', () => {
    const agg = new Aggregation({ a: { b: { c: [new Sum()] } }, d: [new Sum()] });
    agg.addSource('s1', { a: 5 });
    agg.addSource('s2', { a: { b: null } });
    agg.addSource('s3', null);
    agg.addSource('s4', { d: 2 });
    assert.deepEqual(agg.result(), { d: { sum: 2 } });
    assert.deepEqual(agg.warnings, []);
  });

  it('unwraps a scales-metrics dump to its stats', () => {
    const agg = new Aggregation({ web: { errors: [new Sum()] } });
    agg.addSource('a', { format: 'scales-metrics-dump', version: 1, host: 'h', pid: 1, stats: { web: { errors: 4 } } });
    agg.addSource('b', { web: { errors: 1 } });
    assert.deepEqual(agg.result(), { web: { errors: { sum: 5 } } });
    assert.deepEqual(agg.sources, ['a', 'b']);
  });
});

describe('aggregators', () => {
  it('Sum adds numbers and warns (naming source and path) on anything else', () => {
    const seen: string[] = [];
    const agg = new Aggregation({ web: { errors: [new Sum()] } }, { onWarning: (m) => seen.push(m) });
    agg.addSource('web-1', { web: { errors: 2 } });
    agg.addSource('web-2', { web: { errors: 'lots' } });
    agg.addSource('web-3', { web: { errors: { error: 'gauge failed' } } });
    assert.deepEqual(agg.result(), { web: { errors: { sum: 2 } } });
    assert.equal(agg.warnings.length, 2);
    assert.match(
      agg.warnings[0]!,
      /source "web-2" at \/web\/errors: sum \(default format\): expected a finite number, got the string "lots"; skipped/,
    );
    assert.match(agg.warnings[1]!, /source "web-3" at \/web\/errors/);
    assert.deepEqual(seen, agg.warnings);
  });

  it('Average is weighted by count (PmfStat leaves use mean), null when nothing counted', () => {
    const agg = new Aggregation({ latency: [new Average()], empty: [new Average()] });
    agg.addSource('a', { latency: { count: 900, mean: 0.1 }, empty: { count: 0, mean: null } });
    agg.addSource('b', { latency: { count: 100, mean: 0.3 } });
    const r = agg.result() as { latency: { average: { count: number; total: number; average: number } }; empty: unknown };
    assert.equal(r.latency.average.count, 1000);
    assert.ok(Math.abs(r.latency.average.total - 120) < 1e-9);
    assert.ok(Math.abs(r.latency.average.average - 0.12) < 1e-12);
    assert.deepEqual(r.empty, { average: { count: 0, total: 0, average: null } });
  });

  it('Average of numbers counts each source once (DEFAULT reads a bare number directly)', () => {
    const agg = new Aggregation({ load: [new Average()] });
    for (const [s, v] of [
      ['a', 1],
      ['b', 2],
      ['c', 6],
    ] as const)
      agg.addSource(s, { load: v });
    assert.deepEqual(agg.result(), { load: { average: { count: 3, total: 9, average: 3 } } });
  });

  it('InverseMap lists sources per value, human-sorted', () => {
    const agg = new Aggregation({ version: [new InverseMap({ dataFormat: DataFormats.DIRECT })] });
    for (const [s, v] of [
      ['server-10', '1.2'],
      ['server-2', '1.2'],
      ['server-1', '1.3'],
      ['server-9', 1.2],
    ] as const) {
      agg.addSource(s, { version: v });
    }
    assert.deepEqual(agg.result(), { version: { inverse: { '1.2': ['server-2', 'server-9', 'server-10'], '1.3': ['server-1'] } } });
  });

  it('Sorted orders by value, reverse and limit give the top N', () => {
    const spec = { p99: [new Sorted({ dataFormat: DataFormats.DIRECT }), new Sorted({ name: 'top2', reverse: true, limit: 2 })] };
    const agg = new Aggregation(spec);
    for (const [s, v] of [
      ['s3', 5],
      ['s1', 9],
      ['s2', 1],
      ['s10', 5],
    ] as const)
      agg.addSource(s, { p99: v });
    assert.deepEqual(agg.result(), {
      p99: {
        sorted: [
          ['s2', 1],
          ['s3', 5],
          ['s10', 5],
          ['s1', 9],
        ],
        top2: [
          ['s1', 9],
          ['s10', 5],
        ],
      },
    });
  });

  it('Highlight picks with its function; max/min pick extremes and reject non-numbers', () => {
    const longest = new Highlight('longest', (cur, next) => String(next).length > String(cur).length);
    const agg = new Aggregation({
      name: [longest],
      load: [Highlight.max(), Highlight.min()],
      p99: [Highlight.max('slowest', { dataFormat: DataFormats.field('99percentile') })],
    });
    agg.addSource('a', { name: 'ab', load: 3, p99: { count: 5, '99percentile': 0.2 } });
    agg.addSource('b', { name: 'abcd', load: 'x', p99: { count: 5, '99percentile': 0.9 } });
    agg.addSource('c', { name: 'abc', load: 1, p99: { count: 5, '99percentile': 0.1 } });
    assert.deepEqual(agg.result(), {
      name: { longest: { source: 'b', value: 'abcd' } },
      load: { max: { source: 'a', value: 3 }, min: { source: 'c', value: 1 } },
      p99: { slowest: { source: 'b', value: 0.9 } },
    });
    assert.equal(agg.warnings.length, 2, agg.warnings.join('\n'));
  });

  it('results follow the spec order, also when an aggregator skipped the first sources', () => {
    const agg = new Aggregation({ web: { errors: [new Sorted(), new Sum(), Highlight.max('top')] } }, { onWarning: () => {} });
    agg.addSource('a', { web: { errors: 'many' } }); // Sorted takes it; Sum and max skip it
    agg.addSource('b', { web: { errors: 3 } });
    const errors = (agg.result().web as Record<string, unknown>).errors as Record<string, unknown>;
    assert.deepEqual(Object.keys(errors), ['sorted', 'sum', 'top']);
    const later = new Aggregation({ web: { errors: [new Sum(), new Sorted()] } }, { onWarning: () => {} });
    later.addSource('a', { web: { errors: 'many' } }); // only Sorted takes it
    later.addSource('b', { web: { errors: 3 } }); // now Sum joins, and goes first as in the spec
    assert.deepEqual(Object.keys((later.result().web as Record<string, Record<string, unknown>>).errors!), ['sum', 'sorted']);
  });

  it('keeps at most maxWarnings and counts the rest', () => {
    const agg = new Aggregation({ x: [new Sum()] }, { maxWarnings: 2 });
    for (let i = 0; i < 5; i++) agg.addSource(`s${i}`, { x: 'bad' });
    assert.equal(agg.warnings.length, 2);
    assert.equal(agg.warningsDropped, 3);
  });
});

describe('Dropwizard / Yammer data formats', () => {
  const yammer = {
    timer: { type: 'timer', rate: { count: 10 }, duration: { median: 2, mean: 3 } },
    counter: { type: 'counter', count: 7 },
    meter: { type: 'meter', count: 4, mean: 0.5 },
    gauge: { type: 'gauge', value: 42 },
  };
  const dropwizard = {
    timer: { count: 30, p50: 4, mean: 5 },
    counter: { count: 3 },
    meter: { count: 12, mean_rate: 1.5 },
    gauge: { value: 8 },
  };
  it('TIMER, TIMER_MEAN, COUNTER, METER, GAUGE read both JSON flavours', () => {
    const agg = new Aggregation({
      timer: [new Average({ dataFormat: DataFormats.TIMER }), new Average({ name: 'mean', dataFormat: DataFormats.TIMER_MEAN })],
      counter: [new Sum({ dataFormat: DataFormats.COUNTER })],
      meter: [new Average({ dataFormat: DataFormats.METER })],
      gauge: [new Sum({ dataFormat: DataFormats.GAUGE }), new Average({ name: 'avg', dataFormat: DataFormats.GAUGE })],
    });
    agg.addSource('y', yammer);
    agg.addSource('d', dropwizard);
    assert.deepEqual(agg.result(), {
      timer: {
        average: { count: 40, total: 2 * 10 + 4 * 30, average: 140 / 40 },
        mean: { count: 40, total: 3 * 10 + 5 * 30, average: 180 / 40 },
      },
      counter: { sum: 10 },
      meter: { average: { count: 16, total: 0.5 * 4 + 1.5 * 12, average: 20 / 16 } },
      gauge: { sum: 50, avg: { count: 2, total: 50, average: 25 } },
    });
  });

  it('a leaf of the wrong type is a warning naming the format', () => {
    const agg = new Aggregation({ t: [new Sum({ dataFormat: DataFormats.TIMER })] });
    agg.addSource('s', { t: { type: 'counter', count: 1 } });
    assert.deepEqual(agg.result(), {});
    assert.match(agg.warnings[0]!, /source "s" at \/t: timer format expects a timer, got type "counter"/);
  });
});

describe('humanCompare', () => {
  it('sorts digit runs as numbers', () => {
    assert.deepEqual(
      ['server-10', 'server-2', 'server-1', 'a', 'server-02', 'b1c10', 'b1c9', 'x99999999999999999999', 'x100000000000000000000'].sort(humanCompare),
      ['a', 'b1c9', 'b1c10', 'server-1', 'server-02', 'server-2', 'server-10', 'x99999999999999999999', 'x100000000000000000000'],
    );
  });
});

describe('keys that are also Object.prototype names', () => {
  it('"constructor", "toString" and "__proto__" are data keys like any other', () => {
    const data = JSON.parse('{"__proto__": {"n": 2}, "toString": 3, "v": "__proto__"}');
    const agg = new Aggregation({
      constructor: [new Sum()],
      toString: [new Sum()],
      '*': { n: [new Sum()] },
      v: [new InverseMap({ dataFormat: DataFormats.DIRECT })],
    });
    agg.addSource('s', data);
    const r = agg.result();
    assert.deepEqual(Object.keys(r), ['toString', '__proto__', 'v']);
    assert.equal(Object.getPrototypeOf(r), Object.prototype);
    assert.deepEqual(
      JSON.parse(JSON.stringify(r)),
      JSON.parse('{"toString":{"sum":3},"__proto__":{"n":{"sum":2}},"v":{"inverse":{"__proto__":["s"]}}}'),
    );
    assert.deepEqual(agg.warnings, []);
  });
});
