// The protobuf exposition encoder, read back with an independent wire decoder (test/helpers):
// varint/zigzag edges, UTF-8, lengths that need several bytes, spans and deltas of native
// buckets (examples and properties), and the errors on input Prometheus would reject.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import '../helpers/fast-check-seed.js';
import {
  encodeMetricFamilies,
  encodeMetricFamily,
  type NativeBuckets,
  type ProtoFamily,
  wantsPrometheusProtobuf,
} from '../../src/formats/prometheus-protobuf.js';
import {
  asDouble,
  asInt64,
  asString,
  decodeMessage,
  nativeSide,
  one,
  packedVarints,
  splitDelimited,
  subs,
  type WireMessage,
  zigzag,
} from '../helpers/protobuf-decode.js';

const sub = (m: WireMessage, f: number): WireMessage => decodeMessage((one(m, f) as { bytes: Uint8Array }).bytes);
const uint = (m: WireMessage, f: number): bigint => (one(m, f) as { v: bigint }).v;

/** The families of a body: name, type, and the decoded metric messages. */
function families(body: Uint8Array): Array<{ name: string; help?: string; type: number; metrics: WireMessage[]; unit?: string }> {
  return splitDelimited(body).map((bytes) => {
    const f = decodeMessage(bytes);
    return {
      name: asString(one(f, 1)),
      help: f.has(2) ? asString(one(f, 2)) : undefined,
      type: Number(uint(f, 3)),
      metrics: subs(f, 4),
      unit: f.has(5) ? asString(one(f, 5)) : undefined,
    };
  });
}

const labelsOf = (m: WireMessage): Array<[string, string]> => subs(m, 1).map((l) => [asString(one(l, 1)), asString(one(l, 2))]);

function histogramOf(body: Uint8Array): WireMessage {
  return sub(families(body)[0].metrics[0], 7);
}

function nativeFamily(positive?: NativeBuckets, negative?: NativeBuckets, extra: { zeroCount?: number; zeroThreshold?: number } = {}): ProtoFamily {
  const total = (s?: NativeBuckets) => (s ? Array.from(s.counts).reduce((a, b) => a + b, 0) : 0);
  const count = total(positive) + total(negative) + (extra.zeroCount ?? 0);
  return { name: 'h', type: 'histogram', metrics: [{ histogram: { count, sum: 1, schema: 3, positive, negative, ...extra } }] };
}

describe('protobuf exposition: scalars and framing', () => {
  it('writes counters, gauges and untyped values with their labels, help and type', () => {
    const body = encodeMetricFamilies([
      {
        name: 'jobs_total',
        help: 'Jobs done.',
        type: 'counter',
        metrics: [
          {
            labels: [
              { name: 'queue', value: 'a' },
              { name: 'status', value: '200' },
            ],
            value: 3,
          },
        ],
      },
      { name: 'temp', type: 'gauge', unit: 'celsius', metrics: [{ value: -1.5 }, { labels: [{ name: 'k', value: 'v' }], value: Number.NaN }] },
      { name: 'u', type: 'untyped', metrics: [{ value: Number.POSITIVE_INFINITY }] },
    ]);
    const fs = families(body);
    assert.deepEqual(
      fs.map((f) => [f.name, f.help, f.type, f.unit]),
      [
        ['jobs_total', 'Jobs done.', 0, undefined],
        ['temp', undefined, 1, 'celsius'],
        ['u', undefined, 3, undefined],
      ],
    );
    assert.deepEqual(labelsOf(fs[0].metrics[0]), [
      ['queue', 'a'],
      ['status', '200'],
    ]);
    assert.equal(asDouble(one(sub(fs[0].metrics[0], 3), 1)), 3);
    assert.equal(asDouble(one(sub(fs[1].metrics[0], 2), 1)), -1.5);
    assert.ok(Number.isNaN(asDouble(one(sub(fs[1].metrics[1], 2), 1))));
    assert.equal(asDouble(one(sub(fs[2].metrics[0], 5), 1)), Number.POSITIVE_INFINITY);
  });

  it('writes summaries with quantiles, count and sum', () => {
    const body = encodeMetricFamilies([
      {
        name: 's',
        type: 'summary',
        metrics: [
          {
            summary: {
              count: 7,
              sum: 2.5,
              quantiles: [
                { quantile: 0.5, value: 0.3 },
                { quantile: 0.99, value: Number.NaN },
              ],
            },
          },
        ],
      },
    ]);
    const s = sub(families(body)[0].metrics[0], 4);
    assert.equal(uint(s, 1), 7n);
    assert.equal(asDouble(one(s, 2)), 2.5);
    const qs = subs(s, 3).map((q) => [asDouble(one(q, 1)), asDouble(one(q, 2))]);
    assert.equal(qs[0][0], 0.5);
    assert.equal(qs[0][1], 0.3);
    assert.ok(Number.isNaN(qs[1][1]));
  });

  it('keeps integers exact up to 2^53 - 1 and timestamps of both signs (int64)', () => {
    const max = Number.MAX_SAFE_INTEGER;
    for (const ts of [0, 1, 127, 128, 2 ** 31, 2 ** 32, 1_764_566_400_000, max, -1, -128, -(2 ** 32), -max]) {
      const body = encodeMetricFamilies([{ name: 'g', type: 'gauge', metrics: [{ value: 1, timestampMs: ts }] }]);
      assert.equal(asInt64(one(families(body)[0].metrics[0], 6)), BigInt(ts), `timestamp ${ts}`);
    }
    const body = encodeMetricFamilies([
      { name: 'h', type: 'histogram', metrics: [{ histogram: { count: max, sum: 0, buckets: [{ upperBound: 1, cumulativeCount: max }] } }] },
    ]);
    const h = histogramOf(body);
    assert.equal(uint(h, 1), BigInt(max));
    assert.equal(uint(subs(h, 3)[0], 1), BigInt(max));
  });

  it('encodes UTF-8 of every width, long strings (lengths of 2 and 3 bytes) and lone surrogates as U+FFFD', () => {
    const values = ['plain', 'é', '€', '😀', 'a\ud800b', 'x'.repeat(42), 'é'.repeat(43), '€'.repeat(100), 'y'.repeat(20_000)];
    const body = encodeMetricFamilies([
      { name: 'g', help: 'h'.repeat(300), type: 'gauge', metrics: values.map((v, i) => ({ labels: [{ name: 'k', value: v }], value: i })) },
    ]);
    const f = families(body)[0];
    assert.equal(f.help, 'h'.repeat(300));
    assert.deepEqual(
      f.metrics.map((m) => labelsOf(m)[0][1]),
      values.map((v) => v.replace('\ud800', '\ufffd')),
    );
  });

  it('frames each family with its length; one family at a time concatenates to the whole', () => {
    const fs: ProtoFamily[] = [
      { name: 'a', type: 'gauge', metrics: [{ value: 1 }] },
      { name: 'b', type: 'gauge', metrics: Array.from({ length: 10_000 }, (_, i) => ({ labels: [{ name: 'key', value: 'k' + i }], value: i })) },
      { name: 'c', type: 'counter', metrics: [{ value: 2 }] },
    ];
    const whole = encodeMetricFamilies(fs);
    const parts = Buffer.concat(fs.map((f) => encodeMetricFamily(f)));
    assert.deepEqual(Buffer.from(whole), parts);
    const back = families(whole);
    assert.deepEqual(
      back.map((f) => [f.name, f.metrics.length]),
      [
        ['a', 1],
        ['b', 10_000],
        ['c', 1],
      ],
    );
    assert.equal(asDouble(one(sub(back[1].metrics[9999], 2), 1)), 9999);
    assert.deepEqual(labelsOf(back[1].metrics[9999]), [['key', 'k9999']]);
  });
});

describe('protobuf exposition: histograms', () => {
  it('writes classic buckets when no schema is given (and no native field)', () => {
    const body = encodeMetricFamilies([
      {
        name: 'lat',
        type: 'histogram',
        metrics: [
          {
            histogram: {
              count: 4,
              sum: 3,
              buckets: [
                { upperBound: 0.1, cumulativeCount: 1 },
                { upperBound: 1, cumulativeCount: 3 },
                { upperBound: Infinity, cumulativeCount: 4 },
              ],
            },
          },
        ],
      },
    ]);
    const h = histogramOf(body);
    assert.deepEqual(
      subs(h, 3).map((b) => [Number(uint(b, 1)), asDouble(one(b, 2))]),
      [
        [1, 0.1],
        [3, 1],
        [4, Infinity],
      ],
    );
    for (const native of [5, 6, 7, 9, 10, 12, 13]) assert.equal(h.has(native), false, `native field ${native} written`);
  });

  it('writes spans and deltas: gaps of up to 2 empty buckets stay in the span, longer ones start a new span', () => {
    const body = encodeMetricFamilies([nativeFamily({ indexes: [-3, 1, 2, 4, 8, 9], counts: [5, 1, 3, 2, 7, 7] })]);
    const h = histogramOf(body);
    assert.equal(zigzag(uint(h, 5)), 3n);
    assert.equal(Number(uint(h, 7)), 0);
    const spans = subs(h, 12).map((s) => [s.has(1) ? Number(zigzag(uint(s, 1))) : 0, Number(uint(s, 2))]);
    // -3 alone (gap of 3 to 1), then 1..4 with index 3 empty inside, then 8..9 after a gap of 3.
    assert.deepEqual(spans, [
      [-3, 1],
      [3, 4],
      [3, 2],
    ]);
    assert.deepEqual(packedVarints(h.get(13)).map(zigzag), [5n, -4n, 2n, -3n, 2n, 5n, 0n]);
    assert.deepEqual(nativeSide(h, 12, 13), [
      [-3, 5],
      [1, 1],
      [2, 3],
      [4, 2],
      [8, 7],
      [9, 7],
    ]);
  });

  it('writes the zero bucket, the negative side and the schema; sint64 deltas exact at 2^53', () => {
    const big = Number.MAX_SAFE_INTEGER - 10;
    const body = encodeMetricFamilies([
      {
        name: 'h',
        type: 'histogram',
        metrics: [
          {
            histogram: {
              count: big + 10,
              sum: -4,
              schema: -4,
              zeroThreshold: 0.001,
              zeroCount: 2,
              negative: { indexes: [0, 1], counts: [big, 1] },
              positive: { offset: -2, counts: [7] },
            },
          },
        ],
      },
    ]);
    const h = histogramOf(body);
    assert.equal(zigzag(uint(h, 5)), -4n);
    assert.equal(asDouble(one(h, 6)), 0.001);
    assert.equal(uint(h, 7), 2n);
    assert.deepEqual(packedVarints(h.get(10)).map(zigzag), [BigInt(big), BigInt(1 - big)]);
    assert.deepEqual(nativeSide(h, 9, 10), [
      [0, big],
      [1, 1],
    ]);
    assert.deepEqual(nativeSide(h, 12, 13), [[-2, 7]]);
  });

  it('marks an empty native histogram with a no-op span, so it does not read as classic', () => {
    const h = histogramOf(encodeMetricFamilies([{ name: 'h', type: 'histogram', metrics: [{ histogram: { count: 0, sum: 0, schema: 0 } }] }]));
    assert.equal(h.get(12)?.length, 1);
    assert.deepEqual(nativeSide(h, 12, 13), []);
  });

  it('property: any sparse or dense side reads back as its non-empty buckets', () => {
    const side = fc
      .uniqueArray(fc.integer({ min: -2000, max: 2000 }), { maxLength: 60 })
      .chain((idx) =>
        fc.tuple(
          fc.constant(idx.sort((a, b) => a - b)),
          fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 1e6 }), fc.maxSafeNat()), { minLength: idx.length, maxLength: idx.length }),
        ),
      );
    fc.assert(
      fc.property(side, side, ([pi, pc], [ni, nc]) => {
        const total = [...pc, ...nc].reduce((a, b) => a + b, 0);
        fc.pre(Number.isSafeInteger(total));
        const body = encodeMetricFamilies([nativeFamily({ indexes: pi, counts: pc }, { indexes: ni, counts: nc })]);
        const h = histogramOf(body);
        const want = (i: number[], c: number[]) => i.map((x, k) => [x, c[k]] as [number, number]).filter(([, c]) => c !== 0);
        assert.deepEqual(nativeSide(h, 12, 13), want(pi, pc));
        assert.deepEqual(nativeSide(h, 9, 10), want(ni, nc));
        // The dense form of the same buckets gives the same bytes.
        if (pi.length > 0) {
          const dense = new Array<number>(pi[pi.length - 1] - pi[0] + 1).fill(0);
          pi.forEach((x, k) => {
            dense[x - pi[0]] = pc[k];
          });
          const d = encodeMetricFamilies([nativeFamily({ offset: pi[0], counts: dense }, { indexes: ni, counts: nc })]);
          assert.deepEqual(Buffer.from(d), Buffer.from(body));
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('protobuf exposition: input Prometheus would reject is refused, naming the family', () => {
  const cases: Array<[string, ProtoFamily, RegExp]> = [
    [
      'schema out of range',
      { name: 'x', type: 'histogram', metrics: [{ histogram: { count: 0, sum: 0, schema: 9 } }] },
      /family "x" metric 0: native schema must be an integer in \[-4, 8\], got 9/,
    ],
    [
      'indexes not increasing',
      nativeFamily({ indexes: [3, 3], counts: [1, 1] }),
      /positive buckets indexes must be increasing integers, got 3 after 3/,
    ],
    [
      'count does not add up',
      { name: 'x', type: 'histogram', metrics: [{ histogram: { count: 5, sum: 1, schema: 0, positive: { indexes: [1], counts: [4] } } }] },
      /native buckets hold 4 observations .* but count is 5/,
    ],
    ['negative count', nativeFamily({ indexes: [1, 2], counts: [2, -1] }), /positive buckets count 1 must be a non-negative integer, got -1/],
    [
      'fractional count',
      { name: 'x', type: 'histogram', metrics: [{ histogram: { count: 1.5, sum: 0, schema: 0 } }] },
      /histogram count must be a non-negative integer, got 1.5/,
    ],
    [
      'classic bounds not increasing',
      {
        name: 'x',
        type: 'histogram',
        metrics: [
          {
            histogram: {
              count: 1,
              sum: 0,
              buckets: [
                { upperBound: 1, cumulativeCount: 1 },
                { upperBound: 1, cumulativeCount: 1 },
              ],
            },
          },
        ],
      },
      /bucket bounds must increase/,
    ],
    ['gauge without a value', { name: 'x', type: 'gauge', metrics: [{}] }, /family "x" metric 0: a gauge needs a number value/],
    ['unknown type', { name: 'x', type: 'weird' as 'gauge', metrics: [] }, /family "x" has an unknown type "weird"/],
    ['lengths differ', nativeFamily({ indexes: [1, 2], counts: [1] }), /has 2 indexes but 1 counts/],
  ];
  for (const [what, family, message] of cases) {
    it(what, () => {
      assert.throws(() => encodeMetricFamilies([family]), message);
    });
  }

  it('a NaN sum allows fewer observations in buckets than the count (NaN observations are in none)', () => {
    const h = histogramOf(
      encodeMetricFamilies([
        { name: 'x', type: 'histogram', metrics: [{ histogram: { count: 3, sum: Number.NaN, schema: 0, positive: { indexes: [0], counts: [2] } } }] },
      ]),
    );
    assert.equal(uint(h, 1), 3n);
  });

  it('a failed encode leaves nothing behind: the next one is intact', () => {
    assert.throws(() =>
      encodeMetricFamilies([
        { name: 'ok', type: 'gauge', metrics: [{ value: 1 }] },
        { name: 'bad', type: 'gauge', metrics: [{}] },
      ]),
    );
    const fs = families(encodeMetricFamilies([{ name: 'next', type: 'gauge', metrics: [{ value: 2 }] }]));
    assert.deepEqual(
      fs.map((f) => f.name),
      ['next'],
    );
  });
});

describe('wantsPrometheusProtobuf', () => {
  it('reads the Accept headers Prometheus sends', () => {
    // Prometheus 2.42 with --enable-feature=native-histograms, and without it (captured from the real server).
    assert.equal(
      wantsPrometheusProtobuf(
        'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited,application/openmetrics-text;version=1.0.0;q=0.8,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1',
      ),
      true,
    );
    assert.equal(
      wantsPrometheusProtobuf(
        'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1',
      ),
      false,
    );
    assert.equal(wantsPrometheusProtobuf('application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0'), false);
    assert.equal(wantsPrometheusProtobuf('application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=text'), false);
    assert.equal(wantsPrometheusProtobuf('application/vnd.google.protobuf;proto=other.Message;encoding=delimited'), false);
    assert.equal(wantsPrometheusProtobuf(undefined), false);
  });
});
