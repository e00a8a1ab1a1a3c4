// Hostile values through the package as a user imports it: keys UTF-8 cannot carry, names that
// sanitize alike, strings that look like numbers, and the ?format=openmetrics query.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as scales from 'scales-metrics';
import { renderPrometheus } from 'scales-metrics/formats';
import { createStatusHandler } from 'scales-metrics/http';

/** The body as a scraper sees it: UTF-8 bytes decoded (a lone surrogate becomes U+FFFD). */
function overTheWire(text: string): string {
  return Buffer.from(text, 'utf8').toString('utf8');
}

/** Sample lines of an exposition by their series (name and labels); fails on a duplicate. */
function seriesOf(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const l of text.split('\n')) {
    if (l === '' || l.startsWith('#')) continue;
    const at = l.lastIndexOf(' ');
    const series = l.slice(0, at);
    assert.ok(!out.has(series), `duplicate series ${JSON.stringify(series)} in:\n${text}`);
    out.set(series, l.slice(at + 1));
  }
  return out;
}

/** Unescapes a label value of the exposition (`\\`, `\"`, `\n`), as Prometheus does. */
function unescapeLabel(v: string): string {
  return v.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
}

const BOTH = [false, true] as const;

describe('Prometheus: keys that UTF-8 cannot carry stay distinct series', () => {
  const LONE = ['\ud800', '\udfff', 'a\ud800b', '\\ud800', '\udc00\ud800', '\ud83d\ude00'];

  function tree() {
    const r = new scales.Registry();
    const s = r.collection(
      '/web',
      scales.intDictStat('byKey', { gauge: true }),
      scales.stringDictStat('owner'),
      scales.meterDictStat('hits'),
      scales.namedPmfDictStat('latency'),
      scales.stat('motto', 'x\udfffy'),
    );
    LONE.forEach((k, i) => {
      s.byKey[k] = i + 1;
      s.owner[k] = k;
      s.$.hits.mark(k, i + 1);
      s.$.latency.record(k, i + 1);
    });
    return r;
  }

  for (const openMetrics of BOTH) {
    it(`every key its own series after UTF-8 (${openMetrics ? 'OpenMetrics' : 'text 0.0.4'})`, () => {
      const text = overTheWire(renderPrometheus(tree().snapshot()!, { openMetrics }));
      const series = seriesOf(text);
      const byKey = [...series].filter(([k]) => k.startsWith('web_by_key{'));
      assert.equal(byKey.length, LONE.length, text);
      assert.deepEqual(new Set(byKey.map(([, v]) => v)), new Set(LONE.map((_, i) => String(i + 1))), 'no value lost');
      assert.ok(!text.includes('\ufffd'), 'no key degraded to U+FFFD');
      // The escaped form is the key's JSON escape, named by the `escaped` label: reversible.
      assert.equal(series.get('web_by_key{key="\\\\ud800",escaped="key"}'), '1', text);
      assert.equal(series.get('web_by_key{key="\\\\udfff",escaped="key"}'), '2');
      assert.equal(series.get('web_by_key{key="\\\\ud800"}'), '4', 'the six characters \\ud800 are a plain key');
      assert.equal(series.get('web_by_key{key="\ud83d\ude00"}'), '6', 'a well-formed pair is written as it is');
      for (const [k] of byKey) {
        const m = /key="((?:[^"\\]|\\.)*)"(,escaped="key")?/.exec(k)!;
        const key = m[2] ? JSON.parse(`"${unescapeLabel(m[1])}"`) : unescapeLabel(m[1]);
        assert.ok(LONE.includes(key), `${k} reads back as one of the keys`);
      }
      assert.equal([...series.keys()].filter((k) => k.startsWith('web_owner_info{')).length, LONE.length);
      assert.ok(series.has('web_owner_info{key="\\\\ud800",value="\\\\ud800",escaped="key,value"}'), text);
      assert.equal([...series.keys()].filter((k) => k.startsWith('web_hits_total{')).length, LONE.length);
      assert.equal([...series.keys()].filter((k) => k.startsWith('web_latency_seconds_count{')).length, LONE.length);
      assert.ok(series.has('web_motto_info{value="x\\\\udfffy",escaped="value"}'), text);
    });
  }

  it('paths that sanitize to one name: the first declared keeps it, the others are refused (counted), and HELP keeps the surrogate', () => {
    const errors: Error[] = [];
    const r = new scales.Registry({ onError: (e) => errors.push(e) });
    const g = { gauge: true };
    r.collection('/a', scales.intStat('\ud800', g), scales.intStat('\udfff', g), scales.intStat('_', g));
    for (const openMetrics of BOTH) {
      const text = overTheWire(renderPrometheus(r.snapshot('/a')!, { openMetrics }));
      assert.deepEqual([...seriesOf(text).keys()], ['a__'], text);
      assert.ok(text.includes('# HELP a__ /a/\\\\ud800\n'), text);
    }
    assert.equal(errors.length, 2);
    assert.match(errors[0].message, /maps to the Prometheus name "a__", whose series "a__" is already \/a\/\ud800's/);
    assert.equal(Object.keys(r.snapshot('/scales')!.stats.find((s) => s.name === 'rejected')!.value as object).length, 2);
  });

  it('JSON and HTML still serve such keys', async () => {
    const handler = createStatusHandler({ source: tree(), live: false });
    try {
      const json = await handler.fetch(new Request('http://127.0.0.1/status/web?format=json'));
      assert.equal(json.status, 200);
      const body = JSON.parse(await json.text());
      assert.equal(Object.keys(body.byKey).length, LONE.length);
      const html = await handler.fetch(new Request('http://127.0.0.1/status/web'));
      assert.equal(html.status, 200);
      assert.match(await html.text(), /byKey/);
    } finally {
      handler.close();
    }
  });
});

describe('Prometheus: typed by kind and value type, never by parsing strings', () => {
  it('a string stat holding "NaN" or "Infinity" is an info, a number NaN a gauge', () => {
    const r = new scales.Registry();
    r.collection(
      '/s',
      scales.stat('textNan', 'NaN'),
      scales.stat('textInf', () => 'Infinity'),
      scales.stat('textNinf', '-Infinity'),
      scales.stat('numNan', () => Number.NaN),
      scales.stat('numInf', Number.POSITIVE_INFINITY),
      scales.stat('numNinf', () => Number.NEGATIVE_INFINITY),
    );
    for (const openMetrics of BOTH) {
      const series = seriesOf(renderPrometheus(r.snapshot()!, { openMetrics }));
      assert.equal(series.get('s_text_nan_info{value="NaN"}'), '1');
      assert.equal(series.get('s_text_inf_info{value="Infinity"}'), '1');
      assert.equal(series.get('s_text_ninf_info{value="-Infinity"}'), '1');
      assert.equal(series.get('s_num_nan'), 'NaN');
      assert.equal(series.get('s_num_inf'), '+Inf');
      assert.equal(series.get('s_num_ninf'), '-Inf');
      assert.ok(!series.has('s_textNan') && !series.has('s_textInf'), 'no gauge for a string');
    }
    // JSON keeps showing both as text, as before.
    assert.deepEqual(r.getStats('/s'), {
      textNan: 'NaN',
      textInf: 'Infinity',
      textNinf: '-Infinity',
      numNan: 'NaN',
      numInf: 'Infinity',
      numNinf: '-Infinity',
    });
  });
});

describe('?format=openmetrics', () => {
  it('is accepted on the pages and on /metrics, whatever the Accept header', async () => {
    const r = new scales.Registry();
    r.collection('/web', scales.intStat('hits')).hits += 3;
    const handler = createStatusHandler({ source: r, metricsPath: '/metrics', live: false });
    try {
      for (const url of ['/status/?format=openmetrics', '/status/web?format=openmetrics', '/metrics?format=openmetrics']) {
        const res = await handler.fetch(new Request('http://127.0.0.1' + url, { headers: { accept: 'text/plain' } }));
        assert.equal(res.status, 200, url);
        assert.match(res.headers.get('content-type')!, /^application\/openmetrics-text; version=1\.0\.0/, url);
        const body = await res.text();
        assert.ok(body.endsWith('# EOF\n') && body.includes('\nweb_hits_total 3\n'), body);
      }
      const text = await handler.fetch(new Request('http://127.0.0.1/status/?format=prometheus'));
      assert.equal(text.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
      const bad = await handler.fetch(new Request('http://127.0.0.1/status/?format=xml'));
      assert.equal(bad.status, 400);
      assert.match(await bad.text(), /openmetrics/);
    } finally {
      handler.close();
    }
  });
});
