// A small, real stat tree (every common kind) in its own registry, as an app would build it.
import * as scales from 'scales-metrics';

/** Builds /web (counter, pmf, meter, intDict, a failing gauge), /web/api, collapsed /db. */
export function appRegistry(clock: scales.Clock = new scales.ManualClock(1000)) {
  const registry = new scales.Registry({ clock });
  const web = registry.collection(
    '/web',
    scales.intStat('success'),
    scales.intStat('errors'),
    scales.pmfStat('latency'),
    scales.meterStat('hits'),
    scales.intDictStat('byPath'),
    scales.stat('broken', () => {
      throw new Error('gauge <failed>');
    }),
  );
  const api = registry.collection('/web/api', scales.intStat('calls'));
  const db = registry.collection('/db', scales.intStat('queries'));
  registry.setCollapsed('/db', true);
  web.success += 5;
  web.errors += 2;
  web.byPath['/a'] += 3;
  web.byPath['/b'] += 1;
  for (const ms of [10, 20, 30, 40, 50]) web.latency.record(ms / 1000);
  web.hits.mark(7);
  api.calls += 1;
  db.queries += 9;
  return { registry, web, api, db, clock };
}
