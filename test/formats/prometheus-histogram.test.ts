// Distributions in the Prometheus expositions: a pmf taken with `{ histograms: true }` is a
// native histogram in the protobuf exposition (its lifetime sketch's buckets, read back with an
// independent wire decoder) and classic `_bucket{le}` lines in the text formats (counts checked
// against the exact values recorded), a `{ summary: true }` pmf stays a summary, lifetime
// buckets stay cumulative across window rotations, and the status handler picks the
// exposition by the scraper's Accept header.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createStatusHandler } from '../../src/http/create.js';
import { PROMETHEUS_PROTOBUF_CONTENT_TYPE, renderPrometheusProtobuf } from '../../src/formats/prometheus-protobuf.js';
import { classicCounts, OPENMETRICS_CONTENT_TYPE, PROMETHEUS_CONTENT_TYPE, renderPrometheus } from '../../src/formats/prometheus.js';
import { Registry } from '../../src/registry/registry.js';
import { ManualClock } from '../../src/sampling/clock.js';
import { indexAt } from '../../src/sampling/exponential-index.js';
import { namedPmfDictStat } from '../../src/stats/named-pmf-dict-stat.js';
import { pmfStat } from '../../src/stats/pmf-stat.js';
import { asDouble, asString, decodeMessage, nativeSide, one, splitDelimited, subs, type WireMessage, zigzag } from '../helpers/protobuf-decode.js';

const uint = (m: WireMessage, f: number): number => Number((one(m, f) as { v: bigint }).v);

interface Family {
  name: string;
  help: string;
  type: number;
  metrics: WireMessage[];
}
function families(body: Uint8Array): Family[] {
  return splitDelimited(body).map((bytes) => {
    const f = decodeMessage(bytes);
    return { name: asString(one(f, 1)), help: f.has(2) ? asString(one(f, 2)) : '', type: uint(f, 3), metrics: subs(f, 4) };
  });
}
const labelsOf = (m: WireMessage): Array<[string, string]> => subs(m, 1).map((l) => [asString(one(l, 1)), asString(one(l, 2))]);
const HISTOGRAM = 4;
const SUMMARY = 2;

/** Deterministic latencies in seconds: a log-normal-ish spread from 1 ms to ~3 s. */
function latencies(n: number, seed: number): number[] {
  let s = seed;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    const u = s / 0x7fffffff;
    out.push(0.001 * Math.exp(u * 8));
  }
  return out;
}

describe('native histograms (protobuf exposition)', () => {
  it('exports a pmf as a native histogram of its lifetime buckets: schema 6, spans and deltas, count and sum', () => {
    const reg = new Registry();
    const S = reg.collection('/web', pmfStat('latency'));
    const values = latencies(2000, 7);
    for (const v of values) S.latency.record(v);
    const fams = families(renderPrometheusProtobuf(reg.snapshot('/', { histograms: true })!));
    const f = fams.find((x) => x.name === 'web_latency_seconds');
    assert.ok(f, `families: ${fams.map((x) => x.name).join(', ')}`);
    assert.equal(f.type, HISTOGRAM);
    assert.equal(f.help, '/web/latency');
    const h = decodeMessage((one(f.metrics[0], 7) as { bytes: Uint8Array }).bytes);
    assert.equal(uint(h, 1), values.length);
    const sum = values.reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(asDouble(one(h, 2)) - sum) < 1e-9 * sum);
    assert.equal(Number(zigzag((one(h, 5) as { v: bigint }).v)), 6);
    // The buckets are those of the exact values at schema 6.
    const expected = new Map<number, number>();
    for (const v of values) expected.set(indexAt(v, 6), (expected.get(indexAt(v, 6)) ?? 0) + 1);
    const got = nativeSide(h, 12, 13).filter(([, c]) => c > 0);
    assert.deepEqual(
      got,
      [...expected].sort((a, b) => a[0] - b[0]),
    );
    assert.equal(nativeSide(h, 9, 10).length, 0);
  });

  it('exports a pmf in ms in seconds: sum converted, buckets moved by the nearest whole number of buckets (638 at schema 6)', () => {
    const reg = new Registry();
    const S = reg.collection('/db', pmfStat('query', { unit: 'ms' }));
    const values = latencies(500, 3).map((v) => v * 1000);
    for (const v of values) S.query.record(v);
    const f = families(renderPrometheusProtobuf(reg.snapshot('/', { histograms: true })!)).find((x) => x.name.startsWith('db_query'))!;
    const h = decodeMessage((one(f.metrics[0], 7) as { bytes: Uint8Array }).bytes);
    const sumMs = values.reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(asDouble(one(h, 2)) - sumMs / 1000) < 1e-9 * sumMs);
    const got = nativeSide(h, 12, 13).filter(([, c]) => c > 0);
    // Every value in seconds lies within one bucket of where the moved index says.
    for (const v of values) {
      const i = indexAt(v / 1000, 6);
      assert.ok(
        got.some(([j]) => Math.abs(j - i) <= 1),
        `value ${v} ms: bucket ${i} not near any exported one`,
      );
    }
    assert.equal(
      got.reduce((a, [, c]) => a + c, 0),
      values.length,
    );
  });

  it('namedPmfDict entries are metrics of one histogram family, a lone surrogate escaped as in the text output', () => {
    const reg = new Registry();
    const S = reg.collection('/api', namedPmfDictStat('latency'));
    S.$.latency.record('/a', 0.01);
    S.$.latency.record('/a', 0.02);
    S.$.latency.record('x\uD800', 0.5);
    const f = families(renderPrometheusProtobuf(reg.snapshot('/', { histograms: true })!)).find((x) => x.name === 'api_latency_seconds')!;
    assert.equal(f.type, HISTOGRAM);
    const byLabels = f.metrics.map((m) => [labelsOf(m), uint(decodeMessage((one(m, 7) as { bytes: Uint8Array }).bytes), 1)]);
    assert.deepEqual(byLabels, [
      [[['key', '/a']], 2],
      [
        [
          ['key', 'x\\ud800'],
          ['escaped', 'key'],
        ],
        1,
      ],
    ]);
    // the text output names the same series
    const text = renderPrometheus(reg.snapshot('/', { histograms: true })!);
    assert.match(text, /api_latency_seconds_count\{key="x\\\\ud800",escaped="key"\} 1\n/);
  });

  it('a pmf declared { summary: true } stays a summary in both expositions', () => {
    const reg = new Registry();
    const S = reg.collection('/job', pmfStat('step', { summary: true }));
    S.step.record(0.5);
    const snap = reg.snapshot('/', { histograms: true })!;
    assert.equal(families(renderPrometheusProtobuf(snap))[0].type, SUMMARY);
    assert.match(renderPrometheus(snap), /# TYPE job_step_seconds summary\njob_step_seconds\{quantile="0.5"\} 0.5/);
  });

  it('counts stay cumulative across window rotations (the lifetime sketch, not the window)', () => {
    const clock = new ManualClock(0);
    const reg = new Registry({ clock });
    const S = reg.collection('/w', pmfStat('t', { windowMs: 10_000 }));
    const counts: number[] = [];
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 100; i++) S.t.record(0.01 * (1 + (i % 7)));
      clock.advance(7_000);
      const f = families(renderPrometheusProtobuf(reg.snapshot('/', { histograms: true })!))[0];
      const h = decodeMessage((one(f.metrics[0], 7) as { bytes: Uint8Array }).bytes);
      counts.push(uint(h, 1));
      assert.equal(
        nativeSide(h, 12, 13).reduce((a, [, c]) => a + c, 0),
        uint(h, 1),
      );
    }
    assert.deepEqual(counts, [100, 200, 300, 400, 500]);
  });
});

describe('classic buckets (text exposition)', () => {
  it('derives _bucket{le} counts from the sketch: exact for values away from the bounds, +Inf = _count', () => {
    const reg = new Registry();
    const S = reg.collection('/web', pmfStat('latency'));
    const values = latencies(3000, 11);
    for (const v of values) S.latency.record(v);
    const text = renderPrometheus(reg.snapshot('/', { histograms: true })!);
    assert.match(text, /# HELP web_latency_seconds \/web\/latency\n# TYPE web_latency_seconds histogram\n/);
    const lines = text.split('\n').filter((l) => l.startsWith('web_latency_seconds_bucket'));
    const bounds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
    assert.equal(lines.length, bounds.length + 1);
    for (let b = 0; b < bounds.length; b++) {
      const exact = values.filter((v) => v <= bounds[b]).length;
      const nearBound = values.filter((v) => Math.abs(v / bounds[b] - 1) < 0.011).length;
      const got = Number(lines[b].split(' ')[1]);
      assert.match(lines[b], new RegExp(`^web_latency_seconds_bucket\\{le="${bounds[b]}"\\} `));
      assert.ok(Math.abs(got - exact) <= nearBound, `le=${bounds[b]}: ${got} vs exact ${exact} (${nearBound} values near the bound)`);
    }
    assert.equal(lines[bounds.length], `web_latency_seconds_bucket{le="+Inf"} ${values.length}`);
    assert.match(text, new RegExp(`\\nweb_latency_seconds_count ${values.length}\\n`));
  });

  it('takes declared bounds in the stat unit and writes them in seconds', () => {
    const reg = new Registry();
    const S = reg.collection('/db', pmfStat('q', { unit: 'ms', buckets: [1, 10, 100] }));
    for (const v of [0.5, 1, 7, 10, 50, 100, 2000]) S.q.record(v);
    const text = renderPrometheus(reg.snapshot('/', { histograms: true })!);
    const buckets = text.split('\n').filter((l) => l.includes('_bucket'));
    assert.deepEqual(
      buckets.map((l) => l.replace(/^[a-z_]+/, '')),
      ['{le="0.001"} 2', '{le="0.01"} 4', '{le="0.1"} 6', '{le="+Inf"} 7'],
    );
  });

  it('refuses bounds that are not increasing finite numbers, naming the stat', () => {
    const reg = new Registry();
    assert.throws(() => reg.collection('/x', pmfStat('bad', { buckets: [1, 1] })), /pmfStat "bad": buckets must be increasing/);
    assert.throws(() => reg.collection('/y', pmfStat('bad', { buckets: [] })), /pmfStat "bad": buckets must be an array/);
  });

  it('counts negative values and the zero bucket below the positive bounds', () => {
    const h = {
      schema: 6,
      zeroThreshold: 2 ** -128,
      zeroCount: 2,
      positive: { indexes: [indexAt(0.5, 6), indexAt(2, 6)], counts: [3, 4] },
      negative: { indexes: [indexAt(1, 6), indexAt(3, 6)], counts: [5, 6] },
      count: 20,
      sum: 0,
    };
    // bounds: -3 holds the bucket of -3 (6); -1 adds the bucket of -1 (5); 0 adds the zero bucket; 1 adds 0.5's; 2 adds 2's
    assert.deepEqual(classicCounts(h, [-4, -3, -1, 0, 1, 2]), [0, 6, 11, 13, 16, 20]);
  });
});

describe('content negotiation', () => {
  it('answers the protobuf exposition to a scraper that asks for it, OpenMetrics or text otherwise', async () => {
    const reg = new Registry();
    const S = reg.collection('/web', pmfStat('latency'));
    S.latency.record(0.2);
    const handler = createStatusHandler({ source: reg, live: false, metricsPath: '/metrics' });
    try {
      const get = (accept: string | undefined) =>
        handler.handle({ method: 'GET', url: '/metrics', header: (n) => (n === 'accept' ? accept : undefined) });
      // What Prometheus 2.42 sends with --enable-feature=native-histograms.
      const proto = (await get(
        'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.7,application/openmetrics-text;version=1.0.0;q=0.5,text/plain;version=0.0.4;q=0.3,*/*;q=0.2',
      ))!;
      assert.equal(proto.headers['content-type'], PROMETHEUS_PROTOBUF_CONTENT_TYPE);
      const f = families(proto.body)[0];
      assert.equal(f.type, HISTOGRAM);
      const om = (await get('application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5'))!;
      assert.equal(om.headers['content-type'], OPENMETRICS_CONTENT_TYPE);
      assert.match(om.body.toString(), /web_latency_seconds_bucket\{le="0.25"\} 1\n/);
      const plain = (await get(undefined))!;
      assert.equal(plain.headers['content-type'], PROMETHEUS_CONTENT_TYPE);
      assert.match(plain.body.toString(), /# TYPE web_latency_seconds histogram\n/);
      const sub = (await handler.handle({
        method: 'GET',
        url: '/status/web?format=prometheus',
        header: () => 'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited',
      }))!;
      assert.equal(sub.headers['content-type'], PROMETHEUS_PROTOBUF_CONTENT_TYPE);
    } finally {
      handler.close();
    }
  });
});
