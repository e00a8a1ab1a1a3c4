/**
 * Aggregation across servers: three "servers" write their dumps into one directory, then one
 * Aggregation reads them all. Run: node build/examples/aggregate-fleet.js
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as scales from 'scales-metrics';
import * as aggregation from 'scales-metrics/aggregate';
import { dumpStatsTo } from 'scales-metrics/dump';

const { Aggregation, Sum, Average, Percentiles, InverseMap, Highlight, DataFormats, FileInclusionTest, match } = aggregation;

const dir = await mkdtemp(join(tmpdir(), 'fleet-'));
try {
  // Each server would call dumpStatsPeriodically(`${dir}/${serverName}.json`, { sketches: true }).
  for (const [name, slowness, version] of [
    ['web-1', 1, '1.4.2'],
    ['web-2', 1, '1.5.0'],
    ['web-10', 20, '1.4.2'],
  ] as const) {
    const registry = new scales.Registry();
    const web = registry.collection('/web', scales.pmfStat('latency'), scales.intDictStat('status'), scales.stat('version', version));
    for (let i = 1; i <= 100; i++) web.latency.record((i / 1000) * slowness);
    web.status['200'] += 95;
    web.status['503'] += slowness === 1 ? 0 : 5;
    await dumpStatsTo(join(dir, `${name}.json`), { source: registry, sketches: true, serverName: name });
  }

  const agg = new Aggregation({
    web: {
      latency: [new Percentiles(), new Average({ name: 'mean' }), Highlight.max('slowest', { dataFormat: DataFormats.field('99percentile') })],
      status: { [match('errors', /5\d\d/)]: [new Sum()], '*': [new Sum()] },
      version: [new InverseMap({ dataFormat: DataFormats.DIRECT })],
    },
  });
  await agg.addJsonDirectory(dir, new FileInclusionTest({ maxAgeSeconds: 600 }));
  type Result = {
    web: {
      latency: { percentiles: Record<string, number>; mean: { average: number }; slowest: { source: string } };
      status: { errors: { sum: number } };
      version: { inverse: Record<string, string[]> };
    };
  };
  const result = agg.result() as unknown as Result;
  console.log('fleet p99:', result.web.latency.percentiles['99percentile']);
  console.log('mean:', result.web.latency.mean.average);
  console.log('5xx:', result.web.status.errors.sum);
  console.log('versions:', JSON.stringify(result.web.version.inverse));
  console.log('slowest p99:', result.web.latency.slowest.source);
  console.log('warnings:', agg.warnings.length);
} finally {
  await rm(dir, { recursive: true, force: true });
}
