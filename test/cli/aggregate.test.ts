import assert from 'node:assert/strict';
import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runAggregate } from '../../src/cli/aggregate-command.js';
import { writeFleet } from '../fixtures/dump/write-fleet.js';
import { captureIo } from './capture.js';

const SPEC = {
  web: {
    errors: ['sum', 'max'],
    load: ['average', { type: 'sorted', reverse: true, limit: 1 }],
    version: [{ type: 'inverse', format: 'direct' }],
    latency: ['percentiles', { type: 'average', name: 'mean' }],
    status: { 're:error:[45]\\d\\d': ['sum'], 're:ok:/[23]\\d\\d/': ['sum'] },
  },
};

describe('scales aggregate', () => {
  let dir: string;
  let fleet: string;
  let spec: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'scales-cli-agg-'));
    fleet = join(dir, 'fleet');
    await import('node:fs/promises').then((fs) => fs.mkdir(fleet));
    await writeFleet(fleet);
    await writeFile(join(fleet, 'partial.json'), '{"stats":');
    await writeFile(join(fleet, 'old.json'), JSON.stringify({ web: { errors: 1000 } }));
    const old = new Date(Date.now() - 2 * 3600_000);
    await utimes(join(fleet, 'old.json'), old, old);
    spec = join(dir, 'spec.json');
    await writeFile(spec, JSON.stringify(SPEC));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('--format json: aggregates the fleet; warnings on stderr name the skipped file', async () => {
    const io = captureIo();
    assert.equal(await runAggregate([fleet, '--spec', spec, '--max-age', '10m', '--format', 'json'], io), 0, io.stderr.text);
    const r = JSON.parse(io.stdout.text);
    assert.equal(r.web.errors.sum, 14, 'old.json is left out by --max-age');
    assert.deepEqual(r.web.errors.max, { source: 'server-10', value: 11 });
    assert.deepEqual(r.web.load.average, { count: 3, total: 6, average: 2 });
    assert.deepEqual(r.web.load.sorted, [['server-10', 4]]);
    assert.deepEqual(r.web.version.inverse, { '1.4.2': ['server-1', 'server-10'], '1.5.0': ['server-2'] });
    assert.equal(r.web.status.error.sum, 22);
    assert.equal(r.web.status.ok.sum, 2940);
    assert.equal(r.web.latency.percentiles.count, 3100);
    assert.equal(r.web.latency.mean.count, 3100);
    assert.match(io.stderr.text, /^warning: skipped .*partial\.json: not valid JSON/m);
    assert.doesNotMatch(io.stderr.text, /old\.json/);
  });

  it('without --max-age the old file counts; --ignore leaves files out by name', async () => {
    const io = captureIo();
    assert.equal(await runAggregate([fleet, '-s', spec, '-f', 'json', '--ignore', '^(partial|server-1)\\.json$'], io), 0);
    assert.equal(JSON.parse(io.stdout.text).web.errors.sum, 1011);
    assert.equal(io.stderr.text, '');
  });

  it('--format table (the default) renders the readable tree', async () => {
    const io = captureIo();
    assert.equal(await runAggregate([fleet, '--spec', spec, '--max-age', '1h'], io), 0);
    const lines = io.stdout.text.split('\n');
    assert.equal(lines[0], '3 sources: server-1, server-2, server-10');
    assert.ok(lines.includes('    sum  14'), io.stdout.text);
    assert.ok(lines.includes('    max  source server-10  value 11'), io.stdout.text);
    assert.ok(
      lines.some((l) => /^ {4}percentiles {2}n 3,100 {2}min 1 ms {2}p50 .* max 1\.99 s {2}sources 3$/.test(l)),
      io.stdout.text,
    );
  });

  it('exit code 2 and a clear message for bad arguments, spec or directory', async () => {
    const badSpec = join(dir, 'bad-spec.json');
    await writeFile(badSpec, JSON.stringify({ web: { errors: ['median'] } }));
    const badRegex = join(dir, 'bad-regex.json');
    await writeFile(badRegex, JSON.stringify({ web: { 're:x:[': ['sum'] } }));
    const notJson = join(dir, 'not-json.json');
    await writeFile(notJson, '{');
    const cases: [string[], RegExp][] = [
      [[], /missing DIR/],
      [[fleet], /missing --spec/],
      [[join(dir, 'nowhere'), '--spec', spec], /cannot read the directory .*nowhere: ENOENT/],
      [[spec, '--spec', spec], /cannot read the directory .*: not a directory/],
      [[fleet, '--spec', join(dir, 'nope.json')], /cannot read the spec .*nope\.json: ENOENT/],
      [[fleet, '--spec', notJson], /the spec .*not-json\.json is not valid JSON/],
      [[fleet, '--spec', badSpec], /spec \/web\/errors\[0\]: unknown aggregator type "median"/],
      [[fleet, '--spec', badRegex], /invalid regular expression in spec key for "x"/],
      [[fleet, '--spec', spec, '--max-age', 'soon'], /--max-age: invalid duration "soon"/],
      [[fleet, '--spec', spec, '--format', 'xml'], /--format must be table or json/],
      [[fleet, '--spec', spec, '--what'], /Unknown option '--what'/],
    ];
    for (const [args, message] of cases) {
      const io = captureIo();
      assert.equal(await runAggregate(args, io), 2, `scales aggregate ${args.join(' ')}`);
      assert.match(io.stderr.text, message);
      assert.equal(io.stdout.text, '');
    }
  });

  it('--help prints the usage, including the spec format', async () => {
    const io = captureIo();
    assert.equal(await runAggregate(['--help'], io), 0);
    assert.match(io.stdout.text, /"re:NAME:PATTERN"/);
  });
});
