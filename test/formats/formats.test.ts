import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SnapshotNode } from '../../src/registry/snapshot.js';
import { htmlChunks, renderHtml } from '../../src/formats/html.js';
import { jsonChunks, renderJson, toJsonObject } from '../../src/formats/json.js';
import { filterSnapshot, parseQuery } from '../../src/formats/query.js';
import { metricName, prometheusChunks, renderPrometheus, wantsOpenMetrics } from '../../src/formats/prometheus.js';
import { formatNumber, formatValue, formatValueFast } from '../../src/formats/value-format.js';
import { fixtureCollapsed, fixtureTree } from './fixture-tree.js';
import { assertGolden } from './golden.js';

describe('json format', () => {
  it('matches the golden file and JSON.stringify of the plain tree', () => {
    const tree = fixtureTree();
    const text = renderJson(tree, { collapsed: fixtureCollapsed });
    assertGolden('tree.json', text + '\n');
    assert.equal(text, JSON.stringify(toJsonObject(tree, { collapsed: fixtureCollapsed })));
    assert.ok(JSON.parse(renderJson(tree)).db, 'without the option every container is there');
    const obj = JSON.parse(text);
    assert.equal(obj.db, undefined, 'collapsed container left out');
    assert.deepEqual(obj.web.broken, { error: 'gauge failed: <boom>' });
    assert.equal(obj.web.success, 1234567);
  });
  it('pretty output equals JSON.stringify(tree, null, 2)', () => {
    const tree = fixtureTree();
    const text = renderJson(tree, { pretty: true, collapsed: fixtureCollapsed });
    assertGolden('tree.pretty.json', text + '\n');
    assert.equal(text, JSON.stringify(toJsonObject(tree, { collapsed: fixtureCollapsed }), null, 2));
  });
  it('renders empty containers and comes in several pieces', () => {
    const empty: SnapshotNode = { name: '', path: '/', stats: [], children: [] };
    assert.equal(renderJson(empty), '{}');
    assert.equal(renderJson(empty, { pretty: true }), '{}');
    assert.ok([...jsonChunks(fixtureTree())].length > 10);
  });
});

describe('prometheus format', () => {
  it('text 0.0.4 matches the golden file', () => {
    assertGolden('tree.prom', renderPrometheus(fixtureTree()));
  });
  it('OpenMetrics matches the golden file and ends with # EOF', () => {
    const text = renderPrometheus(fixtureTree(), { openMetrics: true });
    assertGolden('tree.om', text);
    assert.ok(text.endsWith('# EOF\n'));
  });
  for (const om of [false, true]) {
    it(`has no duplicate series, TYPE or HELP lines (openMetrics=${om})`, () => {
      const lines = renderPrometheus(fixtureTree(), { openMetrics: om }).split('\n').filter(Boolean);
      const seen = new Set<string>();
      for (const l of lines) {
        if (l === '# EOF') continue;
        const key = l.startsWith('#') ? l.split(' ').slice(0, 3).join(' ') : l.slice(0, l.lastIndexOf(' '));
        assert.ok(!seen.has(key), `duplicate: ${key}`);
        seen.add(key);
      }
      for (const l of lines) {
        if (l.startsWith('#')) continue;
        assert.match(l, /^[a-zA-Z_][a-zA-Z0-9_]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*",?)*\})? (NaN|[+-]Inf|-?[0-9.e+-]+)$/, l);
      }
    });
  }
  it('maps paths to names and escapes', () => {
    assert.equal(metricName('/web/success'), 'web_success');
    assert.equal(metricName('web/success/'), 'web_success');
    assert.equal(metricName('/api/v1.2/p99'), 'api_v1_2_p99');
    assert.equal(metricName('/9lives'), '_9lives');
    assert.equal(metricName('/a b/ü:x'), 'a_b___x');
    const text = renderPrometheus(fixtureTree());
    assert.ok(text.includes('web_by_path_total{key="/b?x=\\"1\\"\\\\n"} 2\n'), 'label value escaped');
    assert.ok(text.includes('web_owners_info{key="cache",value="bob\\nsmith"} 1\n'));
    // A snapshot made elsewhere (a registry refuses such declarations) may hold two families of one
    // name: the first in tree order is written, the other left out, never renamed.
    assert.ok(text.includes('web_api_finished_total 42\n') && !text.includes('web_api_finished_total 1\n'), 'colliding family left out');
    assert.ok(!text.includes('_2'), 'nothing renamed');
    assert.ok(!text.includes('web_hits_rate_total 11\n'), 'collision with a derived name left out');
    assert.ok(text.includes('web_idle{quantile="0.99"} NaN\n'), 'empty window quantile is NaN');
    assert.ok(text.includes('web_latency_count 350\n') && text.includes('web_latency_sum 61.25\n'), 'lifetime sum/count');
    assert.ok(!text.includes('broken'), 'failed stat left out');
    assert.ok(text.includes('db_queries_total 77\n'), 'collapsed containers are exported');
  });
  it('keeps a gauge that returned NaN or an infinity (flagged nonFinite) a gauge', () => {
    const node: SnapshotNode = {
      name: '',
      path: '/',
      stats: [
        { name: 'nan', kind: 'value', value: 'NaN', nonFinite: true },
        { name: 'inf', kind: 'value', value: 'Infinity', nonFinite: true },
        { name: 'ninf', kind: 'value', value: '-Infinity', nonFinite: true },
      ],
      children: [],
    };
    for (const openMetrics of [false, true]) {
      const text = renderPrometheus(node, { openMetrics });
      assert.ok(text.includes('# TYPE nan gauge\n') && text.includes('\nnan NaN\n'), text);
      assert.ok(text.includes('\ninf +Inf\n') && text.includes('\nninf -Inf\n'), text);
      assert.ok(!text.includes('_info'), text);
    }
  });
  it('names each render on its own, whatever earlier renders of the same paths claimed (names are cached across renders)', () => {
    const tree = (stats: SnapshotNode['stats'], childStats: SnapshotNode['stats']): SnapshotNode => ({
      name: '',
      path: '/',
      stats,
      children: [{ name: 'a-b', path: '/a-b', stats: childStats, children: [] }],
    });
    const gauge = (name: string, value: number) => ({ name, kind: 'int', value, description: { gauge: true } }) as SnapshotNode['stats'][number];
    // /a_b (a stat at the root) and /a-b/... share the name a_b...: the later one in tree order is left out.
    const both = tree([gauge('a_b_c', 1)], [gauge('c', 2)]);
    const alone = tree([], [gauge('c', 2)]);
    for (let round = 0; round < 2; round++) {
      assert.equal(renderPrometheus(both), '# HELP a_b_c /a_b_c\n# TYPE a_b_c gauge\na_b_c 1\n');
      assert.equal(renderPrometheus(alone), '# HELP a_b_c /a-b/c\n# TYPE a_b_c gauge\na_b_c 2\n', 'no collision: the base name again');
    }
    // The same path as another family type: the names follow the type of this render.
    const text = renderPrometheus(tree([], [{ name: 'c', kind: 'value', value: 'x' }]), { openMetrics: true });
    assert.equal(text, '# TYPE a_b_c info\n# HELP a_b_c /a-b/c\na_b_c_info{value="x"} 1\n# EOF\n');
    // A summary's derived names taken by an earlier gauge (a_b_c_sum): the summary is left out.
    const pmfValue = { count: 1, median: 2, lifetime: { count: 3, sum: 4 } } as unknown as number;
    const clash = tree([gauge('a_b_c_sum', 9)], [{ name: 'c', kind: 'pmf', value: pmfValue } as unknown as SnapshotNode['stats'][number]]);
    for (let round = 0; round < 2; round++) {
      const t = renderPrometheus(clash);
      assert.equal(t, '# HELP a_b_c_sum /a_b_c_sum\n# TYPE a_b_c_sum gauge\na_b_c_sum 9\n');
    }
  });
  it('renders a tree too big for one chunk in several, the same text as one string', () => {
    const stats = Array.from(
      { length: 600 },
      (_, i) => ({ name: 's' + i, kind: 'int', value: i, description: { gauge: true } }) as SnapshotNode['stats'][number],
    );
    const node: SnapshotNode = { name: '', path: '/', stats, children: [] };
    const pieces = [...prometheusChunks(node)];
    assert.ok(pieces.length > 1, 'several chunks');
    for (const p of pieces) assert.ok(p.startsWith('# HELP ') && p.endsWith('\n'), 'chunks end between families');
    assert.equal(pieces.join(''), renderPrometheus(node));
    assert.equal(
      renderPrometheus(node)
        .split('\n')
        .filter((l) => /^s\d+ /.test(l)).length,
      600,
    );
  });
  it('negotiates OpenMetrics from the Accept header', () => {
    const prom242 =
      'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';
    assert.equal(wantsOpenMetrics(prom242), true);
    assert.equal(wantsOpenMetrics('text/plain;version=0.0.4'), false);
    assert.equal(wantsOpenMetrics('application/openmetrics-text; q=0'), false);
    assert.equal(wantsOpenMetrics(undefined), false);
  });
});

describe('html format', () => {
  it('shows arrays as escaped JSON text, as a stat value and inside a table', () => {
    const tree: SnapshotNode = {
      name: '',
      path: '/',
      stats: [
        { name: 'arr', kind: 'value', value: [1, '<a>'] },
        { name: 'obj', kind: 'value', value: { list: [1, 2], n: 3 } },
      ],
      children: [],
    };
    const html = renderHtml(tree);
    assert.ok(html.includes('<div class="stat"><a class="key" href="/status/arr">arr</a> <span class="v">[1,&quot;&lt;a&gt;&quot;]</span></div>'));
    assert.ok(
      html.includes(
        '<table class="obj"><tr><th>list</th><td><span class="v">[1,2]</span></td></tr><tr><th>n</th><td><span class="v" data-k=\'["obj","n"]\'>3</span></td></tr></table></div>',
      ),
    );
  });
  it('matches the golden file', () => {
    const html = renderHtml(fixtureTree(), { serverName: 'test-server-1', prefix: '/status/', query: 'a"<b', collapsed: fixtureCollapsed });
    assertGolden('tree.html', html);
  });
  it('escapes every key and value and links collapsed containers', () => {
    const html = renderHtml(fixtureTree(), { serverName: '<srv>', prefix: '/status/', collapsed: fixtureCollapsed });
    assert.ok(!html.includes('<img'), 'no raw img tag');
    assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;'));
    assert.ok(html.includes('<title>&lt;srv&gt; - Status: /</title>'));
    assert.ok(html.includes('<a href="/status/db">db</a>'));
    assert.ok(html.includes('error: gauge failed: &lt;boom&gt;'));
    assert.ok(html.includes('>1,234,567</span>'), 'thousands separators');
    assert.ok(html.includes('>40 ms</span>'), 'timings with units');
    assert.ok(!html.includes('<script>'), 'no script without live');
  });
  it('sorts keys and puts collapsed links last', () => {
    const html = renderHtml(fixtureTree(), { collapsed: fixtureCollapsed });
    const marks = ['"key" href="/status/9lives">9lives<', '"key" href="/status/uptime">uptime<', '"key">web<', '"key">web_api<', '>db</a>'];
    const order = marks.map((k) => html.indexOf(k));
    assert.ok(
      order.every((i) => i > 0),
      String(order),
    );
    assert.deepEqual(
      [...order].sort((a, b) => a - b),
      order,
    );
  });
  it('includes the live script and data attributes when live', () => {
    const html = [...htmlChunks(fixtureTree(), { live: { url: '?format=live', intervalMs: 5000, points: 120 } })].join('');
    assert.ok(html.includes('data-live="?format=live"'));
    assert.ok(html.includes('data-k=\'["web","errors"]\''));
    assert.ok(html.includes('<script>(function liveMain'));
  });
});

describe('value formatting', () => {
  it('formats on the server as the page script does (formatValueFast equals formatValue)', () => {
    const values: unknown[] = [0, -0, 1, -1, 999, 1000, -1000, 12345, 999999, 1000000, -1234567, 2 ** 53, -(2 ** 53), 1e20, 1e21, -1e21, 1e22];
    values.push(0.5, -2.25, 1234.5678, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, null, undefined, 'x', true);
    let seed = 7;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let i = 0; i < 2000; i++) {
      const int = Math.floor(rand() * 10 ** Math.floor(rand() * 22));
      values.push(int, -int, int / 1000);
      // Durations around the ms range (percentiles), and the edges where rounding reaches 1 s.
      values.push(rand() * 10 ** (Math.floor(rand() * 6) - 4), -rand() / 100);
    }
    values.push(0.001, 0.00099996, 0.99996, 0.9999, 0.999949, 999.96, 999.94, -0.5, 1e-3 - 1e-19);
    for (const v of values) {
      for (const f of ['n', 's', 'ms', 'r', 't']) assert.equal(formatValueFast(v, f), formatValue(v, f), `${String(v)} as ${f}`);
    }
  });
  it('formats numbers and durations for reading', () => {
    assert.equal(formatNumber(1234567), '1,234,567');
    assert.equal(formatNumber(-1234.5678), '-1,234.568');
    assert.equal(formatNumber(0.000045), '0.000045');
    assert.equal(formatNumber(Number.NaN), 'NaN');
    assert.equal(formatValue(0.042, 's'), '42 ms');
    assert.equal(formatValue(0.000045, 's'), '45 \u00b5s');
    assert.equal(formatValue(1500, 'ms'), '1.5 s');
    assert.equal(formatValue(3725, 's'), '3,725 s');
    assert.equal(formatValue(null, 's'), '\u2013');
    assert.equal(formatValue(2.5, 'r'), '2.5/s');
    assert.equal(formatValue('x', 't'), 'x');
  });
});

describe('query filter', () => {
  const tree = fixtureTree();
  const json = (q: string): unknown => {
    const r = filterSnapshot(tree, parseQuery(q));
    return r ? toJsonObject(r) : undefined;
  };
  it('keeps branches containing a key', () => {
    assert.deepEqual(json('errors'), { web: { errors: 3 } });
    assert.deepEqual(json('api'), { web: { api: { finished: 42, states: { waiting: 2, running: 1 }, perKey: { x: 4 } } } });
    assert.deepEqual(json('/a'), { web: { byPath: { '/a': 5 } } });
    assert.equal(json('nothing-here'), undefined);
  });
  it('compares numbers numerically', () => {
    assert.deepEqual(json('errors > 2'), { web: { errors: 3 } });
    assert.equal(json('errors > 3'), undefined);
    assert.deepEqual(json('errors >= 3'), { web: { errors: 3 } });
    assert.deepEqual(json('errors = 3'), { web: { errors: 3 } });
    assert.deepEqual(json('errors == 3'), { web: { errors: 3 } });
    assert.equal(json('errors != 3'), undefined);
    assert.deepEqual(json('errors < 10'), { web: { errors: 3 } });
    assert.deepEqual(json('errors <= 3'), { web: { errors: 3 } });
    assert.equal(json('errors > abc'), undefined, 'not a number matches nothing');
    assert.deepEqual(json('finished>10'), { web: { api: { finished: 42 } } });
  });
  it('filters inside pmfs and dicts', () => {
    assert.deepEqual(json('count > 200'), {
      web: { latency: { count: 250, lifetime: { count: 350 } }, hits: { count: 1000 }, hitsByCode: { '200': { count: 900 } } },
    });
    assert.deepEqual(json('idle >= 12'), { web: { state: { idle: 12.5 } } });
  });
  it('compares strings and booleans as text', () => {
    assert.deepEqual(json('db = alice'), { web: { owners: { db: 'alice' } } });
    assert.deepEqual(json('healthy == true'), { web: { healthy: true } });
    assert.equal(json('healthy == false'), undefined);
  });
  it('never orders null (an empty window percentile) against a value', () => {
    assert.deepEqual(json('median > 0.01'), { web: { latency: { median: 0.04 }, byHandler: { home: { median: 0.04 } } } });
    assert.equal(json('median >= 1'), undefined);
    assert.equal(json('min < a'), undefined);
    assert.deepEqual(json('median = null'), { web: { idle: { median: null } } });
    assert.deepEqual(json('median != 0.04'), { web: { idle: { median: null } } });
    assert.equal(json('median != null'), undefined);
  });
  it('keeps collapsed containers as links when they match', () => {
    const r = filterSnapshot(tree, parseQuery('queries'))!;
    assert.equal(r.children[0].path, '/db');
    assert.ok(renderHtml(r, { collapsed: fixtureCollapsed }).includes('href="/status/db"'));
  });
  it('rejects unparsable queries with a typed error', () => {
    for (const q of ['', '   ', '> 3', 'a >', 'a > 1 > 2', 'x'.repeat(1001), 'a == = 1']) {
      assert.throws(
        () => parseQuery(q),
        (e: Error) => e.name === 'QueryError' && e.message.startsWith('invalid query'),
        JSON.stringify(q),
      );
    }
    assert.deepEqual(parseQuery(' count >= 10 '), { key: 'count', op: '>=', value: '10' });
    assert.deepEqual(parseQuery('a!b'), { key: 'a!b' });
  });
});
