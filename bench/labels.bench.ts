// A write with three labels (method, route, status) on an existing combination, side by side with
// prom-client and its successor @prometheus-io/client in one process; and the one-key writes it
// must not slow down (a plain field, STATS.x += 1, STATS.$.byPath.inc(key)).
// Run: BENCH=labels npm run bench   (or: node --expose-gc build/bench/labels.bench.js)
import { createRequire } from 'node:module';
import * as prom from 'prom-client';
import * as scales from 'scales-metrics';
import { consume, fmt, nsPerIteration, table } from './harness.js';

const require = createRequire(import.meta.url);
// @prometheus-io/client 0.16 (prom-client's successor) is CommonJS; it warns on Node 20 engines but runs.
const promIo = require('@prometheus-io/client') as typeof prom;

const N = 20_000_000;
const METHODS = ['GET', 'POST'];
const ROUTES = Array.from({ length: 5 }, (_, i) => `/route/${i}`);
const STATUSES = [200, 404, 500];
/** The label sets written, one object per combination (as a request handler would build one). */
const SETS = METHODS.flatMap((method) => ROUTES.flatMap((route) => STATUSES.map((status) => ({ method, route, status }))));
const K = SETS.length; // 30
const STR_SETS = SETS.map((s) => ({ method: s.method, route: s.route, status: String(s.status) }));

const registry = new scales.Registry();
const STATS = registry.collection(
  '/http',
  scales.intStat('success'),
  scales.intDictStat('byPath'),
  scales.intDictStat('requests', { labels: ['method', 'route', 'status'] }),
);
for (const r of ROUTES) STATS.byPath[r] += 1;
for (const s of SETS) STATS.$.requests.inc(s);
const children = SETS.map((s) => STATS.$.requests.labels(s.method, s.route, s.status));

const promCounter = new prom.Counter({ name: 'requests', help: 'h', labelNames: ['method', 'route', 'status'], registers: [] });
for (const s of STR_SETS) promCounter.inc(s);
const promChildren = STR_SETS.map((s) => promCounter.labels(s.method, s.route, s.status));
const ioCounter = new promIo.Counter({ name: 'requests', help: 'h', labelNames: ['method', 'route', 'status'], registers: [] });
for (const s of STR_SETS) ioCounter.inc(s);
const ioChildren = STR_SETS.map((s) => ioCounter.labels(s.method, s.route, s.status));

// ---- the one-key writes (must stay as they were) ---------------------------------------------
const plain = { success: 0 };
const field = nsPerIteration((n) => {
  for (let i = 0; i < n; i++) plain.success += 1;
}, N);
const statInc = nsPerIteration((n) => {
  for (let i = 0; i < n; i++) STATS.success += 1;
}, N);
const dictHandle = nsPerIteration((n) => {
  const h = STATS.$.byPath;
  for (let i = 0; i < n; i++) h.inc(ROUTES[i % 5]!);
}, N / 10);
consume(plain.success + STATS.success);
table(
  'One-key writes (ns/op, best of 7 rounds)',
  ['case', 'ns/op', 'x plain field'],
  [
    ['plain object field: o.success += 1', field, 1],
    ['scales: STATS.success += 1', statInc, statInc / field],
    ['scales: STATS.$.byPath.inc(route)', dictHandle, dictHandle / field],
  ],
);

// ---- three labels, an existing combination of 30 ---------------------------------------------
const objectForm = nsPerIteration((n) => {
  const h = STATS.$.requests;
  for (let i = 0; i < n; i++) h.inc(SETS[i % K]!);
}, N / 10);
const boundChild = nsPerIteration((n) => {
  for (let i = 0; i < n; i++) children[i % K]!.inc();
}, N / 10);
const promObject = nsPerIteration((n) => {
  for (let i = 0; i < n; i++) promCounter.inc(STR_SETS[i % K]!);
}, N / 40);
const ioObject = nsPerIteration((n) => {
  for (let i = 0; i < n; i++) ioCounter.inc(STR_SETS[i % K]!);
}, N / 40);
const promChild = nsPerIteration((n) => {
  for (let i = 0; i < n; i++) promChildren[i % K]!.inc();
}, N / 20);
const ioChild = nsPerIteration((n) => {
  for (let i = 0; i < n; i++) ioChildren[i % K]!.inc();
}, N / 20);
table(
  'Three labels (method, route, status) on an existing combination of 30 (ns/op)',
  ['case', 'ns/op', 'x @prometheus-io/client inc({...})'],
  [
    ['scales: requests.inc({ method, route, status })', objectForm, objectForm / ioObject],
    ['scales: child.inc() (child = requests.labels(m, r, s))', boundChild, boundChild / ioObject],
    ['@prometheus-io/client: counter.inc({ method, route, status })', ioObject, 1],
    ['@prometheus-io/client: child.inc() (child = labels(m, r, s))', ioChild, ioChild / ioObject],
    ['prom-client: counter.inc({ method, route, status })', promObject, promObject / ioObject],
    ['prom-client: child.inc() (child = labels(m, r, s))', promChild, promChild / ioObject],
  ],
);
consume(STATS.$.requests.size);

console.log(
  `\nTargets: a three-label write <= 0.5x @prometheus-io/client's inc({ method, route, status }) (object form ${fmt(objectForm / ioObject)}x, bound child ${fmt(boundChild / ioObject)}x); STATS.success += 1 ~1x a plain field (${fmt(statInc / field)}x).`,
);
