// README "Status pages in your framework": Express, Fastify, Koa and Hono, each from its own
// entry point, serving /status/ next to the app's own routes.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import Koa from 'koa';
import * as scales from 'scales-metrics';
import { createStatusHandler } from 'scales-metrics/http';
import { expressStatus } from 'scales-metrics/express';
import { fastifyStatus } from 'scales-metrics/fastify';
import { honoStatus } from 'scales-metrics/hono';
import { koaStatus } from 'scales-metrics/koa';

const STATS = scales.collection('/web', scales.intStat('success'));
STATS.success += 1;

async function check(name: string, base: string) {
  const res = await fetch(base + '/status/web?format=json');
  console.log(name, res.status, await res.text());
}

// Express: app.use(expressStatus()) or app.use('/status', expressStatus()); the prefix is the
// full URL path, so mounted elsewhere say it: app.use('/admin', expressStatus({ prefix: '/admin/status/' }))
const expressApp = express();
const expressMw = expressStatus({ serverName: 'web-1' });
expressApp.use(expressMw);
const expressServer = http.createServer(expressApp).listen(0, '127.0.0.1');
await new Promise((resolve) => expressServer.once('listening', resolve));
await check('express', `http://127.0.0.1:${(expressServer.address() as AddressInfo).port}`);

// Fastify: a plugin (give `prefix` in its options, not in register's)
const fastify = Fastify();
await fastify.register(fastifyStatus({ serverName: 'web-1' }));
await fastify.listen({ port: 0, host: '127.0.0.1' });
await check('fastify', `http://127.0.0.1:${(fastify.server.address() as AddressInfo).port}`);

// Koa: middleware
const koa = new Koa();
const koaMw = koaStatus({ serverName: 'web-1' });
koa.use(koaMw);
const koaServer = http.createServer(koa.callback()).listen(0, '127.0.0.1');
await new Promise((resolve) => koaServer.once('listening', resolve));
await check('koa', `http://127.0.0.1:${(koaServer.address() as AddressInfo).port}`);

// Hono (any Web-standard runtime): middleware; app.request() runs it in process
const hono = new Hono();
const honoMw = honoStatus({ serverName: 'web-1' });
hono.use(honoMw);
const honoRes = await hono.request('/status/web?format=json');
console.log('hono', honoRes.status, await honoRes.text());

// Anything Web-standard (Bun, Deno, workers): (Request) => Promise<Response>;
// in Bun: Bun.serve({ fetch: (req) => handler.fetch(req) });
const handler = createStatusHandler({ serverName: 'web-1' });
const webRes = await handler.fetch(new Request('http://localhost/status/web?format=json'));
console.log('fetch', webRes.status, await webRes.text());

for (const close of [() => expressMw.close(), () => koaMw.close(), () => honoMw.close(), () => handler.close()]) close();
expressServer.close();
koaServer.close();
await fastify.close();
