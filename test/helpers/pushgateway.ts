// A private, real Prometheus Pushgateway (/usr/bin/prometheus-pushgateway, Debian package
// prometheus-pushgateway) for integration tests: a free loopback port, its persistence file in
// a temp dir, stopped by its own pid. Written after
// /work/shared/reference/services/pushgateway-start.sh.
import type { ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './prometheus.js';
import { spawnService, startWithRetries, stopService } from './service.js';

/** Path of the Pushgateway binary. */
export const PUSHGATEWAY_BIN = process.env.PUSHGATEWAY_BIN ?? '/usr/bin/prometheus-pushgateway';

/** One metric family of a group, as `/api/v1/metrics` returns it. */
export interface PushgatewayFamily {
  type: string;
  help: string;
  metrics: Array<{
    labels: Record<string, string>;
    value?: string;
    count?: string;
    sum?: string;
    quantiles?: Record<string, string>;
    buckets?: Record<string, string>;
  }>;
}

/** One group of `/api/v1/metrics`: its grouping labels and its families by name. */
export interface PushgatewayGroup {
  labels: Record<string, string>;
  families: Record<string, PushgatewayFamily>;
}

/** A running private Pushgateway. */
export class PushgatewayServer {
  constructor(
    readonly port: number,
    readonly dir: string,
    private readonly child: ChildProcess,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** `host:port`, as a Prometheus target. */
  get target(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Every group the Pushgateway holds (its JSON API), with the families by name. */
  async groups(): Promise<PushgatewayGroup[]> {
    const res = await fetch(this.url + '/api/v1/metrics', { signal: AbortSignal.timeout(5000) });
    const body = (await res.json()) as { status: string; data: Array<Record<string, unknown> & { labels: Record<string, string> }> };
    if (body.status !== 'success') throw new Error('pushgateway /api/v1/metrics: ' + JSON.stringify(body));
    return body.data.map((g) => {
      const families: Record<string, PushgatewayFamily> = {};
      for (const [k, v] of Object.entries(g)) {
        if (k === 'labels' || k === 'last_push_successful') continue;
        const f = v as { metrics?: PushgatewayFamily['metrics']; type?: string; help?: string; time_stamp?: string };
        if (f && typeof f === 'object' && Array.isArray(f.metrics)) families[k] = { type: f.type ?? '', help: f.help ?? '', metrics: f.metrics };
      }
      return { labels: g.labels, families };
    });
  }

  /** The `/metrics` text exposition (every group, plus the Pushgateway's own metrics). */
  async text(): Promise<string> {
    return (await fetch(this.url + '/metrics', { signal: AbortSignal.timeout(5000) })).text();
  }

  /** Stops the Pushgateway (SIGTERM, SIGKILL after 10 s) and removes its directory. */
  async stop(): Promise<void> {
    await stopService(this.child, this.dir);
  }
}

/**
 * Starts a private Pushgateway on 127.0.0.1; resolves once `/-/ready` answers. The port is asked
 * from the OS and released before the Pushgateway binds it, so another test may take it
 * meanwhile: a start that fails is retried (3 attempts, each on a new port and directory).
 */
export async function startPushgateway(): Promise<PushgatewayServer> {
  return startWithRetries(`pushgateway (is ${PUSHGATEWAY_BIN} installed? apt-get install prometheus-pushgateway)`, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'scales-pgw-'));
    const port = await freePort();
    const logFile = join(dir, 'pushgateway.log');
    const child = await spawnService(
      PUSHGATEWAY_BIN,
      [`--web.listen-address=127.0.0.1:${port}`, `--persistence.file=${join(dir, 'pushgateway.data')}`, '--web.enable-admin-api'],
      logFile,
    );
    return { server: new PushgatewayServer(port, dir, child), child, port, logFile };
  });
}
