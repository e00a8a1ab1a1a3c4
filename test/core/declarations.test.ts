import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as scales from 'scales-metrics';

const fresh = (options: scales.RegistryOptions = {}) => new scales.Registry({ clock: new scales.ManualClock(1000), ...options });

/** The description of the stat `name` directly under `path` in a snapshot. */
function descriptionOf(r: scales.Registry, path: string, name: string): scales.StatDescription | undefined {
  const node = r.snapshot(path);
  assert.ok(node, `no container at ${path}`);
  const stat = node.stats.find((s) => s.name === name);
  assert.ok(stat, `no stat ${name} in ${path}`);
  return stat.description;
}

describe('declarations: help, unit, prometheusName', () => {
  test('every declaration function takes them, and the snapshot carries them', () => {
    const r = fresh();
    const opts = (help: string) => ({ help, unit: 'bytes', prometheusName: `x_${help}` });
    r.collection(
      '/d',
      scales.intStat('i', opts('i')),
      scales.doubleStat('d', opts('d')),
      scales.stat('v', 1, opts('v')),
      scales.stat('g', () => 2, opts('g')),
      scales.maxStat('m', opts('m')),
      scales.meterStat('me', opts('me')),
      scales.sumAggregationStat('sa', opts('sa')),
      scales.intDictStat('id', opts('id')),
      scales.stringDictStat('sd', opts('sd')),
      scales.meterDictStat('md', opts('md')),
      scales.intDictSumAggregationStat('ida', opts('ida')),
      scales.histogramAggregationStat('ha', opts('ha')),
      scales.stateTimeStat('st', opts('st')),
    );
    for (const name of ['i', 'd', 'v', 'g', 'm', 'me', 'sa']) {
      assert.deepEqual(descriptionOf(r, '/d', name), { help: name, unit: 'bytes', prometheusName: `x_${name}` });
    }
    for (const name of ['id', 'sd', 'md', 'ida', 'ha']) {
      assert.deepEqual(descriptionOf(r, '/d', name), { help: name, unit: 'bytes', labels: ['key'], prometheusName: `x_${name}` });
    }
    assert.deepEqual(descriptionOf(r, '/d', 'st'), { help: 'st', unit: 'bytes', labels: ['state'], prometheusName: 'x_st' });
  });

  test('nothing declared: no description on an unkeyed stat; a pmf always has its unit', () => {
    const r = fresh();
    r.collection('/d', scales.intStat('i'), scales.pmfStat('p'), scales.pmfStat('q', { unit: 'ms', help: 'Query time' }));
    assert.equal(descriptionOf(r, '/d', 'i'), undefined);
    assert.equal('description' in (r.snapshot('/d')?.stats[0] ?? {}), false);
    assert.deepEqual(descriptionOf(r, '/d', 'p'), { unit: 's' });
    assert.deepEqual(descriptionOf(r, '/d', 'q'), { help: 'Query time', unit: 'ms' });
  });

  test('a wrong option is a TypeError naming the stat, at declaration', () => {
    assert.throws(() => scales.intStat('errors', { help: 42 as unknown as string }), /stat "errors": help must be a non-empty string/);
    assert.throws(() => scales.intStat('errors', { unit: '' }), /stat "errors": unit must be a non-empty string/);
    assert.throws(
      () => scales.intStat('errors', { prometheusName: 'my-errors' }),
      /stat "errors": prometheusName "my-errors" is not a Prometheus metric name/,
    );
  });
});
