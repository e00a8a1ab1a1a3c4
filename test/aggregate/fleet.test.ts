import assert from 'node:assert/strict';
import { mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as aggregation from 'scales-metrics/aggregate';
import { FLEET } from '../fixtures/dump/fleet-data.js';
import { writeFleet } from '../fixtures/dump/write-fleet.js';

const { Aggregation, Average, DataFormats, FileInclusionTest, Highlight, InverseMap, Percentiles, Sorted, Sum, match } = aggregation;

/** The exact nearest-rank quantile (1-based rank ceil(q * n)), the rule PmfStat and the sketch follow. */
function trueQuantile(sorted: number[], q: number): number {
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
}

describe('aggregation of dumps written by real child processes', () => {
  let dir: string;
  const warnings: string[] = [];
  // biome-ignore lint/suspicious/noExplicitAny: the test reads deep paths of a JSON result
  let result: Record<string, any>;
  let agg: InstanceType<typeof Aggregation>;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'scales-fleet-'));
    await writeFleet(dir);
    // What a dump directory holds in real life besides good dumps:
    await writeFile(join(dir, 'partial.json'), '{"format":"scales-metrics-dump","version":1,"stats":{"web":{"err');
    await writeFile(join(dir, 'empty.json'), '');
    await symlink(join(dir, 'gone-away'), join(dir, 'dangling.json'));
    await writeFile(join(dir, 'notes.txt'), 'not a dump');
    await writeFile(join(dir, '.server-3.json.123.4.tmp'), '{"half');
    await writeFile(join(dir, 'stale.json'), JSON.stringify({ web: { errors: 1000 } }));
    const old = new Date(Date.now() - 3600_000);
    await utimes(join(dir, 'stale.json'), old, old);

    agg = new Aggregation(
      {
        web: {
          errors: [new Sum(), Highlight.max('most')],
          load: [new Average(), new Sorted({ reverse: true, limit: 2 })],
          version: [new InverseMap({ dataFormat: DataFormats.DIRECT })],
          latency: [
            new Percentiles(),
            new Average({ name: 'mean' }),
            new Average({ name: 'meanOfP99s', dataFormat: DataFormats.field('99percentile') }),
            Highlight.max('slowestP99', { dataFormat: DataFormats.field('99percentile') }),
          ],
          status: {
            [match('ok', /[23]\d\d/)]: [new Sum()],
            [match('error', /[45]\d\d/)]: [new Sum()],
            '*': [new Sum()],
          },
        },
      },
      { onWarning: (m) => warnings.push(m) },
    );
    const added = await agg.addJsonDirectory(dir, new FileInclusionTest({ maxAgeSeconds: 600 }));
    assert.equal(added, 3);
    result = agg.result();
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('adds the good dumps in human order and skips the others, naming them', () => {
    assert.deepEqual(agg.sources, ['server-1', 'server-2', 'server-10']);
    assert.equal(warnings.length, 3, warnings.join('\n'));
    assert.match(warnings.find((w) => w.includes('partial.json')) ?? '', /skipped .*partial\.json: not valid JSON/);
    assert.match(warnings.find((w) => w.includes('empty.json')) ?? '', /skipped .*empty\.json: empty file/);
    assert.match(warnings.find((w) => w.includes('dangling.json')) ?? '', /skipped .*dangling\.json: ENOENT/);
    assert.deepEqual(agg.warnings, warnings);
  });

  it('Sum and regex keys', () => {
    assert.equal(result.web.errors.sum, 14);
    assert.deepEqual(result.web.status.ok, { sum: 900 + 50 + 1900 + 90 });
    assert.deepEqual(result.web.status.error, { sum: 7 + 1 + 4 + 10 });
    assert.deepEqual(result.web.status['500'], { sum: 11 });
    assert.deepEqual(result.web.status['503'], { sum: 4 });
  });

  it('Average (plain numbers count once each)', () => {
    assert.deepEqual(result.web.load.average, { count: 3, total: 6, average: 2 });
  });

  it('Average of PmfStat leaves is weighted by count', () => {
    const all = FLEET.flatMap((s) => s.latencies);
    const trueMean = all.reduce((a, b) => a + b, 0) / all.length;
    assert.equal(result.web.latency.mean.count, 3100);
    assert.ok(Math.abs(result.web.latency.mean.average - trueMean) < 1e-9, `${result.web.latency.mean.average} vs ${trueMean}`);
  });

  it('InverseMap, Sorted and Highlight', () => {
    assert.deepEqual(result.web.version.inverse, { '1.4.2': ['server-1', 'server-10'], '1.5.0': ['server-2'] });
    assert.deepEqual(result.web.load.sorted, [
      ['server-10', 4],
      ['server-2', 1.5],
    ]);
    assert.deepEqual(result.web.errors.most, { source: 'server-10', value: 11 });
    assert.equal(result.web.latency.slowestP99.source, 'server-10');
  });

  it('Percentiles merges the sketches into true fleet-wide percentiles', () => {
    const all = FLEET.flatMap((s) => s.latencies).sort((a, b) => a - b);
    const p = result.web.latency.percentiles;
    assert.equal(p.count, all.length);
    assert.equal(p.sources, 3);
    assert.equal(p.min, all[0]);
    assert.equal(p.max, all[all.length - 1]);
    assert.equal(p.unit, 's');
    const tolerance = 0.01; // the sketch's relative error bound
    for (const [key, q] of [
      ['median', 0.5],
      ['75percentile', 0.75],
      ['95percentile', 0.95],
      ['98percentile', 0.98],
      ['99percentile', 0.99],
      ['999percentile', 0.999],
    ] as const) {
      const truth = trueQuantile(all, q);
      const got = p[key] as number;
      assert.ok(Math.abs(got - truth) <= truth * tolerance, `${key}: ${got} not within ${tolerance} of ${truth}`);
    }
    // The tempting shortcut is far off: the mean of the per-server p99s misses the fleet's p99.
    const truthP99 = trueQuantile(all, 0.99);
    const meanOfP99s = result.web.latency.meanOfP99s.average as number;
    assert.ok(Math.abs(meanOfP99s - truthP99) / truthP99 > 0.25, `mean of p99s ${meanOfP99s} vs true p99 ${truthP99}`);
  });

  it('the synchronous directory reader gives the same result', () => {
    const again = new Aggregation({ web: { errors: [new Sum()] } });
    assert.equal(
      again.addJsonDirectorySync(dir, (name) => name.startsWith('server-')),
      3,
    );
    assert.deepEqual(again.result(), { web: { errors: { sum: 14 } } });
    assert.deepEqual(again.warnings, []);
  });

  it('FileInclusionTest: ignoreByName as a regex or a function, maxAge by mtime', () => {
    const byRegex = new FileInclusionTest({ ignoreByName: /^server-1\d*\.json$/ });
    assert.equal(byRegex.accepts('server-1.json', join(dir, 'server-1.json')), false);
    assert.equal(byRegex.accepts('server-2.json', join(dir, 'server-2.json')), true);
    const byFn = new FileInclusionTest({ ignoreByName: (p) => p.endsWith('server-2.json') });
    assert.equal(byFn.accepts('server-2.json', join(dir, 'server-2.json')), false);
    const fresh = new FileInclusionTest({ maxAgeSeconds: 60 });
    assert.equal(fresh.accepts('stale.json', join(dir, 'stale.json')), false);
    assert.equal(fresh.accepts('server-1.json', join(dir, 'server-1.json')), true);
    assert.equal(fresh.accepts('missing.json', join(dir, 'missing.json')), true, 'left to the reader, which warns');
    const all = new Aggregation({ web: { errors: [new Sum()] } });
    all.addJsonDirectorySync(dir);
    assert.equal((all.result() as { web: { errors: { sum: number } } }).web.errors.sum, 1014, 'stale.json counts without a max age');
  });

  it('a pmf leaf without a sketch is a warning, not a wrong number', () => {
    const a = new Aggregation({ lat: [new Percentiles()] });
    a.addSource('old-dump', { lat: { count: 5, median: 1, '99percentile': 2, unit: 's' } });
    a.addSource('garbage', { lat: { count: 5, sketch: 'not a sketch' } });
    assert.deepEqual(a.result(), {});
    assert.match(a.warnings[0]!, /source "old-dump" at \/lat: percentiles: the leaf has no "sketch" \(write the dump with \{ sketches: true \}\)/);
    assert.match(a.warnings[1]!, /source "garbage" at \/lat: percentiles: unreadable sketch/);
  });
});
