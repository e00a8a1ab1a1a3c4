// A kind added with nothing but its own file (src/stats/max-stat.ts) and its catalogue line shows
// in every output: the typed snapshot, JSON, Prometheus, Graphite, the HTML page and the CLI tree.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PLAIN_PALETTE } from '../../src/cli/colors.js';
import { renderSnapshotTree } from '../../src/cli/render-tree.js';
import { Registry } from '../../src/registry/registry.js';
import { renderHtml } from '../../src/formats/html.js';
import { renderPrometheus } from '../../src/formats/prometheus.js';
import { runToEnd as runWalk } from '../../src/core/slices.js';
import { walkSnapshot } from '../../src/graphite/collect.js';
import { GraphiteRules } from '../../src/graphite/rules.js';
import { intDictStat, meterStat, pmfStat } from '../../src/registry/catalogue.js';
import type { KindOutputs } from '../../src/core/samples.js';
import { maxStat } from '../../src/stats/max-stat.js';

describe('maxStat, a kind made of one file and one catalogue line', () => {
  const registry = new Registry();
  const STATS = registry.collection('/queue', maxStat('peak'), maxStat('never'));
  STATS.peak = 3;
  STATS.$.peak.record(7);
  STATS.peak = 5;

  it('keeps the largest value, typed in the snapshot', () => {
    const stat = registry.snapshot('/queue')!.stats[0];
    assert.equal(stat.kind, 'max');
    if (stat.kind === 'max' && stat.error === undefined) {
      const v: number | null = stat.value; // typed by the catalogue: no cast
      assert.equal(v, 7);
    }
    assert.equal(STATS.peak, 7);
  });

  it('the typed snapshot narrows by kind for every kind, without casts', () => {
    const r = new Registry();
    const s = r.collection('/t', pmfStat('lat'), meterStat('hits'), intDictStat('codes'));
    s.lat.record(0.5);
    s.$.codes.inc('200');
    const seen: string[] = [];
    for (const stat of r.snapshot('/t')!.stats) {
      if (stat.error !== undefined) continue;
      if (stat.kind === 'pmf') seen.push(`p50=${stat.value.median} unit=${stat.value.unit}`);
      else if (stat.kind === 'meter') seen.push(`count=${stat.value.count}`);
      else if (stat.kind === 'intDict') seen.push(`200=${stat.value['200']}`);
    }
    assert.equal(seen.length, 3);
    assert.equal(seen[1], 'count=0');
    assert.equal(seen[2], '200=1');
  });

  it('a kind can only yield the sample types and families every output handles (else: compile error)', () => {
    const bad: KindOutputs<number> = {
      // @ts-expect-error 'histogram' is no sample type: no output would know what to do with it
      samples: (v) => [{ type: 'histogram', field: [], labels: [], value: v }],
      // @ts-expect-error nor a metric family
      family: () => 'histogram',
      display: { format: () => 'n' },
    };
    assert.equal(typeof bad.samples, 'function');
  });

  it('shows in JSON', () => {
    assert.deepEqual(registry.getStats(), { queue: { peak: 7, never: null } });
  });

  it('shows in Prometheus as a gauge (nothing for the stat never given a value)', () => {
    const text = renderPrometheus(registry.snapshot()!);
    assert.equal(text, '# HELP queue_peak /queue/peak\n# TYPE queue_peak gauge\nqueue_peak 7\n');
  });

  it('shows in Graphite collect as a gauge', () => {
    const out = runWalk(walkSnapshot(registry.snapshot()!, new GraphiteRules().allow('*'), 'p.'));
    assert.deepEqual(out.names, ['p.queue.peak']);
    assert.deepEqual(out.values, [7]);
    assert.deepEqual(out.counters, [null]);
  });

  it('shows on the HTML page', () => {
    const html = renderHtml(registry.snapshot()!);
    assert.match(html, /<a class="key" href="\/status\/queue\/peak">peak<\/a> <span class="v" data-k='\["queue","peak"\]'>7<\/span>/);
  });

  it('shows in the CLI tree', () => {
    const lines = renderSnapshotTree(registry.snapshot()!, PLAIN_PALETTE);
    assert.deepEqual(lines, ['queue/', '  peak   7', '  never  null']);
  });
});
