// The request-stats glue alone, in one process, on Node's real IncomingMessage/ServerResponse
// objects (no sockets): each "request" builds the pair, runs one Express-style middleware, sets
// the route and status as Express would, and emits 'finish' and 'close' as Node does when the
// response is sent. Cases side by side, each with its own loop:
//   bare                 the pair alone (the baseline subtracted from the others)
//   scales               expressRequestStats(): count by method/route/status, latency pmf per
//                        route, in-flight time, bytes sent
//   prom-client          a Counter and a Histogram with labels method/route/status_code,
//                        observed on 'finish' (the e2e bench's hand-written middleware)
//   @prometheus-io/client the same on prom-client's successor (0.16)
//   express-prom-bundle  promBundle({ includeMethod, includePath }) (its histogram, its path
//                        normalisation, on-finished)
// What it shows: the glue's own cost per request, steady to a few ns, where the end-to-end
// benchmark (http-requests.bench.ts) sees it through the noise of a whole server and client.
// Run: BENCH=request-glue npm run bench   (or: node --expose-gc build/bench/request-glue.bench.js)
import { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { Socket } from 'node:net';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import * as prom from 'prom-client';
import * as scales from 'scales-metrics';
import { expressRequestStats } from 'scales-metrics/express';
import { fmt, table } from './harness.js';

const require = createRequire(import.meta.url);
// @prometheus-io/client 0.16 (prom-client's successor) is CommonJS; it warns on Node 20 engines but runs.
const promIo = require('@prometheus-io/client') as typeof prom;
const promBundle = require('express-prom-bundle') as (opts: Record<string, unknown>) => RequestHandler;

const N = Number(process.env.N ?? 300_000);
const ROUNDS = Number(process.env.ROUNDS ?? 9);
const socket = new Socket();
const route = { path: '/:id' };
const next: NextFunction = () => {};

type Middleware = (req: Request, res: Response, next: NextFunction) => void;

function promMiddleware(lib: typeof prom): Middleware {
  const registry = new lib.Registry();
  const labelNames = ['method', 'route', 'status_code'];
  const requests = new lib.Counter({ name: 'http_requests_total', help: 'Requests', labelNames, registers: [registry] });
  const duration = new lib.Histogram({
    name: 'http_request_duration_seconds',
    help: 'Duration',
    labelNames,
    buckets: [0.003, 0.03, 0.1, 0.3, 1.5, 10],
    registers: [registry],
  });
  return (req, res, next) => {
    const end = duration.startTimer();
    res.once('finish', () => {
      const labels = { method: req.method, route: req.route ? req.baseUrl + String(req.route.path) : '#val', status_code: res.statusCode };
      requests.inc(labels);
      end(labels);
    });
    next();
  };
}

const CASES: Record<string, Middleware> = {
  bare: (_req, _res, next) => next(),
  scales: expressRequestStats({ registry: new scales.Registry() }),
  'prom-client': promMiddleware(prom),
  '@prometheus-io/client': promMiddleware(promIo),
  'express-prom-bundle': promBundle({ includeMethod: true, includePath: true, autoregister: false, promRegistry: new prom.Registry() }),
};

/** One loop per case (its own closure, so the JIT's feedback is not shared): ns per request. */
function loopFor(mw: Middleware): (n: number) => void {
  return (n) => {
    for (let i = 0; i < n; i++) {
      const req = new IncomingMessage(socket) as Request;
      req.method = 'GET';
      req.url = `/users/${i & 7}`;
      (req as { originalUrl: string }).originalUrl = req.url;
      req.baseUrl = '';
      const res = new ServerResponse(req) as Response;
      mw(req, res, next);
      // What Express and Node do by the time the response is sent.
      req.baseUrl = '/users';
      (req as { route: unknown }).route = route;
      res.statusCode = 200;
      (res as { finished: boolean }).finished = true;
      res.emit('finish');
      res.emit('close');
    }
  };
}

const loops = Object.fromEntries(Object.entries(CASES).map(([k, mw]) => [k, loopFor(mw)]));
const best: Record<string, number> = {};
for (const k of Object.keys(loops)) loops[k]!(50_000); // warm up
// Interleaved rounds, best of each: the least disturbed by GC and the other core.
for (let r = 0; r < ROUNDS; r++) {
  for (const [k, loop] of Object.entries(loops)) {
    const t0 = process.hrtime.bigint();
    loop(N);
    const ns = Number(process.hrtime.bigint() - t0) / N;
    best[k] = Math.min(best[k] ?? Number.POSITIVE_INFINITY, ns);
  }
}
const bare = best.bare!;
const own = (k: string) => best[k]! - bare;
table(
  `Request-stats glue per request on Node's req/res objects (best of ${ROUNDS} rounds of ${N.toLocaleString('en-US')})`,
  ['case', 'ns/request', 'glue ns (minus bare)', 'glue vs scales'],
  Object.keys(best).map((k) => [k, fmt(best[k]!), k === 'bare' ? '' : fmt(own(k)), k === 'bare' ? '' : `${(own(k) / own('scales')).toFixed(2)}x`]),
);
