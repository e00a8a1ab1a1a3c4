/**
 * A private, real carbon-cache (Debian's graphite-carbon) for integration tests: own config and
 * storage in a temporary directory, free ports on 127.0.0.1 (plaintext, pickle, cache query and
 * UDP), no create or update limits, retention 1s:1h. Values are read back from the whisper files
 * with /usr/bin/whisper-fetch. Everything polls with deadlines; nothing sleeps blindly.
 *
 * Carbon does not flush its cache on SIGTERM: read what you need before calling stop().
 */

import { type ChildProcess, execFile, spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync, openSync, closeSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, unlink, writeFile, mkdir } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const CARBON = '/usr/bin/carbon-cache';
const WHISPER_FETCH = '/usr/bin/whisper-fetch';

/** True when carbon-cache and whisper-fetch are installed. */
export const CARBON_AVAILABLE = existsSync(CARBON) && existsSync(WHISPER_FETCH);

/** One datapoint read back: [epoch seconds, value]. */
export type Point = [number, number];

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
});

function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4');
    socket.on('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      const port = socket.address().port;
      socket.close(() => resolve(port));
    });
  });
}

/** Ports that the kernel lists as bound, from /proc/net/tcp (LISTEN) or /proc/net/udp. */
async function boundPorts(proto: 'tcp' | 'udp'): Promise<Set<number>> {
  const text = await readFile(`/proc/net/${proto}`, 'utf8');
  const ports = new Set<number>();
  for (const line of text.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 4) continue;
    if (proto === 'tcp' && cols[3] !== '0A') continue;
    ports.add(Number.parseInt(cols[1].split(':')[1], 16));
  }
  return ports;
}

async function poll<T>(what: string, timeoutMs: number, fn: () => Promise<T | undefined>, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

function config(dir: string, ports: { line: number; pickle: number; query: number; udp: number }): string {
  return `[cache]
STORAGE_DIR = ${dir}/storage
LOCAL_DATA_DIR = ${dir}/storage/whisper
WHITELISTS_DIR = ${dir}/storage/lists
CONF_DIR = ${dir}/conf
LOG_DIR = ${dir}/log
PID_DIR = ${dir}
USER =
DATABASE = whisper
ENABLE_LOGROTATION = False
MAX_CACHE_SIZE = inf
MAX_UPDATES_PER_SECOND = inf
MAX_CREATES_PER_MINUTE = inf
LINE_RECEIVER_INTERFACE = 127.0.0.1
LINE_RECEIVER_PORT = ${ports.line}
ENABLE_UDP_LISTENER = True
UDP_RECEIVER_INTERFACE = 127.0.0.1
UDP_RECEIVER_PORT = ${ports.udp}
PICKLE_RECEIVER_INTERFACE = 127.0.0.1
PICKLE_RECEIVER_PORT = ${ports.pickle}
PICKLE_RECEIVER_MAX_LENGTH = 1048576
USE_INSECURE_UNPICKLER = False
CACHE_QUERY_INTERFACE = 127.0.0.1
CACHE_QUERY_PORT = ${ports.query}
USE_FLOW_CONTROL = True
CACHE_WRITE_STRATEGY = naive
WHISPER_AUTOFLUSH = False
ENABLE_TAGS = False
ENABLE_MANHOLE = False
LOG_UPDATES = False
LOG_CREATES = False
LOG_CACHE_HITS = False
LOG_CACHE_QUEUE_SORTS = False
LOG_LISTENER_CONN_SUCCESS = False
CARBON_METRIC_INTERVAL = 0
`;
}

/** A running (or stopped, restartable) private carbon-cache. */
export class Carbon {
  readonly dir: string;
  readonly linePort: number;
  readonly picklePort: number;
  readonly queryPort: number;
  readonly udpPort: number;
  #child: ChildProcess | null = null;
  #exited: Promise<void> = Promise.resolve();

  private constructor(dir: string, ports: { line: number; pickle: number; query: number; udp: number }) {
    this.dir = dir;
    this.linePort = ports.line;
    this.picklePort = ports.pickle;
    this.queryPort = ports.query;
    this.udpPort = ports.udp;
  }

  /** Starts a fresh carbon-cache on free ports (retries with other ports if one was taken meanwhile). */
  static async start(): Promise<Carbon> {
    let lastError: unknown;
    for (let attempt = 0; attempt < 3; attempt++) {
      const ports = { line: await freeTcpPort(), pickle: await freeTcpPort(), query: await freeTcpPort(), udp: await freeUdpPort() };
      if (new Set([ports.line, ports.pickle, ports.query]).size < 3) continue;
      const dir = await mkdtemp(path.join(os.tmpdir(), 'scales-carbon-')); // after the check: a retry leaves no directory behind
      await mkdir(path.join(dir, 'conf'), { recursive: true });
      await mkdir(path.join(dir, 'storage', 'whisper'), { recursive: true });
      await writeFile(path.join(dir, 'conf', 'carbon.conf'), config(dir, ports));
      await writeFile(path.join(dir, 'conf', 'storage-schemas.conf'), '[everything]\npattern = .*\nretentions = 1s:1h\n');
      const carbon = new Carbon(dir, ports);
      try {
        await carbon.restart();
        return carbon;
      } catch (error) {
        lastError = error;
        await rm(dir, { recursive: true, force: true });
      }
    }
    throw lastError;
  }

  /** True while the carbon-cache process runs. */
  get running(): boolean {
    return this.#child !== null;
  }

  /** (Re)starts carbon-cache in the same directory on the same ports; resolves once all its ports are bound. */
  async restart(): Promise<void> {
    if (this.#child) return;
    await unlink(path.join(this.dir, 'carbon-cache.pid')).catch(() => {});
    const logFd = openSync(path.join(this.dir, 'carbon.log'), 'a');
    const child = spawn(CARBON, [`--config=${this.dir}/conf/carbon.conf`, `--pidfile=${this.dir}/carbon-cache.pid`, '--debug', 'start'], {
      detached: true,
      stdio: ['ignore', logFd, logFd],
    });
    closeSync(logFd);
    child.unref();
    live.add(child);
    this.#child = child;
    let exited = false;
    this.#exited = new Promise((resolve) => {
      child.once('exit', () => {
        exited = true;
        live.delete(child);
        if (this.#child === child) this.#child = null;
        resolve();
      });
    });
    child.once('error', () => {});
    try {
      await poll(`carbon-cache to listen on ${this.linePort}/${this.picklePort}/${this.queryPort} (udp ${this.udpPort})`, 20000, async () => {
        if (exited) throw new Error(`carbon-cache exited during start; log:\n${await this.log()}`);
        const tcp = await boundPorts('tcp');
        const udp = await boundPorts('udp');
        return tcp.has(this.linePort) && tcp.has(this.picklePort) && tcp.has(this.queryPort) && udp.has(this.udpPort) ? true : undefined;
      });
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  /**
   * Stops carbon-cache (SIGTERM, SIGKILL after 10 s) and waits for it to exit. Points still in
   * its cache are lost: read back what the test needs first.
   */
  async stop(): Promise<void> {
    const child = this.#child;
    if (!child) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
    await this.#exited;
    clearTimeout(timer);
  }

  /** Stops carbon and removes its directory. */
  async destroy(): Promise<void> {
    await this.stop();
    await rm(this.dir, { recursive: true, force: true });
  }

  /** The last lines of carbon's log (for failure messages). */
  async log(lines = 30): Promise<string> {
    const text = await readFile(path.join(this.dir, 'carbon.log'), 'utf8').catch(() => '');
    return text.split('\n').slice(-lines).join('\n');
  }

  /** The whisper file of a (plain, untagged) metric name. */
  fileOf(metric: string): string {
    return path.join(this.dir, 'storage', 'whisper', ...metric.split('.')) + '.wsp';
  }

  /** Every metric that has a whisper file, sorted. */
  async metrics(): Promise<string[]> {
    const root = path.join(this.dir, 'storage', 'whisper');
    const entries = await readdir(root, { recursive: true, withFileTypes: true });
    return entries
      .filter((e) => e.isFile() && e.name.endsWith('.wsp'))
      .map((e) => path.relative(root, path.join(e.parentPath, e.name)).slice(0, -4).split(path.sep).join('.'))
      .sort();
  }

  /** The non-null points of a metric in the last hour ([] if it has no file yet). */
  async read(metric: string): Promise<Point[]> {
    const file = this.fileOf(metric);
    if (!existsSync(file)) return [];
    const from = Math.floor(Date.now() / 1000) - 3600;
    const out = await new Promise<string>((resolve, reject) => {
      execFile(WHISPER_FETCH, [`--from=${from}`, file], { encoding: 'utf8', timeout: 10000 }, (error, stdout) =>
        error ? reject(error) : resolve(stdout),
      );
    });
    const points: Point[] = [];
    for (const line of out.split('\n')) {
      const [ts, value] = line.split('\t');
      if (value === undefined || value === 'None') continue;
      points.push([Number(ts), Number(value)]);
    }
    return points;
  }

  /**
   * Polls a metric's whisper file until `accept(points)` is true (default: at least one point),
   * within `timeoutMs`; returns the points, or throws naming the metric and what was found.
   */
  async waitFor(metric: string, accept: (points: Point[]) => boolean = (p) => p.length > 0, timeoutMs = 15000): Promise<Point[]> {
    let last: Point[] = [];
    try {
      return await poll(
        `${metric} in carbon`,
        timeoutMs,
        async () => {
          last = await this.read(metric);
          return accept(last) ? last : undefined;
        },
        100,
      );
    } catch {
      throw new Error(
        `carbon never showed the expected points for ${metric}; last read: ${JSON.stringify(last)}; metrics: ${(await this.metrics()).join(', ')}`,
      );
    }
  }
}
