// Properties over random trees with hostile names and keys: the JSON renderer equals
// JSON.stringify, the Prometheus exposition always parses, has unique series and families,
// and its label values read back to the original keys.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import '../helpers/fast-check-seed.js';
import type { PmfSnapshot } from '../../src/core/snapshot.js';
import type { SnapshotNode, SnapshotStat } from '../../src/registry/snapshot.js';
import { escapeHtml, renderHtml } from '../../src/formats/html.js';
import { renderJson, toJsonObject } from '../../src/formats/json.js';
import { renderPrometheus } from '../../src/formats/prometheus.js';

const name = fc.oneof(fc.string({ minLength: 1, maxLength: 8 }), fc.constantFrom('a', 'a_b', 'a-b', '9', '__proto__', 'x"y', 'é', 'total'));
const num = fc.oneof(fc.integer(), fc.double({ noNaN: false }), fc.constantFrom(0, -0, 1e-300, 1e21));
const dict = fc.dictionary(name, fc.integer(), { maxKeys: 4 });
const pmf = fc.record({
  count: fc.nat(),
  median: fc.option(num, { nil: null }),
  '99percentile': fc.option(num, { nil: null }),
  unit: fc.constant('s'),
  lifetime: fc.record({ count: fc.nat(), sum: num }),
});
const meter = fc.record({ count: fc.nat(), m1: num, m5: num, m15: num, mean: num, unit: fc.constant('per second') });

const stat: fc.Arbitrary<SnapshotStat> = fc.oneof(
  fc.record({ name, kind: fc.constant('int' as const), value: num }),
  fc.record({ name, kind: fc.constant('value' as const), value: fc.oneof(fc.string(), fc.boolean(), num, fc.constant(null)) }),
  fc.record({ name, kind: fc.constant('intDict' as const), value: dict }),
  fc.record({ name, kind: fc.constant('stringDict' as const), value: fc.dictionary(name, fc.string(), { maxKeys: 3 }) }),
  // Partial pmfs on purpose (a filtered snapshot holds them): outputs read a pmf key by key.
  fc.record({ name, kind: fc.constant('pmf' as const), value: pmf as unknown as fc.Arbitrary<PmfSnapshot> }),
  fc.record({ name, kind: fc.constant('meter' as const), value: meter }),
  fc.record({ name, kind: fc.constant('stateTime' as const), value: dict }),
);

function uniqueByName<T extends { name: string }>(xs: T[]): T[] {
  const seen = new Set<string>();
  return xs.filter((x) => !seen.has(x.name) && seen.add(x.name));
}

function nodeArb(depth: number): fc.Arbitrary<SnapshotNode> {
  return fc
    .record({
      name,
      stats: fc.array(stat, { maxLength: 4 }),
      children: depth > 0 ? fc.array(nodeArb(depth - 1), { maxLength: 2 }) : fc.constant([] as SnapshotNode[]),
    })
    .map((n) => ({ ...n, path: '', stats: uniqueByName(n.stats), children: uniqueByName(n.children) }));
}

const tree: fc.Arbitrary<SnapshotNode> = nodeArb(3).map((root) => withPaths({ ...root, name: '' }, ''));

/** Gives every node its path and drops child names that clash with a stat name. */
function withPaths(n: SnapshotNode, parent: string): SnapshotNode {
  const path = n.name === '' ? '/' : `${parent === '/' ? '' : parent}/${n.name}`;
  const statNames = new Set(n.stats.map((s) => s.name));
  const children = n.children.filter((c) => !statNames.has(c.name) && !c.name.includes('/')).map((c) => withPaths(c, path));
  return { ...n, path, stats: n.stats.filter((s) => !s.name.includes('/')), children };
}

const LINE = /^([a-zA-Z_][a-zA-Z0-9_]*)(\{(.*)\})? (NaN|[+-]Inf|-?[0-9][0-9.e+-]*)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)/y;

function parseLabels(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  LABEL.lastIndex = 0;
  while (LABEL.lastIndex < text.length) {
    const m = LABEL.exec(text);
    assert.ok(m, `bad labels: ${text}`);
    assert.ok(!(m[1] in out), `duplicate label ${m[1]}`);
    out[m[1]] = m[2].replace(/\\(.)/g, (_, c) => (c === 'n' ? '\n' : c));
  }
  return out;
}

describe('format properties', () => {
  it('renderJson equals JSON.stringify of the plain tree, plain and pretty', () => {
    fc.assert(
      fc.property(tree, (t) => {
        // Some containers collapsed (a render option): those whose name ends in 'a'.
        const collapsed = (p: string) => p.endsWith('a');
        for (const options of [{}, { collapsed }]) {
          const obj = toJsonObject(t, options);
          assert.equal(renderJson(t, options), JSON.stringify(obj));
          assert.equal(renderJson(t, { ...options, pretty: true }), JSON.stringify(obj, null, 2));
        }
      }),
      { numRuns: 200 },
    );
  });

  for (const openMetrics of [false, true]) {
    it(`the exposition always parses, with unique families and series (openMetrics=${openMetrics})`, () => {
      fc.assert(
        fc.property(tree, (t) => {
          const text = renderPrometheus(t, { openMetrics });
          const lines = text.split('\n');
          assert.equal(lines.pop(), '', 'ends with a newline');
          if (openMetrics) assert.equal(lines.pop(), '# EOF');
          const types = new Set<string>();
          const series = new Set<string>();
          for (const l of lines) {
            if (l.startsWith('# TYPE ')) {
              const fam = l.split(' ')[2];
              assert.ok(!types.has(fam), `duplicate TYPE ${fam}`);
              types.add(fam);
              continue;
            }
            if (l.startsWith('# HELP ')) continue;
            const m = LINE.exec(l);
            assert.ok(m, `bad line: ${JSON.stringify(l)}`);
            const labels = m[3] ? parseLabels(m[3]) : {};
            const key = m[1] + JSON.stringify(Object.entries(labels).sort());
            assert.ok(!series.has(key), `duplicate series ${key}`);
            series.add(key);
          }
        }),
        { numRuns: 200 },
      );
    });
  }

  it('dict keys come back intact from the label values', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.integer(), { minKeys: 1, maxKeys: 5 }), (d) => {
        const t: SnapshotNode = { name: '', path: '/', stats: [{ name: 'd', kind: 'intDict', value: d }], children: [] };
        // A Map: a key named __proto__ must not land on an object's prototype.
        const got = new Map<string, number>();
        for (const l of renderPrometheus(t).split('\n')) {
          const m = LINE.exec(l);
          if (m) got.set(parseLabels(m[3]).key, Number(m[4]));
        }
        assert.deepEqual(got, new Map(Object.entries(d)));
      }),
    );
  });

  it('the HTML page never contains a raw tag from a name, key or value', () => {
    fc.assert(
      fc.property(tree, (t) => {
        const html = renderHtml(t, { serverName: '<s>' });
        const body = html.slice(html.indexOf('<body'));
        const tags = new Set(body.match(/<[a-z][a-z0-9]*/g));
        for (const tag of tags)
          assert.ok(
            [
              '<body',
              '<header',
              '<main',
              '<details',
              '<summary',
              '<small',
              '<i',
              '<h1',
              '<h3',
              '<nav',
              '<a',
              '<form',
              '<label',
              '<input',
              '<button',
              '<div',
              '<span',
              '<table',
              '<tr',
              '<th',
              '<td',
              '<p',
            ].includes(tag),
            tag,
          );
        assert.equal(escapeHtml('<a href="x">\'&'), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;');
      }),
      { numRuns: 200 },
    );
  });
});
