// Graphite: serialize + send a push of 100,000 datapoints to a local TCP sink (a node:net
// server on 127.0.0.1 in this process that counts bytes), plaintext and pickle in the same run;
// then a whole push() from a registry (snapshot + rules + names + encode + send).
// Target (issue 5): >= 1,000,000 datapoints/s for plaintext.
// Run: npm run bench   (or BENCH=graphite npm run bench)
import net from 'node:net';
import * as scales from 'scales-metrics';
import { GraphitePusher } from 'scales-metrics/graphite';
import { encodePickle } from '../src/graphite/pickle.js';
import { encodePlaintext } from '../src/graphite/plaintext.js';
import { createGraphiteSender, type GraphiteProtocol } from '../src/graphite/sender.js';
import { consume, table } from './harness.js';

const N = 100_000;
const ROUNDS = 7;
const TS = Math.floor(Date.now() / 1000);
const FIELDS = ['count', 'median', '75percentile', '95percentile', '99percentile', 'max', 'm1', 'm5', 'm15', 'errors'];
const names = Array.from({ length: N }, (_, i) => `bench.host-01.web.route-${Math.floor(i / FIELDS.length)}.${FIELDS[i % FIELDS.length]}`);
const values = names.map((_, i) => (i % 3 === 0 ? i : i / 7 + 0.000045));
const batch = { names, values, timestamp: TS };

// The sink: counts bytes; a waiter resolves when the count reaches a target.
let received = 0;
let target = Number.POSITIVE_INFINITY;
let reached: (() => void) | null = null;
const server = net.createServer((s) => {
  s.on('data', (d) => {
    received += d.length;
    if (received >= target && reached) {
      const r = reached;
      reached = null;
      r();
    }
  });
  s.on('error', () => {});
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
const port = (server.address() as net.AddressInfo).port;

function untilReceived(bytes: number): Promise<void> {
  target = bytes;
  if (received >= target) return Promise.resolve();
  return new Promise((r) => {
    reached = r;
  });
}

function bestMs(fn: () => void): number {
  fn();
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < ROUNDS; r++) {
    globalThis.gc?.(); // as in bestMsAsync, so both columns pay for their own garbage only
    const t0 = process.hrtime.bigint();
    fn();
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return best;
}

async function bestMsAsync(fn: () => Promise<void>): Promise<number> {
  await fn();
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < ROUNDS; r++) {
    globalThis.gc?.();
    const t0 = process.hrtime.bigint();
    await fn();
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return best;
}

// Serialize only.
let bytesPlain = 0;
let bytesPickle = 0;
const encPlain = bestMs(() => {
  bytesPlain = encodePlaintext(batch).reduce((n, c) => n + c.bytes.length, 0);
});
const encPickle = bestMs(() => {
  bytesPickle = encodePickle(batch).reduce((n, c) => n + c.bytes.length, 0);
});

// Serialize + send until the sink has every byte (one connection, kept open across rounds).
async function sendCase(protocol: GraphiteProtocol, bytes: number): Promise<number> {
  const sender = createGraphiteSender({ host: '127.0.0.1', port, protocol, bufferBytes: 64 * 1024 * 1024 });
  const ms = await bestMsAsync(async () => {
    const start = received;
    sender.send(batch);
    await untilReceived(start + bytes);
  });
  const stats = sender.stats();
  await sender.close(2000);
  if (stats.dropped !== 0) throw new Error(`${protocol}: ${stats.dropped} datapoints dropped in the bench`);
  return ms;
}
const sendPlain = await sendCase('plaintext', bytesPlain);
const sendPickle = await sendCase('pickle', bytesPickle);

// A whole push() from a registry holding 100,000 numeric leaves (1,000 containers x 100 ints).
const registry = new scales.Registry();
for (let c = 0; c < 1000; c++) {
  const defs = Array.from({ length: 100 }, (_, i) => scales.intStat(`s${i}`));
  const S = registry.collection(`/bench/c${c}`, ...defs) as unknown as Record<string, number>;
  for (let i = 0; i < 100; i++) S[`s${i}`] = c * 100 + i;
}
const pusher = new GraphitePusher('127.0.0.1', port, 'bench', { source: registry, selfStatsPath: null, bufferBytes: 64 * 1024 * 1024 });
pusher.allow('*');
let pushed = 0;
const pushMs = await bestMsAsync(async () => {
  const r = await pusher.push();
  pushed = r.datapoints;
  if (!r.drained) throw new Error('push did not drain');
});
await pusher.close();

// Longest event-loop stall during a push of 100,000 datapoints (the push slices its work).
const pusher2 = new GraphitePusher('127.0.0.1', port, 'bench', { source: registry, selfStatsPath: null, bufferBytes: 64 * 1024 * 1024 });
pusher2.allow('*');
let maxGap = 0;
let last = performance.now();
let ticking = true;
const tick = () => {
  const now = performance.now();
  maxGap = Math.max(maxGap, now - last);
  last = now;
  if (ticking) setImmediate(tick);
};
await pusher2.push(); // warm
last = performance.now();
setImmediate(tick);
await pusher2.push();
ticking = false;
await pusher2.close();
server.close();
consume(pushed);

const rate = (ms: number, n = N) => Math.round((n / ms) * 1000);
table(
  `Graphite: ${N.toLocaleString('en')} datapoints per push (best of ${ROUNDS}; sink: node:net on 127.0.0.1, same process)`,
  ['case', 'ms/push', 'datapoints/s', 'ns/datapoint', 'MB/push', 'x 1M/s target'],
  [
    ['plaintext: serialize only', encPlain, rate(encPlain), (encPlain * 1e6) / N, bytesPlain / 1e6, rate(encPlain) / 1e6],
    ['plaintext: serialize + send over TCP', sendPlain, rate(sendPlain), (sendPlain * 1e6) / N, bytesPlain / 1e6, rate(sendPlain) / 1e6],
    ['pickle: serialize only', encPickle, rate(encPickle), (encPickle * 1e6) / N, bytesPickle / 1e6, rate(encPickle) / 1e6],
    ['pickle: serialize + send over TCP', sendPickle, rate(sendPickle), (sendPickle * 1e6) / N, bytesPickle / 1e6, rate(sendPickle) / 1e6],
    [
      `push() of a registry (${pushed.toLocaleString('en')} leaves, plaintext)`,
      pushMs,
      rate(pushMs, pushed),
      (pushMs * 1e6) / pushed,
      bytesPlain / 1e6,
      rate(pushMs, pushed) / 1e6,
    ],
  ],
);
console.log(`longest event-loop stall during that push(): ${maxGap.toFixed(1)} ms`);
