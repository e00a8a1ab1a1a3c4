// Named labels on the keyed kinds, through the package: typed writes, nested JSON, the key limit
// counting combinations, aggregation, redeclaration, and the labels every output sees.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as scales from 'scales-metrics';
import { renderPrometheus } from 'scales-metrics/formats';

const fresh = (options: scales.RegistryOptions = {}) => new scales.Registry({ clock: new scales.ManualClock(1000), ...options });

describe('labelled dicts', () => {
  test('intDictStat: writes by name and through a bound child, JSON nested in label order', () => {
    const r = fresh();
    const S = r.collection('/http', scales.intDictStat('requests', { labels: ['method', 'route', 'status'] }));
    S.$.requests.inc({ method: 'GET', route: '/a', status: 200 });
    S.$.requests.inc({ method: 'GET', route: '/a', status: '200' }, 2); // 200 and '200' are one label value
    const child = S.$.requests.labels('GET', '/b', 404);
    child.inc();
    child.inc(4);
    S.requests.inc({ method: 'POST', route: '/a', status: 500 }); // the property is the handle
    S.$.requests.set({ method: 'PUT', route: '/c', status: 201 }, 7);
    assert.deepEqual(r.getStats('/http'), {
      requests: { GET: { '/a': { '200': 3 }, '/b': { '404': 5 } }, POST: { '/a': { '500': 1 } }, PUT: { '/c': { '201': 7 } } },
    });
    assert.equal(child.value, 5);
    assert.equal(S.$.requests.get({ method: 'GET', route: '/a', status: 200 }), 3);
    assert.equal(S.$.requests.get({ method: 'GET', route: '/x', status: 200 }), 0);
    assert.equal(S.$.requests.size, 4);
    assert.deepEqual(S.$.requests.labelNames, ['method', 'route', 'status']);
    assert.deepEqual(
      [...S.$.requests.entries()].map(([values, n]) => [...values, n]),
      [
        ['GET', '/a', '200', 3],
        ['GET', '/b', '404', 5],
        ['POST', '/a', '500', 1],
        ['PUT', '/c', '201', 7],
      ],
    );
    assert.equal(S.$.requests.delete({ method: 'GET', route: '/b', status: 404 }), true);
    assert.deepEqual((r.getStats('/http')!.requests as Record<string, unknown>).GET, { '/a': { '200': 3 } });
    child.inc(); // a bound child of a deleted combination makes it again
    assert.equal(S.$.requests.get({ method: 'GET', route: '/b', status: 404 }), 1);
    r.clear('/http');
    assert.deepEqual(r.getStats('/http'), { requests: {} });
    child.inc();
    assert.deepEqual(r.getStats('/http'), { requests: { GET: { '/b': { '404': 1 } } } });
  });

  test('the label names type the writes: a wrong or missing name, or a wrong count, does not compile', () => {
    const r = fresh({ onError: () => {} });
    const S = r.collection(
      '/t',
      scales.intDictStat('requests', { labels: ['method', 'route', 'status'] }),
      scales.meterDictStat('hits', { labels: ['a', 'b'] }),
    );
    // @ts-expect-error: `methd` is no label of the stat
    S.$.requests.inc({ methd: 'GET', route: '/a', status: 200 });
    // @ts-expect-error: `status` is missing
    S.$.requests.inc({ method: 'GET', route: '/a' });
    // @ts-expect-error: three labels, two values
    S.$.requests.labels('GET', '/a').inc();
    // @ts-expect-error: a label value is a string or a number
    S.$.hits.mark({ a: 'x', b: {} });
    // What the compiler refuses is, from JavaScript, rejected and counted; nothing throws.
    assert.deepEqual(r.getStats('/t'), { requests: {}, hits: {} });
    assert.deepEqual(r.getStats('/scales')?.rejected, { '/t/requests': 3, '/t/hits': 1 });
  });

  test('a bad label set is rejected and counted, thrown in strict mode', () => {
    const r = fresh({ strict: true });
    const S = r.collection('/t', scales.intDictStat('requests', { labels: ['method', 'status'] }));
    assert.throws(
      () => S.$.requests.inc({ method: 'GET' } as never),
      /rejected a write to \/t\/requests: .* is not a label set of 2 values \(a string or number each\) for the labels method, status/,
    );
    assert.throws(() => S.$.requests.labels('GET', Symbol('x') as never).inc(), /not a label set/);
    assert.throws(() => S.$.requests.inc({ method: 'GET', status: 200 }, Number.NaN), /not a finite number/);
  });

  test('namedPmfDictStat and meterDictStat with labels: a pmf / meter per combination', () => {
    const r = fresh();
    const S = r.collection(
      '/http',
      scales.namedPmfDictStat('latency', { labels: ['method', 'route'], unit: 'ms' }),
      scales.meterDictStat('hits', { labels: ['method', 'route'] }),
    );
    S.$.latency.record({ method: 'GET', route: '/a' }, 12);
    const timer = S.$.latency.labels('GET', '/a');
    timer.record(14);
    S.$.latency.get({ method: 'POST', route: '/a' }).record(3);
    S.$.hits.mark({ method: 'GET', route: '/a' }, 2);
    S.$.hits.labels('GET', '/a').mark();
    const tree = r.getStats('/http') as {
      latency: Record<string, Record<string, scales.PmfSnapshot>>;
      hits: Record<string, Record<string, scales.MeterSnapshot>>;
    };
    assert.equal(tree.latency.GET?.['/a']?.count, 2);
    assert.equal(tree.latency.GET?.['/a']?.unit, 'ms');
    assert.equal(tree.latency.POST?.['/a']?.max, 3);
    assert.equal(tree.hits.GET?.['/a']?.count, 3);
    assert.equal(S.$.latency.size, 2);
    assert.equal(S.$.hits.size, 1);
  });

  test('the key limit counts combinations; new ones beyond it fold into __overflow__ below the labels that exist', () => {
    const r = fresh();
    const S = r.collection('/t', scales.intDictStat('requests', { labels: ['method', 'route', 'status'], keyLimit: 3 }));
    S.$.requests.inc({ method: 'GET', route: '/a', status: 200 });
    S.$.requests.inc({ method: 'GET', route: '/a', status: 500 });
    S.$.requests.inc({ method: 'POST', route: '/b', status: 200 });
    // Full: a new status of an existing route, a new route of an existing method, a new method.
    S.$.requests.inc({ method: 'GET', route: '/a', status: 404 });
    S.$.requests.labels('GET', '/new', 200).inc(2);
    S.$.requests.inc({ method: 'DELETE', route: '/a', status: 200 });
    S.$.requests.inc({ method: 'PATCH', route: '/z', status: 204 });
    S.$.requests.inc({ method: 'GET', route: '/a', status: 200 }); // existing: no fold
    assert.deepEqual(r.getStats('/t'), {
      requests: {
        GET: { '/a': { '200': 2, '500': 1, __overflow__: 1 }, __overflow__: { __overflow__: 2 } },
        POST: { '/b': { '200': 1 } },
        __overflow__: { __overflow__: { __overflow__: 2 } },
      },
    });
    assert.deepEqual(r.getStats('/scales')?.overflow, { '/t/requests': 4 });
  });

  test('a sum aggregation with the same labels sums the combinations, nested; other labels are a declaration error', () => {
    const r = fresh();
    const parent = {};
    const labels = ['method', 'status'] as const;
    r.init(parent, '/api', scales.intDictSumAggregationStat('requests', { labels: [...labels] }));
    const a = r.initChild({}, parent, 'a', scales.intDictStat('requests', { labels }));
    const b = r.initChild({}, parent, 'b', scales.intDictStat('requests', { labels }));
    a.$.requests.inc({ method: 'GET', status: 200 }, 2);
    b.$.requests.labels('GET', 200).inc(3);
    b.$.requests.inc({ method: 'POST', status: 500 });
    assert.deepEqual((r.getStats('/api') as { requests: unknown }).requests, { GET: { '200': 5 }, POST: { '500': 1 } });
    assert.equal(r.snapshot('/api')?.stats[0]?.description?.labels?.join(), 'method,status');
    assert.throws(
      () => r.initChild({}, parent, 'a', scales.intDictStat('requests', { labels: ['method'] })),
      /stat "requests" in \/api\/a is already declared with labels \[method, status\], not \[method\]/,
    );
  });

  test('a hostile label set (a throwing getter, a revoked Proxy, a symbol) is rejected and counted, never thrown', () => {
    const r = fresh({ onError: () => {} });
    const S = r.collection(
      '/h',
      scales.intDictStat('n', { labels: ['a', 'b'] }),
      scales.meterDictStat('m', { labels: ['a', 'b'] }),
      scales.namedPmfDictStat('p', { labels: ['a', 'b'] }),
    );
    const throwing = Object.defineProperty({ a: 'x' }, 'b', {
      get() {
        throw new Error('boom');
      },
    });
    const { proxy: revoked, revoke } = Proxy.revocable({ a: 'x', b: 'y' }, {});
    revoke();
    for (const set of [throwing, revoked, { a: 'x', b: Symbol('s') }, null, 'x']) {
      S.$.n.inc(set as never);
      S.$.m.mark(set as never);
      S.$.p.record(set as never, 1);
      S.$.m.get(set as never).mark(); // a detached meter: counted, not kept
      S.$.p.get(set as never).record(1);
    }
    S.$.n.labels('x', {} as never).inc();
    assert.deepEqual(r.getStats('/h'), { n: {}, m: {}, p: {} });
    assert.deepEqual(r.getStats('/scales')?.rejected, { '/h/n': 6, '/h/m': 10, '/h/p': 10 });
  });

  test('labels are checked at declaration', () => {
    assert.throws(() => scales.intDictStat('d', { labels: [] as unknown as [string] }), /stat "d": labels must be an array of 1 to 16 label names/);
    assert.throws(() => scales.intDictStat('d', { labels: ['a', 'a'] }), /stat "d": label "a" is named twice/);
    assert.throws(() => scales.intDictStat('d', { labels: ['a', 'b-c'] }), /stat "d": label name "b-c" is not a label name/);
    assert.throws(() => scales.intDictStat('d', { labels: ['__name__', 'b'] }), /not a label name/);
    for (const reserved of ['le', 'quantile', 'window', 'value', 'escaped']) {
      assert.throws(() => scales.namedPmfDictStat('d', { labels: ['a', reserved] }), new RegExp(`stat "d": label "${reserved}" is reserved`));
    }
  });

  test('one named label keeps the one-key dict: the index form, inc(key), and the label name in outputs', () => {
    const r = fresh();
    const S = r.collection('/t', scales.intDictStat('byRoute', { labels: ['route'] }));
    S.byRoute['/a'] += 1;
    S.$.byRoute.inc('/a');
    S.$.byRoute.labels('/b').inc();
    assert.deepEqual(r.getStats('/t'), { byRoute: { '/a': 2, '/b': 1 } });
    assert.match(renderPrometheus(r.snapshot('/')!), /\{route="\/a"\} 2\n/);
  });

  test('Prometheus sees every label of a labelled dict', () => {
    const r = fresh();
    const S = r.collection('/http', scales.intDictStat('requests', { labels: ['method', 'route', 'status'] }));
    S.$.requests.inc({ method: 'GET', route: '/a', status: 200 });
    S.$.requests.inc({ method: 'POST', route: '/a', status: 500 });
    const text = renderPrometheus(r.snapshot('/')!);
    assert.match(text, /\{method="GET",route="\/a",status="200"\} 1\n/);
    assert.match(text, /\{method="POST",route="\/a",status="500"\} 1\n/);
  });
});
