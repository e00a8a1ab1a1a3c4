// A fixed, hand-built snapshot with every stat kind and some hostile names, for golden files.
import type { PmfSnapshot } from '../../src/core/snapshot.js';
import { filterSnapshot, parseQuery } from '../../src/formats/query.js';
import type { SnapshotNode } from '../../src/registry/snapshot.js';

/** The names of the stats a filter query keeps of `tree`, in tree order (the query tests' check). */
export function namesMatching(tree: SnapshotNode, q: string): string[] {
  const out: string[] = [];
  const walk = (n: SnapshotNode | undefined) => {
    if (!n) return;
    for (const s of n.stats) out.push(s.name);
    n.children.forEach(walk);
  };
  walk(filterSnapshot(tree, parseQuery(q)));
  return out;
}

function pmf(count: number, unit = 's'): PmfSnapshot {
  if (count === 0) {
    return {
      count: 0,
      min: null,
      max: null,
      mean: null,
      stddev: null,
      median: null,
      '75percentile': null,
      '95percentile': null,
      '98percentile': null,
      '99percentile': null,
      '999percentile': null,
      unit,
      windowSeconds: 300,
      schema: 6,
      relativeError: 0.0054,
      lifetime: { count: 12, sum: 3.5, min: 0.01, max: 1.2, mean: 0.2916, stddev: 0.31 },
    };
  }
  return {
    count,
    min: 0.0021,
    max: 1.25,
    mean: 0.0425,
    stddev: 0.013,
    median: 0.04,
    '75percentile': 0.051,
    '95percentile': 0.09,
    '98percentile': 0.2,
    '99percentile': 0.35,
    '999percentile': 1.2,
    unit,
    windowSeconds: 300,
    schema: 6,
    relativeError: 0.0054,
    lifetime: { count: count + 100, sum: 61.25, min: 0.000045, max: 2.5, mean: 0.0511, stddev: 0.02 },
  };
}

/** The containers the fixture shows collapsed (a render option): /db. */
export const fixtureCollapsed = (path: string): boolean => path === '/db';

/** The fixture tree: /web (all kinds), /web/api (child), /db (collapsed with fixtureCollapsed), hostile names. */
export function fixtureTree(): SnapshotNode {
  return {
    name: '',
    path: '/',
    stats: [
      { name: 'uptime', kind: 'value', value: 3600.5 },
      { name: '9lives', kind: 'int', value: 9 },
    ],
    children: [
      {
        name: 'web',
        path: '/web',
        stats: [
          { name: 'success', kind: 'int', value: 1234567 },
          { name: 'errors', kind: 'int', value: 3 },
          { name: 'load', kind: 'double', value: 0.000045 },
          { name: 'version', kind: 'value', value: '1.2.3 "beta"' },
          { name: 'healthy', kind: 'value', value: true },
          { name: 'broken', kind: 'value', value: null, error: 'gauge failed: <boom>' },
          { name: 'byPath', kind: 'intDict', value: { '/a': 5, '/b?x="1"\\n': 2 } },
          { name: 'owners', kind: 'stringDict', value: { db: 'alice', cache: 'bob\nsmith' } },
          { name: 'latency', kind: 'pmf', value: pmf(250) },
          { name: 'idle', kind: 'pmf', value: pmf(0, 'ms') },
          {
            name: 'byHandler',
            kind: 'namedPmfDict',
            value: { home: pmf(10) },
          },
          { name: 'hits', kind: 'meter', value: { count: 1000, m1: 2.5, m5: 2.25, m15: 2.125, mean: 2.2, unit: 'per second' } },
          {
            name: 'hitsByCode',
            kind: 'meterDict',
            value: { '200': { count: 900, m1: 2, m5: 2, m15: 2, mean: 2, unit: 'per second' } },
          },
          // collides with the rate family of `hits`: left out of Prometheus
          { name: 'hits_rate', kind: 'int', value: 11 },
          { name: 'state', kind: 'stateTime', value: { idle: 12.5, busy: 3.25 } },
          { name: '<img src=x onerror=alert(1)>', kind: 'int', value: 7 },
        ],
        children: [
          {
            name: 'api',
            path: '/web/api',
            stats: [
              { name: 'finished', kind: 'sumAggregation', value: 42 },
              { name: 'states', kind: 'histogramAggregation', value: { waiting: 2, running: 1 } },
              { name: 'perKey', kind: 'intDictSumAggregation', value: { x: 4 } },
            ],
            children: [],
          },
        ],
      },
      // /web_api/finished maps to the same name as /web/api/finished: left out of Prometheus
      {
        name: 'web_api',
        path: '/web_api',
        stats: [{ name: 'finished', kind: 'int', value: 1 }],
        children: [],
      },
      {
        name: 'db',
        path: '/db',
        stats: [{ name: 'queries', kind: 'int', value: 77 }],
        children: [],
      },
    ],
  };
}
