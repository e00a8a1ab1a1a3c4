// `promtool check metrics` (Prometheus' own linter, Debian package prometheus) reports nothing
// on the text exposition of a typical tree: counters with _total, base units with their
// suffixes, snake_case names, HELP on every family, histograms, a summary, info and labels.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import * as scales from 'scales-metrics';
import { renderPrometheus } from 'scales-metrics/formats';

const PROMTOOL = process.env.PROMTOOL_BIN ?? '/usr/bin/promtool';

function typicalTree(): scales.Registry {
  const registry = new scales.Registry({ strict: true });
  const web = registry.collection(
    '/web',
    scales.intStat('requests', { help: 'Requests answered' }),
    scales.intDictStat('byStatus', { help: 'Requests by status' }),
    scales.pmfStat('latency', { unit: 'ms', help: 'Time to answer' }),
    scales.namedPmfDictStat('latencyByRoute', { help: 'Time to answer, by route' }),
    scales.pmfStat('queueWait', { summary: true, help: 'Time waiting in the queue' }),
    scales.meterStat('sent', { unit: 'bytes', help: 'Bytes sent' }),
    scales.meterDictStat('hitsByCode'),
    scales.doubleStat('load', { unit: 'ratio' }),
    scales.stat('version', '1.2.3'),
    scales.stringDictStat('build'),
    scales.stateTimeStat('state'),
  );
  web.requests += 10;
  web.byStatus['200'] += 9;
  web.byStatus['500'] += 1;
  for (let i = 1; i <= 50; i++) {
    web.latency.record(i * 3);
    web.$.latencyByRoute.record(i % 2 ? '/a' : '/b', i / 100);
    web.queueWait.record(i / 1000);
  }
  web.$.sent.mark(2048);
  web.$.hitsByCode.mark('200', 3);
  web.load = 0.4;
  web.build.commit = 'abc';
  web.state.state = 'serving';
  registry.collection('/db/pool', scales.intStat('inUse'), scales.intStat('idle'));
  return registry;
}

describe('promtool check metrics', () => {
  it('reports nothing on the text exposition of a typical tree', () => {
    const text = renderPrometheus(typicalTree().snapshot('/', { histograms: true })!);
    assert.match(text, /web_latency_seconds_bucket/);
    assert.match(text, /web_sent_bytes_total/);
    const r = spawnSync(PROMTOOL, ['check', 'metrics'], { input: text, encoding: 'utf8' });
    assert.equal(r.error, undefined, String(r.error));
    assert.equal(`${r.stdout}${r.stderr}`.trim(), '', text);
    assert.equal(r.status, 0);
  });

  it('finds what it would flag (the linter is really run): a camelCase name written by hand', () => {
    const r = spawnSync(PROMTOOL, ['check', 'metrics'], { input: '# HELP fooBar x\n# TYPE fooBar gauge\nfooBar 1\n', encoding: 'utf8' });
    assert.match(`${r.stdout}${r.stderr}`, /camelCase/);
  });
});
