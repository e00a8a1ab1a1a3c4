// Prometheus names: HELP from the declaration (else the path), base units (time units exported in
// seconds with `_seconds`, `_bytes`, `_ratio`), prometheusName used as is, and stable names: a
// second stat mapping to a taken name (or one of its series' names) is refused at declaration
// (thrown in strict mode; else counted under /scales/rejected, reported, left out of Prometheus),
// never renamed by order; a removed stat frees its names.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { prometheusFamilyName, seriesNames } from '../../src/core/prometheus-name.js';
import { renderPrometheusProtobuf } from '../../src/formats/prometheus-protobuf.js';
import { renderPrometheus } from '../../src/formats/prometheus.js';
import { Registry } from '../../src/registry/registry.js';
import { intDictStat } from '../../src/stats/int-dict-stat.js';
import { doubleStat, intStat } from '../../src/stats/number-stat.js';
import { meterStat } from '../../src/stats/meter-stat.js';
import { pmfStat } from '../../src/stats/pmf-stat.js';
import { stat } from '../../src/stats/value-stat.js';
import { asString, decodeMessage, splitDelimited } from '../helpers/protobuf-decode.js';

const familyNames = (body: Uint8Array): string[] => splitDelimited(body).map((b) => asString(decodeMessage(b).get(1)![0]));

describe('Prometheus names from declarations', () => {
  it('computes family names: path, unit suffix once, prometheusName as is', () => {
    assert.equal(prometheusFamilyName('/web/latency', { unit: 'ms' }), 'web_latency_seconds');
    assert.equal(prometheusFamilyName('/web/latency_seconds', { unit: 's' }), 'web_latency_seconds');
    assert.equal(prometheusFamilyName('/io/read', { unit: 'bytes' }), 'io_read_bytes');
    assert.equal(prometheusFamilyName('/cache/hit', { unit: 'ratio' }), 'cache_hit_ratio');
    assert.equal(prometheusFamilyName('/q/depth', { unit: 'jobs' }), 'q_depth');
    assert.equal(prometheusFamilyName('/q/depth', { prometheusName: 'queue_depth', unit: 'ms' }), 'queue_depth');
    assert.equal(prometheusFamilyName('/9lives', undefined), '_9lives');
    assert.ok(seriesNames('x').includes('x_bucket') && seriesNames('x').includes('x_total'));
  });

  it('writes HELP from the declaration, values in base units, the suffixes in both expositions', () => {
    const reg = new Registry();
    const S = reg.collection(
      '/web',
      doubleStat('lag', { unit: 'ms', help: 'Event loop lag' }),
      doubleStat('heap', { unit: 'bytes' }),
      stat('load', 0.5, { unit: 'ratio' }),
      doubleStat('legacy', { prometheusName: 'my_legacy_gauge' }),
      meterStat('served', { unit: 'bytes', help: 'Bytes "served"\nin total' }),
      pmfStat('latency', { unit: 'ms', help: 'Request latency' }),
    );
    S.lag = 12.5;
    S.heap = 1024;
    S.legacy = 3;
    S.$.served.mark(10);
    S.$.latency.record(250);
    const snap = reg.snapshot('/web', { histograms: true })!;
    const text = renderPrometheus(snap);
    assert.match(text, /# HELP web_lag_seconds Event loop lag\n# TYPE web_lag_seconds gauge\nweb_lag_seconds 0.0125\n/);
    assert.match(text, /\nweb_heap_bytes 1024\n/);
    assert.match(text, /\nweb_load_ratio 0.5\n/);
    assert.match(text, /# HELP my_legacy_gauge \/web\/legacy\n# TYPE my_legacy_gauge gauge\nmy_legacy_gauge 3\n/);
    assert.match(text, /# HELP web_served_bytes_total Bytes "served"\\nin total/);
    assert.match(text, /\nweb_served_bytes_total 10\n/);
    assert.match(text, /# HELP web_latency_seconds Request latency\n# TYPE web_latency_seconds histogram\n/);
    assert.match(text, /\nweb_latency_seconds_bucket\{le="0.25"\} 1\n/);
    assert.match(text, /\nweb_latency_seconds_sum 0.25\n/);
    const om = renderPrometheus(snap, { openMetrics: true });
    assert.match(om, /# TYPE web_served_bytes counter\n# HELP web_served_bytes Bytes \\"served\\"\\nin total/);
    assert.deepEqual(familyNames(renderPrometheusProtobuf(snap)), [
      'web_lag_seconds',
      'web_heap_bytes',
      'web_load_ratio',
      'my_legacy_gauge',
      'web_served_bytes_total',
      'web_served_bytes_rate',
      'web_latency_seconds',
    ]);
  });

  it('a counter named x_total (kept from prom-client) writes x_total, not x_total_total', () => {
    const reg = new Registry();
    const S = reg.collection('/http', meterStat('reqs', { prometheusName: 'http_requests_total' }));
    S.$.reqs.mark(2);
    const text = renderPrometheus(reg.snapshot('/http')!);
    assert.match(text, /# TYPE http_requests_total counter\nhttp_requests_total 2\n/);
    assert.match(text, /\nhttp_requests_rate\{window="m1"\}/);
  });
});

describe('stable names: refused at declaration, never renamed', () => {
  it('refuses a second stat with the same family name: counted, reported, left out; the first keeps its name', () => {
    const errors: Error[] = [];
    const reg = new Registry({ onError: (e) => errors.push(e) });
    const A = reg.collection('/a-b', intStat('c'));
    const B = reg.collection('/a_b', intStat('c'));
    A.c = 1;
    B.c = 2;
    assert.equal(errors.length, 1);
    assert.match(errors[0].message, /stat \/a_b\/c maps to the Prometheus name "a_b_c", whose series "a_b_c" is already \/a-b\/c's/);
    const text = renderPrometheus(reg.snapshot()!);
    assert.match(text, /\na_b_c_total 1\n/);
    assert.doesNotMatch(text, /a_b_c_total 2|_2/);
    const rejected = reg.snapshot('/scales')!.stats.find((s) => s.name === 'rejected')!.value;
    assert.deepEqual(rejected, { '/a_b/c': 1 });
    // The refused stat still works everywhere else.
    assert.deepEqual(reg.getStats('/a_b'), { c: 2 });
    assert.doesNotMatch(familyNames(renderPrometheusProtobuf(reg.snapshot()!)).join(','), /_2/);
  });

  it('refuses a name that is a series of another family (x_count of a pmf x), whatever the order', () => {
    const reg1 = new Registry({ strict: true });
    reg1.collection('/a', pmfStat('x'));
    assert.throws(() => reg1.collection('/a', stat('x_seconds_count', 1)), /whose series "a_x_seconds_count" is already \/a\/x's/);
    const reg2 = new Registry({ strict: true });
    reg2.collection('/a', stat('x_seconds_count', 1));
    assert.throws(() => reg2.collection('/a', pmfStat('x')), /maps to the Prometheus name "a_x_seconds"/);
  });

  it('a stat declared { gauge: true } holds only its own name: prom-client pairs x{type} and x_total (a gauge) coexist', () => {
    const reg = new Registry({ strict: true });
    const h = reg.collection(
      '/h',
      intDictStat('byType', { labels: ['type'], gauge: true, prometheusName: 'nodejs_active_handles' }),
      stat('all', 3, { prometheusName: 'nodejs_active_handles_total' }),
    );
    h.$.byType.inc('Socket', 3);
    const text = renderPrometheus(reg.snapshot('/')!);
    assert.match(text, /^# TYPE nodejs_active_handles gauge$/m);
    assert.match(text, /^nodejs_active_handles\{type="Socket"\} 3$/m);
    assert.match(text, /^nodejs_active_handles_total 3$/m);
    // A counter of that name still reserves its _total.
    const reg2 = new Registry({ strict: true });
    reg2.collection('/h', intDictStat('byType', { labels: ['type'], prometheusName: 'nodejs_active_handles' }));
    assert.throws(() => reg2.collection('/h', stat('all', 3, { prometheusName: 'nodejs_active_handles_total' })), /already \/h\/byType's/);
  });

  it('throws in strict mode and declares nothing', () => {
    const reg = new Registry({ strict: true });
    reg.collection('/web', intStat('hits'));
    assert.throws(() => reg.collection('/web', doubleStat('hits_total')), TypeError);
    assert.equal(
      reg
        .snapshot('/web')!
        .stats.map((s) => s.name)
        .join(),
      'hits',
    );
  });

  it('a removed stat frees its name; redeclaring the same stat is not a collision', () => {
    const reg = new Registry({ strict: true });
    reg.collection('/job/run1', intStat('rows'));
    reg.collection('/job/run1', intStat('rows'));
    reg.remove('/job/run1');
    reg.collection('/job_run1', intStat('rows'));
    assert.match(renderPrometheus(reg.snapshot()!), /\njob_run1_rows_total 0\n/);
  });
});
