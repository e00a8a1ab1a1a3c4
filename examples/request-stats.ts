// docs/requests.md: request stats in one line per server or framework (node:http, Express,
// Fastify, Koa, Hono), all recording into the default registry's /http; each app answers
// GET /users/:id, and the status page's own requests are left out.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import Koa from 'koa';
import * as scales from 'scales-metrics';
import { expressRequestStats, expressStatus } from 'scales-metrics/express';
import { fastifyRequestStats } from 'scales-metrics/fastify';
import { honoRequestStats } from 'scales-metrics/hono';
import { recordRequests } from 'scales-metrics/http';
import { koaRequestStats } from 'scales-metrics/koa';

const urlOf = (server: http.Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const listening = (server: http.Server) => new Promise((resolve) => server.once('listening', resolve));

// Express 4 or 5: first middleware; the route is the template, mount paths included ('/users/:id')
const app = express();
app.use(expressRequestStats());
const status = expressStatus(); // the status page: its own requests are not counted
app.use(status);
app.get('/users/:id', (req, res) => {
  res.send(`user ${req.params.id}`);
});
const expressServer = http.createServer(app).listen(0, '127.0.0.1');
await listening(expressServer);

// Fastify 5: a plugin (the route is routeOptions.url)
const fastify = Fastify();
await fastify.register(fastifyRequestStats());
fastify.get('/users/:id', async (req) => `user ${(req.params as { id: string }).id}`);
await fastify.listen({ port: 0, host: '127.0.0.1' });

// Koa: first middleware (the route is the template @koa/router matched, ctx._matchedRoute)
const koa = new Koa();
koa.use(koaRequestStats({ route: (ctx) => (ctx.path.startsWith('/users/') ? '/users/:id' : undefined) }));
koa.use(async (ctx) => {
  ctx.body = `user ${ctx.path.slice('/users/'.length)}`;
});
const koaServer = http.createServer(koa.callback()).listen(0, '127.0.0.1');
await listening(koaServer);

// Hono: first middleware (on @hono/node-server, followed to the last byte on the connection)
const hono = new Hono();
hono.use(honoRequestStats());
hono.get('/users/:id', (c) => c.text(`user ${c.req.param('id')}`));
const honoServer = serve({ fetch: hono.fetch, port: 0, hostname: '127.0.0.1' }) as http.Server;
await listening(honoServer);

// node:http or https: no router, so say how to name the route (never the raw URL)
const nodeServer = http.createServer((req, res) => res.end(`user ${req.url?.slice('/users/'.length)}`));
recordRequests(nodeServer, { route: (req) => (req.url?.startsWith('/users/') ? '/users/:id' : undefined) });
nodeServer.listen(0, '127.0.0.1');
await listening(nodeServer);

for (const server of [expressServer, fastify.server, koaServer, honoServer, nodeServer]) {
  for (const id of [1, 2]) await (await fetch(`${urlOf(server)}/users/${id}`)).text();
}
await (await fetch(`${urlOf(expressServer)}/status/`)).text(); // not counted

// 5 servers x 2 requests, all under the template; the page request is not there
type Requests = Record<string, Record<string, Record<string, number>>>;
const requests = () => (scales.getStats('/http') as { requests: Requests }).requests;
while ((requests().GET?.['/users/:id']?.['200'] ?? 0) < 10) await new Promise((r) => setTimeout(r, 5)); // the last 'close'
console.log(JSON.stringify(requests())); // {"GET":{"/users/:id":{"200":10}}}

status.close();
for (const server of [expressServer, koaServer, honoServer, nodeServer]) server.close();
await fastify.close();
