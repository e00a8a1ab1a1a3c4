// One small app per server or framework, all with the same routes, each recording its requests
// with its one line of scales-metrics glue and serving the status page (and /metrics) of the same
// registry, listening on 127.0.0.1 on a free port. Used by request-stats.test.ts and the bench.
//   GET  /users/:id   200 'user <id>'
//   POST /items       201 '{"ok":true}'
//   GET  /fail        the handler throws: 500
//   GET  /sleep/:ms   200 after ms milliseconds
//   GET  /hang        answers only after 10 s (the client gives up first: aborted)
//   anything else     404 (no route: UNMATCHED_ROUTE)
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { serve as honoServe } from '@hono/node-server';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import Koa from 'koa';
import type * as scales from 'scales-metrics';
import { expressRequestStats, expressStatus } from 'scales-metrics/express';
import { fastifyRequestStats, fastifyStatus } from 'scales-metrics/fastify';
import { honoRequestStats, honoStatus } from 'scales-metrics/hono';
import { createNodeHandler, recordRequests } from 'scales-metrics/http';
import { koaRequestStats, koaStatus } from 'scales-metrics/koa';

const require = createRequire(import.meta.url);
const express4 = require('express4') as typeof express;

/** A running app: its base URL and how to stop it. */
export interface RunningApp {
  readonly name: string;
  readonly url: string;
  close(): Promise<void>;
}

/** What every app is built with: the registry its glue and status page use, and the glue's extra options. */
export interface AppOptions {
  registry: scales.Registry;
  includeOwn?: boolean;
  /** Without request stats (the bench's bare case). */
  bare?: boolean;
}

const HANG_MS = 10_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** The /hang wait: unref'd, so that a test process is not kept alive by a request the client dropped. */
const hang = () => new Promise((r) => setTimeout(r, HANG_MS).unref());

function listen(server: http.Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** The route templates, for the node:http server that has no router. */
function nodeRoute(method: string, path: string): { route: string; param: string } | undefined {
  const m = /^\/(users|sleep)\/([^/]+)$/.exec(path);
  if (m !== null && method === 'GET') return { route: `/${m[1]}/:${m[1] === 'users' ? 'id' : 'ms'}`, param: m[2]! };
  if (path === '/items' && method === 'POST') return { route: '/items', param: '' };
  if ((path === '/fail' || path === '/hang') && method === 'GET') return { route: path, param: '' };
  return undefined;
}

async function nodeApp(o: AppOptions): Promise<RunningApp> {
  const status = createNodeHandler({ source: o.registry, metricsPath: '/metrics' });
  const server = http.createServer((req, res) =>
    status(req, res, () => {
      const path = (req.url ?? '/').split('?')[0]!;
      const r = nodeRoute(req.method ?? 'GET', path);
      if (r === undefined) return void res.writeHead(404).end('not found');
      if (r.route === '/users/:id') return void res.end(`user ${r.param}`);
      if (r.route === '/items') return void res.writeHead(201, { 'content-type': 'application/json' }).end('{"ok":true}');
      if (r.route === '/fail') return void res.writeHead(500).end('failed');
      if (r.route === '/sleep/:ms') return void sleep(Number(r.param)).then(() => res.end('slept'));
      setTimeout(() => res.end('late'), HANG_MS).unref();
    }),
  );
  if (!o.bare) {
    recordRequests(server, {
      registry: o.registry,
      includeOwn: o.includeOwn,
      route: (req) => nodeRoute(req.method ?? 'GET', (req.url ?? '/').split('?')[0]!)?.route,
    });
  }
  const url = await listen(server);
  return {
    name: 'node:http',
    url,
    close: async () => {
      status.close();
      await closeServer(server);
    },
  };
}

async function expressApp(o: AppOptions, e: typeof express, name: string): Promise<RunningApp> {
  const app = e();
  app.set('env', 'test'); // the final handler logs no stack
  if (!o.bare) app.use(expressRequestStats({ registry: o.registry, includeOwn: o.includeOwn }));
  const status = expressStatus({ source: o.registry, metricsPath: '/metrics' });
  app.use(status);
  const users = e.Router();
  users.get('/:id', (req, res) => {
    res.send(`user ${req.params.id}`);
  });
  app.use('/users', users); // a mounted router: the template is '/users' + '/:id'
  app.post('/items', (_req, res) => {
    res.status(201).json({ ok: true });
  });
  app.get('/fail', () => {
    throw new Error('boom');
  });
  app.get('/sleep/:ms', async (req, res) => {
    await sleep(Number(req.params.ms));
    res.send('slept');
  });
  app.get('/hang', (_req, res) => {
    setTimeout(() => res.send('late'), HANG_MS).unref();
  });
  const server = http.createServer(app);
  const url = await listen(server);
  return {
    name,
    url,
    close: async () => {
      status.close();
      await closeServer(server);
    },
  };
}

async function fastifyApp(o: AppOptions): Promise<RunningApp> {
  const app = Fastify();
  if (!o.bare) await app.register(fastifyRequestStats({ registry: o.registry, includeOwn: o.includeOwn }));
  await app.register(fastifyStatus({ source: o.registry, metricsPath: '/metrics' }));
  app.get('/users/:id', async (req) => `user ${(req.params as { id: string }).id}`);
  app.post('/items', async (_req, reply) => reply.code(201).send({ ok: true }));
  app.get('/fail', async () => {
    throw new Error('boom');
  });
  app.get('/sleep/:ms', async (req) => {
    await sleep(Number((req.params as { ms: string }).ms));
    return 'slept';
  });
  app.get('/hang', (_req, reply) => {
    setTimeout(() => reply.send('late'), HANG_MS).unref();
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    name: 'fastify',
    url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`,
    close: async () => {
      app.server.closeAllConnections();
      await app.close();
    },
  };
}

async function koaApp(o: AppOptions): Promise<RunningApp> {
  const app = new Koa();
  app.silent = true;
  if (!o.bare) app.use(koaRequestStats({ registry: o.registry, includeOwn: o.includeOwn }));
  const status = koaStatus({ source: o.registry, metricsPath: '/metrics' });
  app.use(status);
  // A router of a few lines, marking the template as @koa/router does (ctx._matchedRoute).
  app.use(async (ctx) => {
    const r = nodeRoute(ctx.method, ctx.path);
    if (r === undefined) return; // Koa answers 404
    (ctx as { _matchedRoute?: string })._matchedRoute = r.route;
    if (r.route === '/users/:id') ctx.body = `user ${r.param}`;
    else if (r.route === '/items') {
      ctx.status = 201;
      ctx.body = { ok: true };
    } else if (r.route === '/fail') throw new Error('boom');
    else if (r.route === '/sleep/:ms') {
      await sleep(Number(r.param));
      ctx.body = 'slept';
    } else {
      await hang();
      ctx.body = 'late';
    }
  });
  const server = http.createServer(app.callback());
  const url = await listen(server);
  return {
    name: 'koa',
    url,
    close: async () => {
      status.close();
      await closeServer(server);
    },
  };
}

/** The Hono app (also used in process, through app.request(), for the Web-standard path). */
export function honoAppOf(o: AppOptions): { app: Hono; close(): void } {
  const app = new Hono();
  app.onError((_e, c) => c.text('failed', 500));
  if (!o.bare) app.use(honoRequestStats({ registry: o.registry, includeOwn: o.includeOwn }));
  const status = honoStatus({ source: o.registry, metricsPath: '/metrics' });
  app.use(status);
  app.get('/users/:id', (c) => {
    const body = `user ${c.req.param('id')}`;
    return c.text(body, 200, { 'content-length': String(Buffer.byteLength(body)) }); // what the Web-standard path counts
  });
  app.post('/items', (c) => c.json({ ok: true }, 201));
  app.get('/fail', () => {
    throw new Error('boom');
  });
  app.get('/sleep/:ms', async (c) => {
    await sleep(Number(c.req.param('ms')));
    return c.text('slept');
  });
  app.get('/hang', async (c) => {
    await hang();
    return c.text('late');
  });
  return { app, close: () => status.close() };
}

async function honoApp(o: AppOptions): Promise<RunningApp> {
  const { app, close } = honoAppOf(o);
  const server = await new Promise<http.Server>((resolve) => {
    const s = honoServe({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s as http.Server));
  });
  return {
    name: 'hono',
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      close();
      await closeServer(server);
    },
  };
}

/** Every server or framework, by name. */
export const APPS: Record<string, (o: AppOptions) => Promise<RunningApp>> = {
  'node:http': nodeApp,
  'express 5': (o) => expressApp(o, express, 'express 5'),
  'express 4': (o) => expressApp(o, express4, 'express 4'),
  'fastify 5': fastifyApp,
  koa: koaApp,
  hono: honoApp,
};
