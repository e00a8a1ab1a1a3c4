// End to end: loopback throughput of a small Express 5 server (GET /users/:id, a mounted
// router), measured in interleaved rounds by autocannon in this process; in each round every
// case gets a new server process, warmed up WARM_S seconds, then measured ROUND_S seconds:
//   bare          the app alone
//   scales        + app.use(expressRequestStats())  (scales-metrics request stats)
//   prom-client   + a Counter and a Histogram with labels method/route/status_code, observed on
//                 'finish', as express-prom-bundle sets them up (its default buckets): the
//                 leanest prom-client middleware one can write
//   @prometheus-io/client the same middleware on prom-client's successor (0.16; it warns on
//                 Node 20's engines but runs)
//   express-prom-bundle + promBundle({ includeMethod, includePath }): what most Express users of
//                 prom-client run (its histogram, its path normalisation, on-finished)
//   opentelemetry + @opentelemetry/instrumentation-http with an sdk-metrics MeterProvider (its
//                 http.server.request.duration histogram; no tracing SDK)
// Each round gives every case ROUND_S seconds in turn (the order rotating); a case's ratio to bare
// is taken within each round (so that a slow spell of the machine moves both) and the figure is
// the median of those per-round ratios (1.000 = no cost). Besides throughput (noisy on a
// shared machine: the client and the server compete with everything else), the server's own
// CPU time per request (process.cpuUsage() of the child around each round), the steadier figure.
// Run: BENCH=http-requests npm run bench   (ROUNDS, ROUND_S, WARM_S to change the rounds)
import { type ChildProcess, execFileSync, fork, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { table } from './harness.js';

const CASES = ['bare', 'scales', 'prom-client', '@prometheus-io/client', 'express-prom-bundle', 'opentelemetry'] as const;
type Case = (typeof CASES)[number];
const ROUNDS = Number(process.env.ROUNDS ?? 7);
const ROUND_S = Number(process.env.ROUND_S ?? 3);
/** Seconds of load on each new server before it is measured. */
const WARM_S = Number(process.env.WARM_S ?? 2);
const CONNECTIONS = 16;
const PROFILE_S = Number(process.env.PROFILE_S ?? 5);

const require = createRequire(import.meta.url);

/**
 * On a machine of 2 cores or more with taskset (util-linux), the client (this process) runs on
 * CPU 0 and every server on CPU 1 (PIN=0 turns it off): the scheduler no longer moves them onto
 * each other's core, and a server's GC threads share its core, so what it costs is in its own
 * throughput. The cases run in turn, so one server at a time is busy on CPU 1.
 */
const PIN = process.env.PIN !== '0' && availableParallelism() >= 2 && hasTaskset();

function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A server child of one case, pinned to CPU 1 when PIN, with an IPC channel. */
function startChild(self: string, which: Case, execArgv: string[] = []): ChildProcess {
  const args = [...execArgv, self, '--case', which];
  const stdio: ['ignore', 'inherit', 'inherit', 'ipc'] = ['ignore', 'inherit', 'inherit', 'ipc'];
  return PIN ? spawn('taskset', ['-c', '1', process.execPath, ...args], { stdio }) : fork(self, ['--case', which], { execArgv, stdio });
}

/** The child: one server of one case; sends its port to the parent, then serves until killed. */
async function serveCase(which: Case): Promise<void> {
  if (which === 'opentelemetry') {
    // Before anything loads node:http: the instrumentation patches it when it is required.
    const { MeterProvider, PeriodicExportingMetricReader, InMemoryMetricExporter, AggregationTemporality } = await import(
      '@opentelemetry/sdk-metrics'
    );
    const { registerInstrumentations } = await import('@opentelemetry/instrumentation');
    const { HttpInstrumentation } = await import('@opentelemetry/instrumentation-http');
    const meterProvider = new MeterProvider({
      readers: [
        new PeriodicExportingMetricReader({
          exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE),
          exportIntervalMillis: 10_000,
        }),
      ],
    });
    registerInstrumentations({ instrumentations: [new HttpInstrumentation()], meterProvider });
  }
  const http = require('node:http') as typeof import('node:http');
  const express = require('express') as typeof import('express');
  const app = express();
  if (which === 'scales') {
    const { expressRequestStats } = await import('scales-metrics/express');
    app.use(expressRequestStats());
  } else if (which === 'prom-client' || which === '@prometheus-io/client') {
    const prom = (which === 'prom-client' ? await import('prom-client') : require('@prometheus-io/client')) as typeof import('prom-client');
    const labelNames = ['method', 'route', 'status_code'];
    const requests = new prom.Counter({ name: 'http_requests_total', help: 'Requests', labelNames });
    const duration = new prom.Histogram({
      name: 'http_request_duration_seconds',
      help: 'Duration',
      labelNames,
      buckets: [0.003, 0.03, 0.1, 0.3, 1.5, 10], // express-prom-bundle's default
    });
    app.use(function promMiddleware(req, res, next) {
      const end = duration.startTimer();
      res.once('finish', function promOnFinish() {
        const labels = { method: req.method, route: req.route ? req.baseUrl + String(req.route.path) : '#val', status_code: res.statusCode };
        requests.inc(labels);
        end(labels);
      });
      next();
    });
  } else if (which === 'express-prom-bundle') {
    const promBundle = require('express-prom-bundle') as (opts: Record<string, unknown>) => import('express').RequestHandler;
    app.use(promBundle({ includeMethod: true, includePath: true, autoregister: false }));
  }
  const users = express.Router();
  users.get('/:id', (req, res) => {
    res.json({ id: req.params.id, name: `user ${req.params.id}` });
  });
  app.use('/users', users);
  const server = http.createServer(app);
  server.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as AddressInfo).port }));
  // The parent asks for the server's CPU time before and after each round.
  process.on('message', (m) => {
    if (m === 'exit') process.exit(0); // writes the --cpu-prof profile
    const c = process.cpuUsage();
    process.send?.({ cpuUs: c.user + c.system });
  });
}

/** The child's CPU time so far, in µs. */
function cpuOf(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    child.once('message', (m) => resolve((m as { cpuUs: number }).cpuUs));
    child.send('cpu');
  });
}

/** Where each case's own code lives (a frame's script URL, and for this file the function name). */
const OWN_CODE: Record<Case, ((url: string, fn: string) => boolean) | null> = {
  bare: null,
  scales: (url) => /\/dist\/(http|runtime|stats|sampling|core|registry)\/[^/]+\.js$/.test(url),
  'prom-client': (url, fn) =>
    /\/node_modules\/(prom-client|tdigest|bintrees)\//.test(url) || (url.endsWith('http-requests.bench.js') && fn.startsWith('prom')),
  '@prometheus-io/client': (url, fn) =>
    /\/node_modules\/@prometheus-io\/client\//.test(url) || (url.endsWith('http-requests.bench.js') && fn.startsWith('prom')),
  'express-prom-bundle': (url) => /\/node_modules\/(express-prom-bundle|prom-client|tdigest|bintrees|on-finished|url-value-parser)\//.test(url),
  opentelemetry: (url) => /\/node_modules\/@opentelemetry\//.test(url),
};

type CpuProfile = {
  nodes: { id: number; callFrame: { url: string; functionName: string }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
};

/**
 * The share of the server's CPU samples (idle and GC left out) that the case's own code spent:
 * a sample is its when the innermost frame that is not Node's own (node:*, native) is its code,
 * so Node work it calls (res.on, performance.now) is its, and the app's work it calls (next())
 * is not. One process per case under PROFILE_S seconds of load, profiled by V8 (--cpu-prof): a
 * ratio inside one process, which other jobs on the machine hardly move.
 */
async function profileShare(self: string, which: Case, seconds: number): Promise<number> {
  const own = OWN_CODE[which];
  if (own === null) return 0;
  const dir = await mkdtemp(join(tmpdir(), 'scales-http-prof-'));
  try {
    const child = startChild(self, which, ['--cpu-prof', `--cpu-prof-dir=${dir}`]);
    const port = await new Promise<number>((resolve) => child.once('message', (m) => resolve((m as { port: number }).port)));
    await autocannon({ url: `http://127.0.0.1:${port}/users/1`, connections: CONNECTIONS, duration: 1 }); // warm up
    await autocannon({ url: `http://127.0.0.1:${port}/users/1`, connections: CONNECTIONS, duration: seconds });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.send('exit');
    await exited;
    const file = (await readdir(dir)).find((f) => f.endsWith('.cpuprofile'))!;
    const prof = JSON.parse(await readFile(join(dir, file), 'utf8')) as CpuProfile;
    const parent = new Map<number, number>();
    const byId = new Map(prof.nodes.map((n) => [n.id, n]));
    for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    const mine = new Map<number, boolean>();
    const isMine = (id: number): boolean => {
      let v = mine.get(id);
      if (v === undefined) {
        const { url, functionName } = byId.get(id)!.callFrame;
        const p = parent.get(id);
        if (url === '' || url.startsWith('node:')) v = p !== undefined && isMine(p);
        else v = own(url, functionName);
        mine.set(id, v);
      }
      return v;
    };
    let total = 0;
    let ours = 0;
    for (let i = 0; i < prof.samples.length; i++) {
      const name = byId.get(prof.samples[i]!)!.callFrame.functionName;
      if (name === '(idle)' || name === '(garbage collector)' || name === '(program)') continue;
      const dt = prof.timeDeltas[i]!;
      total += dt;
      if (isMine(prof.samples[i]!)) ours += dt;
    }
    return ours / total;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const self = fileURLToPath(import.meta.url);
  if (PIN) execFileSync('taskset', ['-a', '-p', '-c', '0', String(process.pid)], { stdio: 'ignore' }); // every thread of the client
  const live = new Set<ChildProcess>();
  /** A fresh server of case `c`: started, warmed up (JIT, pools) for WARM_S seconds. */
  const serve = async (c: Case): Promise<{ child: ChildProcess; port: number }> => {
    const child = startChild(self, c);
    live.add(child);
    const port = await new Promise<number>((resolve, reject) => {
      child.once('message', (m) => resolve((m as { port: number }).port));
      child.once('exit', (code) => reject(new Error(`case ${c} exited with ${code}`)));
    });
    await autocannon({ url: `http://127.0.0.1:${port}/users/1`, connections: CONNECTIONS, duration: WARM_S });
    return { child, port };
  };
  const stop = async (child: ChildProcess): Promise<void> => {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill();
    await exited;
    live.delete(child);
  };
  try {
    const rps = new Map<Case, number[]>(CASES.map((c) => [c, []]));
    const latency = new Map<Case, number[]>(CASES.map((c) => [c, []]));
    const cpuPerRequest = new Map<Case, number[]>(CASES.map((c) => [c, []]));
    for (let r = 0; r < ROUNDS; r++) {
      // Rotate the order each round, so that no case always follows the same one.
      const order = CASES.map((_, i) => CASES[(i + r) % CASES.length]!);
      for (const c of order) {
        // A new process each round: how the JIT happens to compile a process's hot paths moves
        // its throughput by several percent for its whole life, so one process per case would
        // carry that luck into every round.
        const { child, port } = await serve(c);
        const cpu0 = await cpuOf(child);
        const res = await autocannon({ url: `http://127.0.0.1:${port}/users/${r}`, connections: CONNECTIONS, duration: ROUND_S });
        const cpu1 = await cpuOf(child);
        await stop(child);
        if (res.errors > 0 || res.non2xx > 0) throw new Error(`${c}: ${res.errors} errors, ${res.non2xx} non-2xx`);
        cpuPerRequest.get(c)!.push((cpu1 - cpu0) / res.requests.total);
        rps.get(c)!.push(res.requests.average);
        latency.get(c)!.push(res.latency.average);
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
    /** Per round, the case's figure over bare's in the same round. */
    const perRound = (m: Map<Case, number[]>, c: Case) => m.get(c)!.map((x, r) => x / m.get('bare')![r]!);
    const scalesRps = perRound(rps, 'scales');
    table(
      `Express 5, GET /users/:id on loopback, autocannon ${CONNECTIONS} connections, ${ROUNDS} rounds x ${ROUND_S} s per case, a new process per case and round${PIN ? ' (servers on CPU 1, the client on CPU 0)' : ''} (ratios: median of the per-round ratios to bare)`,
      [
        'case',
        'requests/s',
        'throughput vs bare',
        'server CPU µs/request',
        'CPU vs bare',
        'rounds scales beat it',
        'mean latency ms',
        'rounds (req/s)',
      ],
      CASES.map((c) => [
        c,
        median(rps.get(c)!),
        median(perRound(rps, c)).toFixed(3),
        median(cpuPerRequest.get(c)!),
        median(perRound(cpuPerRequest, c)).toFixed(3),
        c === 'bare' || c === 'scales' ? '' : `${perRound(rps, c).filter((x, r) => scalesRps[r]! > x).length}/${ROUNDS}`,
        median(latency.get(c)!),
        rps
          .get(c)!
          .map((x) => x.toFixed(0))
          .join(' '),
      ]),
    );
  } finally {
    for (const ch of live) ch.kill();
  }
  const shares: (string | number)[][] = [];
  for (const c of CASES) if (c !== 'bare') shares.push([c, `${((await profileShare(self, c, PROFILE_S)) * 100).toFixed(2)}%`]);
  table(
    `Share of the server's CPU in the instrumentation's own code (V8 CPU profile, ${PROFILE_S} s under load, GC and idle left out)`,
    ['case', 'share'],
    shares,
  );
}

const at = process.argv.indexOf('--case');
if (at >= 0) await serveCase(process.argv[at + 1] as Case);
else await main();
