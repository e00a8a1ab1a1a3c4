// The README's first quick-start command runs this demo: check that it starts, serves its
// status page with live numbers from its own traffic, and stops cleanly on SIGTERM.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const demo = fileURLToPath(new URL('../../examples/demo.js', import.meta.url));

test('npm run demo: a live instrumented service with its status page', async () => {
  const child = spawn(process.execPath, [demo, '--port', '0', '--status-port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    let out = '';
    child.stdout.setEncoding('utf8');
    const statusUrl = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`demo printed no status URL:\n${out}`)), 15_000);
      child.stdout.on('data', (d: string) => {
        out += d;
        const m = /status page:\s+(http:\/\/127\.0\.0\.1:\d+\/status\/)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      child.once('exit', (code) => reject(new Error(`demo exited early (${code}):\n${out}`)));
    });
    // Poll (with a deadline) until the demo's own traffic shows up in its stats.
    const deadline = Date.now() + 15_000;
    let stats: {
      http?: {
        requests?: { [method: string]: { [route: string]: { [status: string]: number } } };
        latency?: { GET?: { [route: string]: { count: number } } };
      };
      web?: { itemViews?: { [item: string]: number } };
      pool?: { jobsDone?: number };
      process?: { eventLoop?: { delaySeconds?: { count: number } }; memory?: { heapUsedBytes?: number } };
    } = {};
    while (Date.now() < deadline) {
      stats = (await (await fetch(`${statusUrl}?format=json`)).json()) as typeof stats;
      if (answered(stats) >= 5 && (stats.pool?.jobsDone ?? 0) >= 1 && (stats.process?.eventLoop?.delaySeconds?.count ?? 0) >= 1) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    // recordRequests(app): requests by method, route template (never the raw URL) and status.
    assert.ok(answered(stats) >= 5, JSON.stringify(stats.http));
    const routes = new Set(Object.values(stats.http?.requests ?? {}).flatMap((byRoute) => Object.keys(byRoute)));
    for (const r of routes) assert.ok(['/', '/slow', '/error', '/items/:id', '(unmatched)'].includes(r), `route ${r}`);
    assert.ok(Object.values(stats.http?.latency?.GET ?? {}).some((p) => p.count >= 1));
    assert.ok((stats.pool?.jobsDone ?? 0) >= 1);
    // collectRuntimeStats(): the process's own stats beside the app's.
    assert.ok((stats.process?.eventLoop?.delaySeconds?.count ?? 0) >= 1);
    assert.ok((stats.process?.memory?.heapUsedBytes ?? 0) > 0);
    const html = await (await fetch(statusUrl)).text();
    assert.match(html, /<title>scales-demo - Status: \/<\/title>/);
    const prom = await (await fetch(statusUrl.replace('/status/', '/metrics'))).text();
    assert.match(prom, /^http_requests_total\{method="GET",route="[^"]+",status="\d+"\} \d+$/m);
    assert.match(prom, /^# TYPE http_request_duration_seconds histogram$/m);
  } finally {
    // A demo that already exited would never emit 'exit' again (the wait would hang until the
    // suite's timeout); the error the test failed with already says how it ended.
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const [code, signal] = await once(child, 'exit');
      assert.ok(code === 0 || signal === 'SIGTERM', `demo exit ${code} ${signal}`);
    }
  }
});

type Tree = { http?: { requests?: { [method: string]: { [route: string]: { [status: string]: number } } } } };
/** Requests the demo's request stats counted, every method, route and status. */
function answered(stats: Tree): number {
  let n = 0;
  for (const byRoute of Object.values(stats.http?.requests ?? {}))
    for (const byStatus of Object.values(byRoute)) for (const c of Object.values(byStatus)) n += c;
  return n;
}
