// README "Status pages": the standalone status server, and the same pages inside your own
// node http server (with a bearer token). Run with --keep to leave it running and open the URL.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as scales from 'scales-metrics';
import { createNodeHandler, serveInBackground } from 'scales-metrics/http';

const STATS = scales.collection('/web', scales.intStat('success'), scales.intDictStat('byPath'), scales.pmfStat('latency'));
scales.collection('/db', scales.intStat('queries'));
scales.setCollapsed('/db'); // a link on the page, left out of JSON

// 1. The standalone server, in the background; binds 127.0.0.1 unless you pass `host`.
const server = await serveInBackground(Number(process.env.PORT ?? 0), { serverName: 'something-server-42' });
console.log('status page:', server.url); // http://127.0.0.1:<port>/status/

// 2. The same pages inside your own server, behind a bearer token.
const status = createNodeHandler({ serverName: 'something-server-42', auth: { token: 's3cret' } });
const app = http.createServer((req, res) =>
  status(req, res, () => {
    const t = STATS.latency.time();
    STATS.success += 1;
    STATS.byPath[req.url ?? '/'] += 1;
    res.end('hello');
    t.stop();
  }),
);
await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;

await fetch(base + '/a');
await fetch(base + '/a');
await fetch(base + '/b');

const json = await fetch(server.url + 'web?format=json');
console.log('json:', JSON.stringify(await json.json()));
const filtered = await fetch(server.url + '?format=json&query=' + encodeURIComponent('/a >= 2'));
console.log('query:', JSON.stringify(await filtered.json()));
const metrics = await fetch(server.url.replace('/status/', '/metrics'));
console.log(
  'metrics:',
  (await metrics.text())
    .split('\n')
    .filter((l) => l.startsWith('web_by_path'))
    .join(' | '),
);
console.log('no token:', (await fetch(base + '/status/')).status);
console.log('token:', (await fetch(base + '/status/web', { headers: { authorization: 'Bearer s3cret' } })).status);

if (process.argv.includes('--keep')) {
  console.log('serving until Ctrl-C');
  setInterval(() => {}, 1 << 30); // the status server alone does not keep the process alive
} else {
  status.close();
  app.close();
  await server.close();
}
