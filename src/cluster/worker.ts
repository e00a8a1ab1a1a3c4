/**
 * The worker's side: a timer that sends the worker's whole tree (cumulative values, pmf window
 * sketches and lifetime buckets) to the primary, one report at a time, never more than one waiting.
 */
import cluster from 'node:cluster';
import { randomBytes } from 'node:crypto';
import { isMainThread, MessageChannel, type MessagePort, parentPort } from 'node:worker_threads';
import { describeThrown } from '../core/snapshot.js';
import { sourceOf } from '../registry/default-registry.js';
import type { StatsSource } from '../registry/source.js';
import { type Scheduler, type ScheduledTask, systemScheduler } from '../sampling/scheduler.js';
import { DEFAULT_MAX_REPORT_BYTES, DEFAULT_REPORT_INTERVAL_MS, isProtocolMessage, PROTOCOL, type ReportMessage, stringifyTree } from './protocol.js';

/** Options of {@link reportStats}. */
export interface ReportStatsOptions {
  /** What to report (default: the default registry). */
  source?: StatsSource;
  /** Time between two reports, in ms (default {@link DEFAULT_REPORT_INTERVAL_MS}: 1 s). */
  intervalMs?: number;
  /**
   * Where to send: a MessagePort whose other end the primary thread gave to `ClusterStats.add`.
   * Default: the parent port in a worker thread, the IPC channel in a node:cluster worker.
   */
  port?: MessagePort;
  /**
   * Largest report in bytes of JSON (default {@link DEFAULT_MAX_REPORT_BYTES}: 1 MiB). A larger
   * one is not sent: the primary is told its size and shows the worker's `error`.
   */
  maxReportBytes?: number;
  /** When reports run (default: unref'd timers; a test passes a manual scheduler). */
  scheduler?: Scheduler;
}

/** What {@link reportStats} returns. */
export interface StatsReporter {
  /** Reports sent. */
  readonly sent: number;
  /** Ticks skipped because the previous report was still on its way (the primary is busy). */
  readonly skipped: number;
  /** Size in bytes of the last report's JSON. */
  readonly lastBytes: number;
  /**
   * Sends a report of the figures as they are now (after the one on its way, if any); resolves
   * true once the primary has it (worker threads) or it is written to the IPC channel (cluster).
   * `await reporter.reportNow()` before a worker exits: its last counts are not lost.
   */
  reportNow(): Promise<boolean>;
  /** Stops the timer (a report on its way still arrives). */
  stop(): void;
}

type Send = (m: ReportMessage, done: (ok: boolean) => void) => void;

/** The channels a reporter sends on (a port, or `process` for the default one). */
const reporting = new WeakSet<object>();

/**
 * Sends this worker's stats to the primary every `intervalMs`, so that the primary's
 * `clusterStats()` shows them merged with the other workers' and under `/workers/<id>`. Call it
 * once in each node:cluster worker or worker thread. The timer never keeps the process alive;
 * a report is a snapshot with sketches, serialized once; while one is on its way (the primary
 * is busy) the next tick is skipped, so nothing piles up.
 *
 * @example
 * import { reportStats } from 'scales-metrics/cluster';
 * if (cluster.isWorker) reportStats(); // or { intervalMs: 5000 }
 */
export function reportStats(options: ReportStatsOptions = {}): StatsReporter {
  const source = sourceOf(options, 'reportStats');
  const intervalMs = options.intervalMs ?? DEFAULT_REPORT_INTERVAL_MS;
  if (!(typeof intervalMs === 'number' && Number.isFinite(intervalMs) && intervalMs >= 10)) {
    throw new RangeError(`reportStats: intervalMs ${String(intervalMs)} is not a number of milliseconds >= 10`);
  }
  const maxBytes = options.maxReportBytes ?? DEFAULT_MAX_REPORT_BYTES;
  if (!(Number.isSafeInteger(maxBytes) && maxBytes >= 1024)) {
    throw new RangeError(`reportStats: maxReportBytes ${String(maxBytes)} is not an integer >= 1024`);
  }
  const scheduler = options.scheduler ?? systemScheduler;
  // Two reporters on one channel would look to the primary like a worker restarting every second.
  const channel: object = options.port ?? process;
  if (reporting.has(channel)) throw new Error('reportStats: this worker already reports on that channel (stop() the first reporter)');
  const send = sender(options.port);
  reporting.add(channel);
  const incarnation = `${process.pid}-${randomBytes(6).toString('hex')}`;
  let seq = 0;
  let stopped = false;
  let warned = false;
  let task: ScheduledTask | null = null;
  const state = { sent: 0, skipped: 0, lastBytes: 0 };

  const report = async (): Promise<boolean> => {
    try {
      // Window sketches (merged percentiles) and lifetime buckets (the primary's native histograms).
      const node = await source.snapshotAsync('/', { sketches: true, histograms: true, background: true });
      const json = stringifyTree(node ?? { name: '', path: '/', stats: [], children: [] });
      const bytes = Buffer.byteLength(json);
      state.lastBytes = bytes;
      const m: ReportMessage = {
        scales: PROTOCOL,
        type: 'report',
        incarnation,
        seq: ++seq,
        pid: process.pid,
        intervalMs,
        tree: bytes <= maxBytes ? json : null,
        bytes,
      };
      return await new Promise<boolean>((resolve) => {
        send(m, (ok) => {
          if (ok) state.sent++;
          resolve(ok);
        });
      });
    } catch (e) {
      // The channel is gone (the primary exited) or a snapshot failed: said once, tried again next tick.
      if (!warned) process.emitWarning(`scales-metrics reportStats: ${describeThrown(e)}`, { code: 'SCALES_REPORT' });
      warned = true;
      return false;
    }
  };
  // Reports go one after the other, never two on their way at once.
  let queued = 0;
  let chain: Promise<unknown> = Promise.resolve();
  const enqueue = (): Promise<boolean> => {
    queued++;
    const next = chain.then(report).finally(() => queued--);
    chain = next;
    return next;
  };

  /** One report at a time: a tick while one is on its way is skipped (the primary is busy). */
  const tick = (): void => {
    if (stopped) return;
    task = scheduler.schedule(tick, intervalMs);
    if (queued > 0) state.skipped++;
    else void enqueue();
  };
  task = scheduler.schedule(tick, 0);

  return {
    get sent() {
      return state.sent;
    },
    get skipped() {
      return state.skipped;
    },
    get lastBytes() {
      return state.lastBytes;
    },
    reportNow: enqueue,
    stop() {
      stopped = true;
      task?.cancel();
      reporting.delete(channel);
    },
  };
}

/** How reports leave this worker: a given port, the parent port of a thread, or the cluster IPC channel. */
function sender(port: MessagePort | undefined): Send {
  if (port !== undefined) {
    if (port === null || typeof port.postMessage !== 'function') throw new TypeError('reportStats: "port" must be a MessagePort');
    return portSender(port);
  }
  if (!isMainThread && parentPort !== null) {
    // Our own channel, so the application's parent-port handlers see one message (the hello), not every report.
    const { port1, port2 } = new MessageChannel();
    parentPort.postMessage({ scales: PROTOCOL, type: 'hello', port: port2 }, [port2]);
    return portSender(port1);
  }
  if (cluster.isWorker && typeof process.send === 'function') {
    return (m, done) => {
      if (!process.connected || process.send === undefined) return done(false);
      // The callback fires once the message is written to the channel: one report on its way at a time.
      process.send(m, undefined, {}, (err) => done(err === null || err === undefined));
    };
  }
  throw new TypeError('reportStats: not in a node:cluster worker nor a worker thread; pass { port } (a MessagePort)');
}

/** Sends on a port; the primary acknowledges each report, and only then may the next one go. */
function portSender(port: MessagePort): Send {
  let waiting: ((ok: boolean) => void) | null = null;
  let waitingSeq = 0;
  port.on('message', (m: unknown) => {
    if (isProtocolMessage(m) && m.type === 'ack' && (m as unknown as { seq: unknown }).seq === waitingSeq && waiting !== null) {
      const done = waiting;
      waiting = null;
      port.unref();
      done(true);
    }
  });
  port.on('close', () => {
    const done = waiting;
    waiting = null;
    done?.(false);
  });
  // Idle, the port never keeps the worker alive; a report on its way does, until acknowledged
  // (so that `await reporter.reportNow()` before exiting delivers the last figures).
  port.unref();
  return (m, done) => {
    waiting = done;
    waitingSeq = m.seq;
    port.ref();
    port.postMessage(m);
  };
}
