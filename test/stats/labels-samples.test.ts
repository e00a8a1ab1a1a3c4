// The samples of labelled dicts (what Prometheus, Graphite and the page iterate): every sample
// carries every label, in label order, its field the path down the nested value.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ManualClock } from '../../src/sampling/clock.js';
import { Registry } from '../../src/registry/registry.js';
import { kindOf } from '../../src/registry/snapshot.js';
import { intDictStat } from '../../src/stats/int-dict-stat.js';
import { meterDictStat } from '../../src/stats/meter-dict-stat.js';
import { namedPmfDictStat } from '../../src/stats/named-pmf-dict-stat.js';

describe('samples of labelled dicts', () => {
  test('intDict: one sample per combination with all its labels; a one-label dict uses its name', () => {
    const r = new Registry({ clock: new ManualClock(1000) });
    const S = r.collection(
      '/http',
      intDictStat('requests', { labels: ['method', 'route', 'status'] }),
      intDictStat('byRoute', { labels: ['route'] }),
      intDictStat('plain'),
    );
    S.$.requests.inc({ method: 'GET', route: '/a', status: 200 }, 3);
    S.$.requests.inc({ method: 'POST', route: '/b', status: 500 });
    S.$.byRoute.inc('/a');
    S.$.plain.inc('k');
    const [requests, byRoute, plain] = r.snapshot('/http')!.stats;
    const samples = kindOf(requests!).samples(requests!.value, requests!);
    assert.deepEqual(
      samples.map((s) => [s.field, s.labels, s.value]),
      [
        [
          ['GET', '/a', '200'],
          [
            ['method', 'GET'],
            ['route', '/a'],
            ['status', '200'],
          ],
          3,
        ],
        [
          ['POST', '/b', '500'],
          [
            ['method', 'POST'],
            ['route', '/b'],
            ['status', '500'],
          ],
          1,
        ],
      ],
    );
    assert.deepEqual(kindOf(byRoute!).samples(byRoute!.value, byRoute!)[0]?.labels, [['route', '/a']]);
    assert.deepEqual(kindOf(plain!).samples(plain!.value, plain!)[0]?.labels, [['key', 'k']]);
  });

  test('meterDict and namedPmfDict: the samples of each combination share its labels', () => {
    const r = new Registry({ clock: new ManualClock(1000) });
    const S = r.collection(
      '/http',
      meterDictStat('hits', { labels: ['method', 'route'] }),
      namedPmfDictStat('latency', { labels: ['method', 'route'] }),
    );
    S.$.hits.mark({ method: 'GET', route: '/a' });
    S.$.latency.record({ method: 'GET', route: '/a' }, 0.5);
    for (const stat of r.snapshot('/http')!.stats) {
      const samples = kindOf(stat).samples(stat.value, stat);
      assert.ok(samples.length > 1, stat.name);
      assert.ok(samples.some((s) => s.labels !== null));
      for (const s of samples) {
        // null: a figure no metric family of the kind expresses (Prometheus skips it)
        if (s.labels !== null)
          assert.deepEqual(
            s.labels.slice(0, 2),
            [
              ['method', 'GET'],
              ['route', '/a'],
            ],
            stat.name,
          );
        assert.deepEqual(s.field?.slice(0, 2), ['GET', '/a'], stat.name);
      }
    }
  });
});
