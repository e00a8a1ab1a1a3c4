// A real Prometheus 2.42 with --enable-feature=native-histograms scrapes the protobuf
// exposition from a node:http server: a native histogram with known buckets arrives bucket for
// bucket (read back from the query API and through histogram_count/sum/quantile), a classic
// histogram arrives as _bucket{le} series, and a labelled counter, gauge and summary as written.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import {
  encodeMetricFamilies,
  PROMETHEUS_PROTOBUF_CONTENT_TYPE,
  type ProtoFamily,
  wantsPrometheusProtobuf,
} from '../../src/formats/prometheus-protobuf.js';
import { type PrometheusServer, startPrometheus } from '../helpers/prometheus.js';

// Schema 3: bucket i of the positive side holds (2^((i-1)/8), 2^(i/8)].
const POSITIVE = { indexes: [-8, 0, 5, 8, 16], counts: [2, 3, 1, 3, 11] };
const NEGATIVE = { indexes: [0], counts: [1] };
const ZERO = { zeroThreshold: 0.001, zeroCount: 1 };
const COUNT = 22; // 1 negative + 1 zero + 20 positive
const SUM = 30.25;

const FAMILIES: ProtoFamily[] = [
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
      {
        labels: [
          { name: 'queue', value: 'b' },
          { name: 'status', value: '500' },
        ],
        value: 1,
      },
    ],
  },
  { name: 'room_temp', type: 'gauge', metrics: [{ labels: [{ name: 'room', value: 'lab ü' }], value: -1.5 }] },
  {
    name: 'rpc_seconds',
    help: 'Latency.',
    type: 'histogram',
    metrics: [
      { labels: [{ name: 'route', value: '/a' }], histogram: { count: COUNT, sum: SUM, schema: 3, ...ZERO, positive: POSITIVE, negative: NEGATIVE } },
    ],
  },
  {
    name: 'classic_seconds',
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
  { name: 'sum_seconds', type: 'summary', metrics: [{ summary: { count: 9, sum: 4.5, quantiles: [{ quantile: 0.5, value: 0.25 }] } }] },
];

/** A native histogram sample as the query API of Prometheus 2.42 returns it. */
interface ApiHistogram {
  count: string;
  sum: string;
  buckets: Array<[number, string, string, string]>;
}

describe('real Prometheus (native histograms on) decodes the protobuf exposition', () => {
  let server: Server;
  let prom: PrometheusServer;
  const accepts: string[] = [];

  before(async () => {
    const body = encodeMetricFamilies(FAMILIES);
    server = createServer((req, res) => {
      accepts.push(String(req.headers.accept));
      if (!wantsPrometheusProtobuf(req.headers.accept)) {
        res.writeHead(406).end();
        return;
      }
      res.writeHead(200, { 'content-type': PROMETHEUS_PROTOBUF_CONTENT_TYPE, 'content-length': body.length }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    prom = await startPrometheus({ targets: [`127.0.0.1:${port}`], flags: ['--enable-feature=native-histograms'] });
  });

  after(async () => {
    await prom?.stop();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('asks for protobuf first and scrapes the target without error', async () => {
    const up = await prom.waitFor('up', (s) => s[0].value[1] === '1', 30_000);
    assert.equal(up[0]?.value[1], '1', JSON.stringify(await prom.targets()));
    assert.ok(accepts.length > 0 && accepts.every((a) => a.startsWith('application/vnd.google.protobuf')), accepts[0]);
    assert.deepEqual(
      (await prom.targets()).map((t) => t.lastError),
      [''],
    );
  });

  it('a native histogram arrives bucket for bucket', async () => {
    const data = await prom.poll(async () => {
      const d = await prom.api<{ result: Array<{ metric: Record<string, string>; histogram?: [number, ApiHistogram] }> }>(
        '/api/v1/query?query=' + encodeURIComponent('rpc_seconds'),
      );
      return d.result[0]?.histogram ? d.result[0] : undefined;
    }, 30_000);
    assert.ok(data, 'no native histogram sample for rpc_seconds');
    assert.equal(data.metric.route, '/a');
    const h = data.histogram![1];
    assert.equal(Number(h.count), COUNT);
    assert.equal(Number(h.sum), SUM);
    const want: Array<[number, number, number]> = [
      [-1, -(2 ** (-1 / 8)), 1],
      [-ZERO.zeroThreshold, ZERO.zeroThreshold, 1],
      ...POSITIVE.indexes.map((i, k) => [2 ** ((i - 1) / 8), 2 ** (i / 8), POSITIVE.counts[k]] as [number, number, number]),
    ];
    const got = h.buckets.map(([, lo, hi, c]) => [Number(lo), Number(hi), Number(c)]);
    assert.equal(got.length, want.length, JSON.stringify(h.buckets));
    for (let k = 0; k < want.length; k++) {
      assert.ok(Math.abs(got[k][0] - want[k][0]) <= 1e-12 && Math.abs(got[k][1] - want[k][1]) <= 1e-12, `bucket ${k}: ${got[k]} vs ${want[k]}`);
      assert.equal(got[k][2], want[k][2], `bucket ${k} count`);
    }
  });

  it('histogram_count, histogram_sum and histogram_quantile read it exactly', async () => {
    const value = async (expr: string) => Number((await prom.waitFor(expr, () => true, 30_000))[0]?.value[1]);
    assert.equal(await value('histogram_count(rpc_seconds)'), COUNT);
    assert.equal(await value('histogram_sum(rpc_seconds)'), SUM);
    // Rank 11 of 22 ends exactly at the top of bucket 8 (1+1+2+3+1+3 = 11): 2^(8/8) = 2.
    assert.equal(await value('histogram_quantile(0.5, rpc_seconds)'), 2);
    // The highest bucket, 16: 2^(16/8) = 4.
    assert.equal(await value('histogram_quantile(1, rpc_seconds)'), 4);
  });

  it('a histogram without native fields arrives as classic _bucket{le}, _count and _sum', async () => {
    const buckets = await prom.waitFor('classic_seconds_bucket', (s) => s.length === 3, 30_000);
    assert.deepEqual(buckets.map((s) => [s.metric.le, s.value[1]]).sort(), [
      ['+Inf', '4'],
      ['0.1', '1'],
      // Prometheus writes the le of protobuf buckets as OpenMetrics does: '1.0', not '1'.
      ['1.0', '3'],
    ]);
    assert.equal((await prom.query('classic_seconds_count'))[0]?.value[1], '4');
    assert.equal((await prom.query('classic_seconds_sum'))[0]?.value[1], '3');
    // Linear inside (0.1, 1]: rank 2 is the first of that bucket's 2 observations.
    assert.ok(Math.abs(Number((await prom.query('histogram_quantile(0.5, classic_seconds_bucket)'))[0]?.value[1]) - 0.55) < 1e-9);
  });

  it('a labelled counter, a gauge and a summary arrive as written', async () => {
    const byStatus = await prom.waitFor('sum by (status) (jobs_total)', (s) => s.length === 2, 30_000);
    assert.deepEqual(byStatus.map((s) => [s.metric.status, s.value[1]]).sort(), [
      ['200', '3'],
      ['500', '1'],
    ]);
    const gauge = await prom.query('room_temp');
    assert.deepEqual([gauge[0]?.metric.room, gauge[0]?.value[1]], ['lab ü', '-1.5']);
    assert.equal((await prom.query('sum_seconds{quantile="0.5"}'))[0]?.value[1], '0.25');
    assert.equal((await prom.query('sum_seconds_count'))[0]?.value[1], '9');
    const meta = await prom.api<Record<string, Array<{ type: string; help: string }>>>('/api/v1/metadata?metric=jobs_total');
    assert.deepEqual(meta.jobs_total?.[0], { type: 'counter', help: 'Jobs done.', unit: '' });
  });
});
