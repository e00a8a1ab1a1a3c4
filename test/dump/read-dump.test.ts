// The one dump reader: dumps with kinds rebuild the typed model exactly; dumps without kinds
// (older files, bare trees, Python dumps) have their kinds inferred once, there.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from '../../src/registry/registry.js';
import { buildDump } from '../../src/dump/dump-file.js';
import { DumpReadError, isDumpFile, readDump } from '../../src/dump/read-dump.js';
import { intDictStat, intStat, meterStat, pmfStat } from '../../src/registry/catalogue.js';
import { renderPrometheus } from '../../src/formats/prometheus.js';
import type { JsonValue } from '../../src/core/snapshot.js';

function registryWithEveryShape(): Registry {
  const registry = new Registry();
  const s = registry.collection('/web', intStat('errors'), intDictStat('byCode'), pmfStat('latency'), meterStat('hits'));
  s.errors = 2;
  s.$.byCode.inc('200', 5);
  s.latency.record(0.25);
  s.hits.mark(3);
  return registry;
}

describe('readDump', () => {
  it('a dump with kinds reads back as the same typed snapshot the registry gives', () => {
    const registry = registryWithEveryShape();
    const dump = JSON.parse(JSON.stringify(buildDump({ source: registry, serverName: 'w' }))) as JsonValue;
    const read = readDump(dump, 'dump.json');
    assert.equal(read.isDump, true);
    assert.equal(read.header.serverName, 'w');
    assert.equal(read.header.stats, undefined, 'the header holds no tree');
    const web = read.node.children.find((c) => c.name === 'web')!;
    assert.deepEqual(
      web.stats.map((s) => [s.name, s.kind]),
      [
        ['errors', 'int'],
        ['byCode', 'intDict'],
        ['latency', 'pmf'],
        ['hits', 'meter'],
      ],
    );
    // The same model feeds the same outputs: Prometheus of the dump is Prometheus of the registry
    // (but for the pmf and meter figures that move with time, equal here under one reading).
    assert.equal(
      renderPrometheus(read.node)
        .split('\n')
        .filter((l) => l.startsWith('web_by_code'))
        .join('\n'),
      'web_by_code_total{key="200"} 5',
    );
    // A dump holds no lifetime buckets: its pmfs are summaries (names from the kept descriptions).
    assert.match(renderPrometheus(read.node), /^# TYPE web_latency_seconds summary$/m);
  });

  it('a dump without kinds (an older file) has them inferred: dicts become containers, pmfs and meters by shape', () => {
    const registry = registryWithEveryShape();
    const { kinds: _kinds, ...old } = buildDump({ source: registry }) as unknown as Record<string, JsonValue>;
    const read = readDump(JSON.parse(JSON.stringify(old)) as JsonValue, 'old.json');
    assert.equal(read.kinds, undefined);
    const web = read.node.children.find((c) => c.name === 'web')!;
    assert.deepEqual(
      web.stats.map((s) => [s.name, s.kind]),
      [
        ['errors', 'value'],
        ['latency', 'pmf'],
        ['hits', 'meter'],
      ],
    );
    assert.deepEqual(
      web.children.map((c) => c.path),
      ['/web/byCode'],
    );
  });

  it('reads bare trees (a Python dump: last-updated taken out) and stats whose reading failed', () => {
    const read = readDump({ 'last-updated': 1700000000.5, web: { hits: 10, broken: { error: 'Error: x' } } }, 'py.json');
    assert.equal(read.isDump, false);
    assert.equal(read.lastUpdated, 1700000000.5);
    assert.deepEqual(read.stats, { web: { hits: 10, broken: { error: 'Error: x' } } });
    assert.deepEqual(read.node.children[0].stats, [
      { name: 'hits', kind: 'value', value: 10 },
      { name: 'broken', kind: 'value', value: null, error: 'Error: x' },
    ]);
  });

  it('recognizes dump files in one place, and names what is wrong', () => {
    assert.equal(isDumpFile({ format: 'scales-metrics-dump', stats: {} }), true);
    assert.equal(isDumpFile({ format: 'other-tool', stats: { a: 1 } }), true);
    assert.equal(isDumpFile({ format: 'x', a: 1 }), false);
    assert.throws(
      () => readDump({ format: 'scales-metrics-dump' }, 'f.json'),
      (e: unknown) => e instanceof DumpReadError && /f\.json: the dump has no "stats" object/.test(e.message),
    );
    assert.throws(() => readDump([1, 2], 'list.json'), /list\.json does not hold a stat tree/);
  });

  it('a kind this version does not know reads as a plain value', () => {
    const read = readDump({ format: 'scales-metrics-dump', stats: { a: 3 }, kinds: { '/a': 'fromTheFuture' } }, 'f.json');
    assert.deepEqual(read.node.stats, [{ name: 'a', kind: 'value', value: 3 }]);
  });
});
