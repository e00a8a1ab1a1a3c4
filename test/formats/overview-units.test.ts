// The status page's overview reads the request stats as declared with labels and units: the
// requests of a labelled dict summed over every combination, the p99 of a latency in 'us'
// converted to seconds like one in 'ms'.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { overviewFigures } from '../../src/formats/overview.js';
import { ManualClock } from '../../src/sampling/clock.js';
import { Registry } from '../../src/registry/registry.js';
import { intDictStat } from '../../src/stats/int-dict-stat.js';
import { namedPmfDictStat } from '../../src/stats/named-pmf-dict-stat.js';

test('overview figures of labelled request stats in us', () => {
  for (const [unit, value, seconds] of [
    ['us', 2500, 0.0025],
    ['ns', 2_500_000, 0.0025],
    ['ms', 2.5, 0.0025],
  ] as const) {
    const r = new Registry({ clock: new ManualClock(1000) });
    const S = r.collection(
      '/http',
      intDictStat('requests', { labels: ['method', 'route', 'status'] }),
      namedPmfDictStat('latency', { labels: ['method', 'route'], unit }),
    );
    S.$.requests.inc({ method: 'GET', route: '/a', status: 200 }, 3);
    S.$.requests.labels('POST', '/b', 500).inc(2);
    S.$.latency.record({ method: 'GET', route: '/a' }, value);
    S.$.latency.record({ method: 'GET', route: '/b' }, value / 10);
    const figures = new Map(overviewFigures(r.snapshot('/')!).map(([f, v]) => [f.id, v]));
    assert.equal(figures.get('requests'), 5, unit);
    const p99 = figures.get('p99');
    assert.ok(p99 !== null && p99 !== undefined && Math.abs(p99 - seconds) <= seconds * 0.011, `${unit}: ${p99}`);
  }
});
