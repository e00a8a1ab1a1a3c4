// What a filter key matches: a glob with `*`, else the exact name when the tree has it, else the
// percentile aliases (p99), else names with a word starting with the key, any case; and what
// the page is told about it (the names matched, or that nothing matched).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeMatch, filterSnapshot, matchKey, parseQuery } from '../../src/formats/query.js';
import type { SnapshotNode } from '../../src/registry/snapshot.js';
import { namesMatching } from './fixture-tree.js';

const tree: SnapshotNode = {
  name: '',
  path: '/',
  stats: [],
  children: [
    {
      name: 'process',
      path: '/process',
      stats: [],
      children: [
        {
          name: 'memory',
          path: '/process/memory',
          stats: [
            { name: 'heapUsedBytes', kind: 'value', value: 250e6 },
            { name: 'heapTotalBytes', kind: 'value', value: 300e6 },
            { name: 'rssBytes', kind: 'value', value: 400e6 },
            { name: 'cheapCount', kind: 'int', value: 7 },
          ],
          children: [],
        },
      ],
    },
    {
      name: 'http',
      path: '/http',
      stats: [
        { name: 'requestErrors', kind: 'int', value: 3 },
        { name: 'requests', kind: 'value', value: { GET: { '/a': { '200': 5, '500': 2 } } } },
        {
          name: 'latency',
          kind: 'value',
          value: {
            GET: {
              '/a': { count: 3, '99percentile': 0.3, median: 0.01, unit: 's' },
              '/b': { count: 3, '99percentile': 0.02, median: 0.01, unit: 's' },
            },
          },
        },
      ],
      children: [],
    },
  ],
};

const names = (q: string): string[] => namesMatching(tree, q);

describe('query keys', () => {
  it('matches names with a word starting with the key when no name is the key (heap > 200MB)', () => {
    const m = matchKey(tree, 'heap');
    assert.equal(m.how, 'words');
    assert.deepEqual(m.names, ['heapTotalBytes', 'heapUsedBytes'], 'not cheapCount: "heap" is not the start of a word there');
    assert.deepEqual(names('heap > 200MB'), ['heapUsedBytes', 'heapTotalBytes']);
    assert.deepEqual(names('heap > 260MB'), ['heapTotalBytes']);
    assert.deepEqual(names('HEAP'), ['heapUsedBytes', 'heapTotalBytes'], 'any case');
    assert.deepEqual(matchKey(tree, 'used').names, ['heapUsedBytes'], 'a word inside the name');
    assert.deepEqual(matchKey(tree, 'heap used').names, ['heapUsedBytes'], 'over two words, spaces ignored');
    assert.deepEqual(matchKey(tree, 'heapused').names, ['heapUsedBytes']);
    assert.deepEqual(matchKey(tree, 'error').names, ['requestErrors']);
    assert.equal(matchKey(tree, 'eap').how, 'none', 'not inside a word');
  });
  it('keeps the exact name when the tree has it (the original semantics)', () => {
    const m = matchKey(tree, 'requests');
    assert.equal(m.how, 'exact');
    assert.deepEqual(names('requests'), ['requests'], 'not requestErrors');
    assert.deepEqual(names('heapUsedBytes > 200MB'), ['heapUsedBytes']);
    assert.equal(describeMatch(parseQuery('requests'), m), undefined, 'nothing to explain');
  });
  it('reads p50/p99/p999 as the percentile fields the page shows them as', () => {
    assert.equal(matchKey(tree, 'p99').how, 'alias');
    const kept = filterSnapshot(tree, parseQuery('p99 > 0.1'))!;
    assert.deepEqual(kept.children[0].stats[0].value, { GET: { '/a': { '99percentile': 0.3 } } });
    assert.deepEqual(names('p50 = 0.01'), ['latency']);
    assert.equal(describeMatch(parseQuery('p99 > 1s'), matchKey(tree, 'p99')), '"p99" is 99percentile');
  });
  it('takes a * glob over the whole name, any case', () => {
    assert.deepEqual(matchKey(tree, '*bytes').names, ['heapTotalBytes', 'heapUsedBytes', 'rssBytes']);
    assert.deepEqual(names('*Bytes > 350MB'), ['rssBytes']);
    assert.deepEqual(matchKey(tree, '*eap*').names, ['cheapCount', 'heapTotalBytes', 'heapUsedBytes']);
    assert.deepEqual(matchKey(tree, '5*').names, ['500'], 'dict keys are names too');
    assert.equal(matchKey(tree, 'a.b*').how, 'none', 'other characters are literal');
  });
  it('says what matched, and that an unknown key matched nothing', () => {
    assert.equal(
      describeMatch(parseQuery('heap > 200MB'), matchKey(tree, 'heap')),
      'nothing is named "heap": it matched heapTotalBytes, heapUsedBytes (names with a word starting with it, any case)',
    );
    const none = matchKey(tree, 'nosuch');
    assert.equal(none.how, 'none');
    assert.equal(filterSnapshot(tree, parseQuery('nosuch'), none), undefined);
    assert.match(describeMatch(parseQuery('nosuch > 1'), none)!, /^nothing is named "nosuch" or has a word starting with it/);
    assert.equal(describeMatch(parseQuery('x*'), matchKey(tree, 'x*')), 'no name matches the glob "x*"');
  });
  it('lists at most 12 names and counts the rest', () => {
    const many: SnapshotNode = {
      name: '',
      path: '/',
      stats: Array.from({ length: 20 }, (_, i) => ({ name: `queue${i}Depth`, kind: 'int' as const, value: i })),
      children: [],
    };
    const m = matchKey(many, 'queue');
    assert.equal(m.count, 20);
    assert.equal(m.names.length, 12);
    assert.match(describeMatch(parseQuery('queue'), m)!, / and 8 more \(/);
  });
});
