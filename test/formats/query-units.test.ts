// The filter in display units: `99percentile > 50ms` compares with the pmf's unit converted,
// `heapUsedBytes > 200MB` with bytes, `utilization > 50%` with a ratio; a unit never matches a
// leaf of another dimension.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseQuery } from '../../src/formats/query.js';
import type { SnapshotNode } from '../../src/registry/snapshot.js';
import { namesMatching } from './fixture-tree.js';

const pmf = (p99: number, unit: 's' | 'ms') => ({
  count: 10,
  min: p99 / 10,
  max: p99,
  mean: p99 / 2,
  stddev: 0,
  median: p99 / 2,
  '75percentile': p99 / 2,
  '95percentile': p99,
  '98percentile': p99,
  '99percentile': p99,
  '999percentile': p99,
  unit,
  windowSeconds: 300,
  schema: 6,
  relativeError: 0.0054,
  lifetime: { count: 10, sum: 1, min: 0, max: p99, mean: 0.1, stddev: 0 },
});

const tree: SnapshotNode = {
  name: '',
  path: '/',
  stats: [{ name: 'count99', kind: 'int', value: 99 }],
  children: [
    {
      name: 'web',
      path: '/web',
      stats: [
        { name: 'slow', kind: 'pmf', value: pmf(0.199, 's') },
        { name: 'fast', kind: 'pmf', value: pmf(0.02, 's') },
        { name: 'slowMs', kind: 'pmf', value: pmf(120, 'ms') },
        { name: 'lagSeconds', kind: 'value', value: 0.07 },
      ],
      children: [],
    },
    {
      name: 'memory',
      path: '/memory',
      stats: [
        { name: 'heapUsedBytes', kind: 'value', value: 250e6 },
        { name: 'rssBytes', kind: 'value', value: 150e6 },
        { name: 'utilization', kind: 'value', value: 0.7 },
      ],
      children: [],
    },
  ],
};

const names = (q: string): string[] => namesMatching(tree, q);

describe('query with units', () => {
  it('compares durations in the unit the page shows (pmfs in s or ms, ...Seconds leaves)', () => {
    assert.deepEqual(names('99percentile > 50ms'), ['slow', 'slowMs']);
    assert.deepEqual(names('99percentile > 0.15s'), ['slow']);
    assert.deepEqual(names('99percentile <= 20ms'), ['fast']);
    assert.deepEqual(names('lagSeconds > 50ms'), ['lagSeconds']);
    assert.deepEqual(names('lagSeconds > 80000us'), []);
  });
  it('compares sizes in bytes (powers of 1000 and of 1024), ratios in percent', () => {
    assert.deepEqual(names('heapUsedBytes > 200MB'), ['heapUsedBytes']);
    assert.deepEqual(names('heapUsedBytes > 240MiB'), []);
    assert.deepEqual(names('rssBytes < 1GB'), ['rssBytes']);
    assert.deepEqual(names('utilization > 50%'), ['utilization']);
  });
  it('never matches a leaf of another dimension, and keeps plain numbers as before', () => {
    assert.deepEqual(names('count > 5ms'), [], 'a count is not a duration');
    assert.deepEqual(names('heapUsedBytes > 1s'), []);
    assert.deepEqual(names('count99 > 50'), ['count99']);
    assert.deepEqual(parseQuery('a > 50ms').measure, { value: 0.05, dimension: 'time' });
    assert.equal(parseQuery('version = 1.2.3').measure, undefined);
  });
});
