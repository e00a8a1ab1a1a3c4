// Every adapter on a real server on 127.0.0.1 (Hono in-process), importing the package by name.
import assert from 'node:assert/strict';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import Koa from 'koa';
import { createNodeHandler, createStatusHandler, serveInBackground } from 'scales-metrics/http';
import { expressStatus } from 'scales-metrics/express';
import { fastifyStatus } from 'scales-metrics/fastify';
import { honoStatus } from 'scales-metrics/hono';
import { koaStatus } from 'scales-metrics/koa';
import { appRegistry } from './app-stats.js';

const { registry } = appRegistry();
const cleanups: Array<() => unknown> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** The checks every adapter must pass, against its base URL (or an in-process fetch). */
async function contract(name: string, fetchIt: (path: string, init?: RequestInit) => Promise<Response>) {
  const json = await fetchIt('/status/web?format=json');
  assert.equal(json.status, 200, name);
  assert.match(json.headers.get('content-type')!, /^application\/json/, name);
  const body = await json.json();
  assert.equal(body.success, 5, name);
  assert.deepEqual(body.byPath, { '/a': 3, '/b': 1 }, name);
  assert.match(body.broken.error, /gauge <failed>/, name);
  assert.deepEqual(body, registry.getStats('/web'), `${name}: same tree as registry.getStats`);

  const html = await fetchIt('/status/');
  assert.equal(html.status, 200, name);
  const page = await html.text();
  assert.match(page, /<title>app-1 - Status: \/<\/title>/, name);
  assert.match(page, /error: (Error: )?gauge &lt;failed&gt;/, name);
  assert.match(page, /<a href="\/status\/db">db<\/a>/, name);

  const prom = await fetchIt('/status/?format=prometheus');
  assert.equal(prom.status, 200, name);
  const text = await prom.text();
  assert.match(text, /^web_success_total 5$/m, name);
  assert.match(text, /^db_queries_total 9$/m, `${name}: collapsed containers exported`);

  const nf = await fetchIt('/status/web/missing');
  assert.equal(nf.status, 404, name);
  assert.match(await nf.text(), /no stats at "\/web\/missing"/, name);
  const bad = await fetchIt('/status/?query=' + encodeURIComponent('>'));
  assert.equal(bad.status, 400, name);
  const post = await fetchIt('/status/web', { method: 'POST', body: 'x' });
  assert.equal(post.status, 405, name);
  const head = await fetchIt('/status/web?format=json', { method: 'HEAD' });
  assert.equal(head.status, 200, name);
  assert.equal(await head.text(), '', name);

  const other = await fetchIt('/hello');
  assert.equal(other.status, 200, `${name}: the app's own routes still work`);
  assert.equal(await other.text(), 'hello', name);
}

const options = { source: registry, serverName: 'app-1' };

describe('adapters', () => {
  it('node http (req, res, next)', async () => {
    const status = createNodeHandler(options);
    cleanups.push(() => status.close());
    const base = await listen(
      http.createServer((req, res) =>
        status(req, res, () => {
          res.writeHead(req.url === '/hello' ? 200 : 404).end(req.url === '/hello' ? 'hello' : 'nope');
        }),
      ),
    );
    await contract('node', (p, init) => fetch(base + p, init));
  });

  it('express middleware, also mounted at /status', async () => {
    const mw = expressStatus(options);
    cleanups.push(() => mw.close());
    const app = express();
    app.use(mw);
    app.get('/hello', (_req, res) => {
      res.send('hello');
    });
    const base = await listen(http.createServer(app));
    await contract('express', (p, init) => fetch(base + p, init));

    const mounted = express();
    mounted.use('/status', mw);
    const base2 = await listen(http.createServer(mounted));
    const r = await fetch(base2 + '/status/web/api?format=json');
    assert.deepEqual(await r.json(), { calls: 1 });
  });

  it('fastify plugin', async () => {
    const app = Fastify();
    await app.register(fastifyStatus(options));
    app.get('/hello', async () => 'hello');
    await app.listen({ port: 0, host: '127.0.0.1' });
    cleanups.push(() => app.close());
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    await contract('fastify', (p, init) => fetch(base + p, init));
  });

  it('koa middleware', async () => {
    const mw = koaStatus(options);
    cleanups.push(() => mw.close());
    const app = new Koa();
    app.use(mw);
    app.use(async (ctx) => {
      if (ctx.path === '/hello') ctx.body = 'hello';
    });
    const base = await listen(http.createServer(app.callback()));
    await contract('koa', (p, init) => fetch(base + p, init));
  });

  it('hono middleware, in process', async () => {
    const mw = honoStatus(options);
    cleanups.push(() => mw.close());
    const app = new Hono();
    app.use(mw);
    app.get('/hello', (c) => c.text('hello'));
    await contract('hono', async (p, init) => app.request(p, init));
  });

  it('the Web-standard handler', async () => {
    const h = createStatusHandler(options);
    cleanups.push(() => h.close());
    const res = await h.fetch(new Request('http://127.0.0.1/status/web/api?format=json'));
    assert.deepEqual(await res.json(), { calls: 1 });
  });

  it('serveInBackground: loopback by default, /metrics, redirect, close', async () => {
    const server = await serveInBackground(0, options);
    cleanups.push(() => server.close());
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/status\/$/);
    assert.ok(server.port > 0);
    // Bound to 127.0.0.1 only: another loopback address can take the same port (it could not
    // if the server held the wildcard address). Nothing is sent there.
    const probe = net.createServer();
    await new Promise<void>((resolve, reject) => {
      probe.once('error', reject);
      probe.listen(server.port, '127.0.0.2', resolve);
    });
    await new Promise((resolve) => probe.close(resolve));
    const page = await fetch(server.url);
    assert.equal(page.status, 200);
    const metrics = await fetch(`http://127.0.0.1:${server.port}/metrics`);
    assert.equal(metrics.status, 200);
    assert.match(await metrics.text(), /^web_errors_total 2$/m);
    const root = await fetch(`http://127.0.0.1:${server.port}/`, { redirect: 'manual' });
    assert.equal(root.status, 302);
    assert.equal(root.headers.get('location'), '/status/');
    await server.close();
    await server.close();
    await assert.rejects(fetch(server.url), 'closed server refuses connections');
  });

  it('serveInBackground rejects a busy port with a message naming it', async () => {
    const one = await serveInBackground(0, options);
    cleanups.push(() => one.close());
    await assert.rejects(serveInBackground(one.port, options), new RegExp(`could not listen on 127\\.0\\.0\\.1:${one.port}`));
    // Node's code is kept, so that an app can test for it and pick another port.
    await assert.rejects(serveInBackground(one.port, options), { code: 'EADDRINUSE' });
  });
});

describe('paths the registry rejects', () => {
  it('answer 404, not 500', async () => {
    const h = createStatusHandler({ source: registry, live: false });
    for (const p of ['/status/__proto__', '/status/a%01b']) {
      const r = await h.fetch(new Request('http://127.0.0.1' + p));
      assert.equal(r.status, 404, p);
      assert.match(await r.text(), /^no stats at/, p);
    }
  });
});
