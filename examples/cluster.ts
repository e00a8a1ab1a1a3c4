// node:cluster as one tree: the primary serves the status page, /metrics and JSON of every
// worker merged; each worker declares and writes its stats as usual and calls reportStats().
// Run: node build/examples/cluster.js (STATUS_PORT and APP_PORT pick the ports; 0: free ones).
// test/cluster/examples.test.ts runs it.
import cluster from 'node:cluster';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as scales from 'scales-metrics';
import { clusterStats, reportStats } from 'scales-metrics/cluster';
import { serveInBackground } from 'scales-metrics/http';

if (cluster.isPrimary) {
  // In the primary: one source of every worker's stats, for the page (or Graphite, or dumps).
  const source = clusterStats();
  const server = await serveInBackground(Number(process.env.STATUS_PORT ?? 8765), { source });
  console.log('page:', server.url);
  for (let i = 0; i < 2; i++) cluster.fork();

  // The rest sends the app a little traffic and shows the result.
  const app = await new Promise<string>((resolve) =>
    cluster.on('listening', (_w, address: AddressInfo) => {
      if (Object.keys(cluster.workers ?? {}).length === 2) resolve(`http://127.0.0.1:${address.port}/`);
    }),
  );
  for (let i = 0; i < 20; i++) await (await fetch(app, { headers: { connection: 'close' } })).text();
  let web: { requests?: number; latency?: { count: number } } = {};
  while (web.requests !== 20) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    web = await (await fetch(`${server.url}web?format=json`)).json();
  }
  console.log('merged:', JSON.stringify({ requests: web.requests, latencyCount: web.latency?.count }));
  for (const id of ['1', '2']) {
    const w = await (await fetch(`${server.url}workers/${id}?format=json`)).json();
    console.log(`worker ${id}:`, JSON.stringify({ state: w.state, requests: w.web?.requests ?? 0 }));
  }
  for (const w of Object.values(cluster.workers ?? {})) w?.kill();
  await server.close();
} else {
  // In each worker: stats as usual, and one call that reports them to the primary every second.
  const STATS = scales.collection('/web', scales.intStat('requests'), scales.pmfStat('latency'));
  createServer((_req, res) => {
    STATS.latency.time(() => {
      STATS.requests += 1;
      res.end('ok');
    });
  }).listen(Number(process.env.APP_PORT ?? 8080), '127.0.0.1');
  reportStats();
}
