// getStats() builds its JSON straight from the cells (no snapshot in between): it must stay the
// JSON of the typed snapshot, container for container, failing and non-finite gauges included.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from '../../src/registry/registry.js';
import { snapshotJson } from '../../src/registry/snapshot.js';
import { intDictStat } from '../../src/stats/int-dict-stat.js';
import { intStat } from '../../src/stats/number-stat.js';
import { pmfStat } from '../../src/stats/pmf-stat.js';
import { stat } from '../../src/stats/value-stat.js';

function tree(): Registry {
  const registry = new Registry();
  const web = registry.collection('/web', intStat('hits'), intDictStat('byCode'), pmfStat('latency'));
  web.hits += 3;
  web.byCode['200'] += 2;
  web.latency.record(0.25);
  registry.collection(
    '/web/gauges',
    stat('broken', (): number => {
      throw new Error('no backend');
    }),
    stat('nan', () => Number.NaN),
    stat('inf', () => -Infinity),
    stat('text', () => 'NaN'),
  );
  registry.collection('/web/hidden', intStat('n')).n = 1;
  registry.collection('/web/hidden/deeper', intStat('m')).m = 2;
  registry.collection('/db', intStat('queries')).queries = 7;
  registry.setCollapsed('/web/hidden');
  return registry;
}

describe('getStats()', () => {
  it('equals the JSON of the snapshot, collapsed containers left out', () => {
    const registry = tree();
    for (const path of ['/', '/web', '/web/gauges', '/db']) {
      const json = registry.getStats(path);
      assert.deepEqual(
        json,
        snapshotJson(registry.snapshot(path)!, (p) => registry.isCollapsed(p)),
        path,
      );
    }
    const all = registry.getStats() as { web: Record<string, unknown> };
    assert.equal('hidden' in all.web, false, 'a collapsed container is not in getStats()');
    assert.deepEqual(all.web.gauges, { broken: { error: 'Error: no backend' }, nan: 'NaN', inf: '-Infinity', text: 'NaN' });
  });
  it('leaves out the containers options.skip names, like the snapshot', () => {
    const registry = tree();
    const skip = (p: string) => p === '/db';
    assert.deepEqual(
      registry.getStats('/', { skip }),
      snapshotJson(registry.snapshot('/', { skip })!, (p) => registry.isCollapsed(p)),
    );
    assert.equal('db' in registry.getStats('/', { skip })!, false);
  });
});
