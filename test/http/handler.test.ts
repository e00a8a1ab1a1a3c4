import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { StatusHandler, type StatusHandlerOptions } from '../../src/http/handler.js';
import { fixtureTree } from '../formats/fixture-tree.js';
import { TreeSource } from './tree-source.js';

const handlers: StatusHandler[] = [];
after(() => {
  for (const h of handlers) h.close();
});

function make(options: Partial<StatusHandlerOptions> = {}, source = new TreeSource(fixtureTree())) {
  const h = new StatusHandler({ serverName: 'srv', ...options, source: options.source ?? source });
  handlers.push(h);
  return h;
}

async function get(h: StatusHandler, path: string, init: RequestInit = {}) {
  const res = await h.fetch(new Request('http://127.0.0.1' + path, init));
  return { status: res.status, headers: res.headers, body: await res.text() };
}

describe('status handler', () => {
  it('serves HTML by default with the title and a CSP', async () => {
    const r = await get(make(), '/status/web');
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.match(r.body, /<title>srv - Status: \/web<\/title>/);
    assert.match(r.headers.get('content-security-policy')!, /script-src 'sha256-/);
    assert.equal(Number(r.headers.get('content-length')), Buffer.byteLength(r.body));
  });
  it('serves json, prettyjson, prometheus and OpenMetrics', async () => {
    const h = make();
    const j = await get(h, '/status/web/api?format=json');
    assert.equal(j.headers.get('content-type'), 'application/json; charset=utf-8');
    assert.deepEqual(JSON.parse(j.body), { finished: 42, states: { waiting: 2, running: 1 }, perKey: { x: 4 } });
    const p = await get(h, '/status/web/api?format=prettyjson');
    assert.equal(p.body, JSON.stringify(JSON.parse(j.body), null, 2));
    const prom = await get(h, '/status/?format=prometheus');
    assert.equal(prom.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
    assert.match(prom.body, /^web_success_total 1234567$/m);
    const om = await get(h, '/status/?format=prometheus', { headers: { accept: 'application/openmetrics-text;version=1.0.0' } });
    assert.match(om.headers.get('content-type')!, /^application\/openmetrics-text/);
    assert.ok(om.body.endsWith('# EOF\n'));
  });
  it('serves /metrics only when metricsPath is set', async () => {
    assert.equal((await get(make(), '/metrics')).status, 404);
    const r = await get(make({ metricsPath: '/metrics' }), '/metrics?query=ignored');
    assert.equal(r.status, 200);
    assert.match(r.body, /^db_queries_total 77$/m);
  });
  it('filters with ?query=', async () => {
    const h = make();
    assert.deepEqual(JSON.parse((await get(h, '/status/?format=json&query=errors%20%3E%201')).body), { web: { errors: 3 } });
    const html = await get(h, '/status/?query=' + encodeURIComponent('nothing-matches'));
    assert.equal(html.status, 200);
    assert.match(html.body, /Nothing is named &quot;nothing-matches&quot; or has a word starting with it/);
    assert.deepEqual(JSON.parse((await get(h, '/status/?format=json&query=zzz')).body), {});
  });
  it('answers 404 naming the path, 405, 400', async () => {
    const h = make();
    const nf = await get(h, '/status/web/nope');
    assert.equal(nf.status, 404);
    assert.match(nf.body, /no stats at "\/web\/nope"/);
    const m = await get(h, '/status/web', { method: 'POST', body: 'x' });
    assert.equal(m.status, 405);
    assert.equal(m.headers.get('allow'), 'GET, HEAD');
    const q = await get(h, '/status/?query=' + encodeURIComponent('a > 1 > 2'));
    assert.equal(q.status, 400);
    assert.match(q.body, /invalid query "a > 1 > 2": more than one operator/);
    assert.equal((await get(h, '/status/?format=xml')).status, 400);
    assert.equal((await get(h, '/status/%E0%A4%A')).status, 400);
    assert.equal((await get(h, '/other')).status, 404);
  });
  it('decodes path segments once', async () => {
    const tree = fixtureTree();
    tree.children.push({ name: 'a b%2F', path: '/a b%2F', stats: [{ name: 'n', kind: 'int', value: 1 }], children: [] });
    const h = make({}, new TreeSource(tree));
    const r = await get(h, '/status/a%20b%252F?format=json');
    assert.equal(r.status, 200);
    assert.deepEqual(JSON.parse(r.body), { n: 1 });
  });
  it('HEAD answers the headers and no body', async () => {
    const h = make();
    const full = await get(h, '/status/web?format=json');
    const r = await h.handle({ method: 'HEAD', url: '/status/web?format=json', header: () => undefined });
    assert.equal(r!.status, 200);
    assert.equal(r!.body.length, 0);
    assert.equal(r!.headers['content-length'], String(Buffer.byteLength(full.body)));
  });
  it('returns undefined for paths outside the prefix (adapters pass them on)', async () => {
    const h = make({ prefix: '/admin/stats' });
    assert.equal(await h.handle({ method: 'GET', url: '/status/', header: () => undefined }), undefined);
    assert.equal((await h.handle({ method: 'GET', url: '/admin/stats', header: () => undefined }))!.status, 200);
    assert.equal(await h.handle({ method: 'OPTIONS', url: '*', header: () => undefined }), undefined);
  });
  it('requires the bearer token or basic credentials when configured', async () => {
    const bearer = make({ auth: { token: 's3cret' } });
    const r = await get(bearer, '/status/');
    assert.equal(r.status, 401);
    assert.match(r.headers.get('www-authenticate')!, /^Bearer/);
    assert.equal((await get(bearer, '/status/', { headers: { authorization: 'Bearer wrong' } })).status, 401);
    assert.equal((await get(bearer, '/status/', { headers: { authorization: 'Bearer s3cret' } })).status, 200);
    const basic = make({ auth: { username: 'ops', password: 'pw' } });
    assert.match((await get(basic, '/status/')).headers.get('www-authenticate')!, /^Basic realm="scales-metrics"/);
    const good = 'Basic ' + Buffer.from('ops:pw').toString('base64');
    const bad = 'Basic ' + Buffer.from('ops:px').toString('base64');
    assert.equal((await get(basic, '/status/', { headers: { authorization: good } })).status, 200);
    assert.equal((await get(basic, '/status/', { headers: { authorization: bad } })).status, 401);
    assert.throws(() => make({ auth: { token: '' } }), /invalid auth.token/);
    assert.throws(() => make({ auth: { username: 'u' } }), /invalid auth.password for user "u"/);
  });
  it('rejects bad options with the option name', () => {
    assert.throws(() => make({ maxConcurrent: 0 }), /invalid status handler option maxConcurrent: 0/);
    assert.throws(() => make({ liveIntervalMs: Number.NaN }), /liveIntervalMs/);
    assert.throws(() => make({ prefix: 'status' }), /invalid status prefix "status"/);
    assert.throws(() => make({ metricsPath: 'metrics' }), /invalid metricsPath "metrics"/);
  });
  it('bounds the body and answers 500 with a message when too large', async () => {
    const r = await get(make({ maxBodyBytes: 500 }), '/status/?format=json');
    assert.equal(r.status, 500);
    assert.match(r.body, /larger than 500 bytes/);
  });
  it('never throws: a failing source answers 500 and reports to onError', async () => {
    const src = new TreeSource(fixtureTree());
    src.fail = new Error('registry exploded');
    const seen: unknown[] = [];
    const h = make(
      {
        onError: (e) => {
          seen.push(e);
          throw new Error('logger broken too');
        },
      },
      src,
    );
    const r = await get(h, '/status/web');
    assert.equal(r.status, 500);
    assert.match(r.body, /registry exploded/);
    assert.equal(seen.length, 1);
  });
  it('queues renders and answers 503 when the queue is full', async () => {
    const h = make({ maxConcurrent: 1, maxQueued: 1 });
    const rs = await Promise.all([1, 2, 3, 4].map(() => get(h, '/status/?format=json')));
    const codes = rs.map((r) => r.status).sort();
    assert.deepEqual(codes, [200, 200, 503, 503]);
  });
  it('serves the live data with history of numeric leaves', async () => {
    const src = new TreeSource(fixtureTree());
    const h = make({ history: { intervalMs: 60_000 } }, src);
    const first = await get(h, '/status/web?format=live&history=1');
    assert.equal(first.status, 200);
    const data = JSON.parse(first.body);
    assert.equal(data.values['["web","errors"]'], 3);
    assert.equal(data.values['["web","latency","median"]'], 0.04);
    assert.equal(data.values['["web","version"]'], '1.2.3 "beta"');
    assert.ok(typeof data.t === 'number');
    assert.ok(h.sampler!.running, 'sampler started by the first live request');
    await h.sampler!.sample();
    const again = JSON.parse((await get(h, '/status/web?format=live&history=1')).body);
    assert.deepEqual(again.history['["web","errors"]'].slice(-1), [3]);
    assert.equal(again.history['["db","queries"]'], undefined, 'history limited to the page');
    h.close();
    assert.equal(h.sampler, undefined);
  });
});
