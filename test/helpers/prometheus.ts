// A private, real Prometheus (/usr/bin/prometheus) for integration tests: its own config and
// TSDB in a temp dir, a free loopback port, scrape interval 1 s, stopped by its own pid.
// Written after /work/shared/reference/services/prometheus-start.sh.
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnService, startWithRetries, stopService } from './service.js';

/** Path of the Prometheus binary (Debian package `prometheus`). */
export const PROMETHEUS_BIN = process.env.PROMETHEUS_BIN ?? '/usr/bin/prometheus';

/** A free TCP port on 127.0.0.1 (asked from the OS). */
export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as { port: number }).port;
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

/** Options of {@link startPrometheus}. */
export interface PrometheusOptions {
  /** `host:port` targets, loopback only. */
  targets: string[];
  /** Scrape path (default /metrics). */
  metricsPath?: string;
  /** Scrape interval (default 1s). */
  interval?: string;
  /** Extra server flags, e.g. `['--enable-feature=native-histograms']` (then Prometheus asks for the protobuf exposition first). */
  flags?: readonly string[];
  /** Keep the scraped `job`/`instance` labels instead of renaming them `exported_*` (what a Pushgateway target needs). */
  honorLabels?: boolean;
}

/** One instant-query result. */
export interface PromSample {
  metric: Record<string, string>;
  value: [number, string];
}

/** A running private Prometheus. */
export class PrometheusServer {
  constructor(
    readonly port: number,
    readonly dir: string,
    private readonly child: ChildProcess,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** GET a Prometheus API path, parsed. */
  async api<T>(path: string): Promise<T> {
    const res = await fetch(this.url + path, { signal: AbortSignal.timeout(5000) });
    const body = (await res.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`prometheus ${path}: ${body.error}`);
    return body.data;
  }

  /** Instant query. */
  async query(expr: string): Promise<PromSample[]> {
    const data = await this.api<{ resultType: string; result: PromSample[] }>('/api/v1/query?query=' + encodeURIComponent(expr));
    return data.result;
  }

  /** Polls `fn` every 200 ms until it returns a truthy value or `ms` pass (then returns the last value). */
  async poll<T>(fn: () => Promise<T>, ms: number): Promise<T> {
    const end = Date.now() + ms;
    for (;;) {
      let v: T | undefined;
      try {
        v = await fn();
      } catch {
        v = undefined;
      }
      if (v || Date.now() > end) return v as T;
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** Waits until `expr` has a sample accepted by `test`; resolves the samples (or [] on timeout). */
  async waitFor(expr: string, test: (s: PromSample[]) => boolean, ms = 20000): Promise<PromSample[]> {
    return (
      (await this.poll(async () => {
        const r = await this.query(expr);
        return r.length > 0 && test(r) ? r : undefined;
      }, ms)) ?? []
    );
  }

  /** The active targets with their health and last error. */
  async targets(): Promise<Array<{ scrapeUrl: string; health: string; lastError: string }>> {
    return (await this.api<{ activeTargets: Array<{ scrapeUrl: string; health: string; lastError: string }> }>('/api/v1/targets')).activeTargets;
  }

  /** Stops Prometheus (SIGTERM, SIGKILL after 10 s) and removes its directory. */
  async stop(): Promise<void> {
    await stopService(this.child, this.dir);
  }
}

/**
 * Starts a private Prometheus scraping `targets`; resolves once `/-/ready` answers. The port is
 * asked from the OS and released before Prometheus binds it, so another test may take it
 * meanwhile: a start that fails is retried (3 attempts, each on a new port and directory).
 */
export async function startPrometheus(options: PrometheusOptions): Promise<PrometheusServer> {
  for (const t of options.targets) {
    if (!/^(127\.\d+\.\d+\.\d+|localhost|\[::1\]):\d+$/.test(t)) throw new Error(`refusing non-loopback target ${t}`);
  }
  const interval = options.interval ?? '1s';
  const config = [
    'global:',
    `  scrape_interval: ${interval}`,
    `  scrape_timeout: ${interval}`,
    `  evaluation_interval: ${interval}`,
    'scrape_configs:',
    '  - job_name: target',
    `    metrics_path: ${options.metricsPath ?? '/metrics'}`,
    `    honor_labels: ${options.honorLabels === true}`,
    '    static_configs:',
    `      - targets: [${options.targets.map((t) => `'${t}'`).join(', ')}]`,
    '',
  ].join('\n');
  return startWithRetries('prometheus', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'scales-prom-'));
    await writeFile(join(dir, 'prometheus.yml'), config);
    const port = await freePort();
    const logFile = join(dir, 'prometheus.log');
    const child = await spawnService(
      PROMETHEUS_BIN,
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--storage.tsdb.retention.time=1h',
        ...(options.flags ?? []),
      ],
      logFile,
    );
    // Prometheus opens its TSDB and replays its WAL before it is ready.
    return { server: new PrometheusServer(port, dir, child), child, port, logFile };
  });
}
