import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as scales from 'scales-metrics';
import { type DumpFile, dumpOnCrash } from 'scales-metrics/dump';

const CHILD = fileURLToPath(new URL('../fixtures/dump/crash-child.js', import.meta.url));
const DEADLINE_MS = 20_000;

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  pid: number;
}

/** Runs the crash child; for signal modes, sends `signal` once it prints "ready". */
function runChild(
  file: string,
  mode: string,
  withDump: 'dump' | 'dump2' | 'dump-sigpipe' | 'plain',
  signal?: NodeJS.Signals,
  nodeArgs: string[] = [],
): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, [...nodeArgs, CHILD, file, mode, withDump, 'crash-test'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`child ${mode} did not end within ${DEADLINE_MS} ms; stderr: ${stderr}`));
    }, DEADLINE_MS);
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      if (signal !== undefined && d.includes('ready')) child.kill(signal);
    });
    child.on('error', reject);
    // 'close', not 'exit': 'exit' may come before the last of stderr has been read (a busy
    // machine decides), and the tests match what the child printed there.
    child.on('close', (code, sig) => {
      clearTimeout(timer);
      resolve({ code, signal: sig, stderr, pid: child.pid! });
    });
  });
}

async function readDump(file: string): Promise<DumpFile> {
  return JSON.parse(await readFile(file, 'utf8')) as DumpFile;
}

interface AppStats {
  requests: number;
  latency: { count: number; max: number; sketch?: string };
  state: { mode: string };
  status: Record<string, number>;
}

function app(dump: DumpFile): AppStats {
  return (dump.stats as unknown as { app: AppStats }).app;
}

describe('dumpOnCrash in real child processes', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'scales-crash-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const cases: {
    mode: string;
    name?: string;
    nodeArgs?: string[];
    signal?: NodeJS.Signals;
    expect: { code: number | null; signal: NodeJS.Signals | null };
    reason: string;
    requests: number;
    error?: RegExp;
    stderr?: RegExp;
  }[] = [
    {
      mode: 'uncaught',
      expect: { code: 1, signal: null },
      reason: 'uncaughtException',
      requests: 42,
      error: /boom: uncaught/,
      stderr: /boom: uncaught in crash-child/,
    },
    // Thrown values that cannot be described must not make Node exit with 7 (a throwing monitor).
    { mode: 'uncaught-proxy', expect: { code: 1, signal: null }, reason: 'uncaughtException', requests: 42, error: /cannot be described/ },
    { mode: 'uncaught-evil-error', expect: { code: 1, signal: null }, reason: 'uncaughtException', requests: 42, error: /cannot be described/ },
    {
      mode: 'rejection',
      expect: { code: 1, signal: null },
      reason: 'unhandledRejection',
      requests: 42,
      error: /boom: unhandled rejection/,
      stderr: /boom: unhandled rejection in crash-child/,
    },
    // With --unhandled-rejections=warn a rejection does not crash the process: no crash dump.
    {
      mode: 'rejection',
      name: 'rejection under --unhandled-rejections=warn',
      nodeArgs: ['--unhandled-rejections=warn'],
      expect: { code: 0, signal: null },
      reason: 'exit',
      requests: 42,
      stderr: /boom: unhandled rejection/,
    },
    { mode: 'rejection-listened', expect: { code: 0, signal: null }, reason: 'exit', requests: 43 },
    { mode: 'uncaught-listened', expect: { code: 3, signal: null }, reason: 'exit', requests: 42, error: /caught by the app listener/ },
    { mode: 'exit-call', expect: { code: 7, signal: null }, reason: 'exit', requests: 42 },
    { mode: 'exit-code', expect: { code: 5, signal: null }, reason: 'exit', requests: 42 },
    { mode: 'natural', expect: { code: 0, signal: null }, reason: 'exit', requests: 42 },
    { mode: 'sigterm', signal: 'SIGTERM', expect: { code: null, signal: 'SIGTERM' }, reason: 'SIGTERM', requests: 42 },
    { mode: 'sigint', signal: 'SIGINT', expect: { code: null, signal: 'SIGINT' }, reason: 'SIGINT', requests: 42 },
    // The app's own SIGTERM listener decides (exit 9); the exit dump sees what it wrote last.
    { mode: 'sigterm-app-listener', signal: 'SIGTERM', expect: { code: 9, signal: null }, reason: 'exit', requests: 142 },
  ];

  for (const c of cases) {
    it(`${c.name ?? c.mode}: the dump holds the last values and the exit is unchanged`, async () => {
      const base = (c.name ?? c.mode).replace(/\W+/g, '-');
      const withFile = join(dir, `${base}.json`);
      const plainFile = join(dir, `${base}-plain.json`);
      const [withDump, plain] = await Promise.all([
        runChild(withFile, c.mode, 'dump', c.signal, c.nodeArgs),
        runChild(plainFile, c.mode, 'plain', c.signal, c.nodeArgs),
      ]);
      assert.deepEqual({ code: plain.code, signal: plain.signal }, c.expect, `without dumpOnCrash: ${plain.stderr}`);
      assert.deepEqual({ code: withDump.code, signal: withDump.signal }, c.expect, `with dumpOnCrash: ${withDump.stderr}`);
      if (c.stderr) {
        assert.match(plain.stderr, c.stderr);
        assert.match(withDump.stderr, c.stderr, 'Node still prints the uncaught error');
      }
      await assert.rejects(readFile(plainFile), { code: 'ENOENT' });
      const dump = await readDump(withFile);
      assert.equal(dump.format, 'scales-metrics-dump');
      assert.equal(dump.version, 1);
      assert.equal(dump.pid, withDump.pid);
      assert.equal(dump.serverName, 'crash-test');
      assert.equal(typeof dump.host, 'string');
      assert.ok(Math.abs(dump['last-updated'] - Date.now() / 1000) < 60, 'last-updated is epoch seconds');
      assert.equal(dump.reason, c.reason);
      if (c.expect.code !== null && c.reason !== 'SIGTERM') assert.equal(dump.exitCode, c.expect.code);
      if (c.error) assert.match(dump.error?.message ?? '', c.error);
      else assert.equal(dump.error, undefined);
      const stats = app(dump);
      assert.deepEqual(
        (dump.stats as { broken: unknown }).broken,
        { gauge: { error: 'Error: gauge exploded' } },
        'a throwing gauge is an error in place',
      );
      assert.equal(stats.requests, c.requests);
      assert.equal(stats.state.mode, c.mode);
      assert.deepEqual(stats.status, { '200': 40, '500': 2 });
      assert.equal(stats.latency.count, 200);
      assert.equal(stats.latency.max, 0.2);
      assert.equal(typeof stats.latency.sketch, 'string', 'written with { sketches: true }');
      const leftovers = (await readdir(dir)).filter((n) => n.endsWith('.tmp'));
      assert.deepEqual(leftovers, [], 'no temporary file left behind');
    });
  }

  it('an unwritable dump directory changes nothing: same exit code, the error printed, one line per failed write', async () => {
    const file = join(dir, 'no-such-dir', 'x.json');
    for (const [mode, signal, expect] of [
      ['uncaught', undefined, { code: 1, signal: null }],
      ['sigterm', 'SIGTERM', { code: null, signal: 'SIGTERM' }],
    ] as const) {
      const out = await runChild(file, mode, 'dump', signal);
      assert.deepEqual({ code: out.code, signal: out.signal }, expect, out.stderr);
      assert.match(out.stderr, /scales-metrics: could not write the crash dump .*no-such-dir\/x\.json: ENOENT/);
      if (mode === 'uncaught') assert.match(out.stderr, /boom: uncaught in crash-child/);
    }
  });

  it('SIGPIPE (ignored by Node) is dumped but not re-sent: the process lives on until SIGTERM', async () => {
    const file = join(dir, 'sigpipe.json');
    const child = spawn(process.execPath, [CHILD, file, 'sigterm', 'dump-sigpipe'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const timer = setTimeout(() => child.kill('SIGKILL'), DEADLINE_MS);
    child.stdout!.setEncoding('utf8').once('data', async () => {
      child.kill('SIGPIPE');
      // Wait for the SIGPIPE dump, then check the process is still alive before ending it.
      const deadline = Date.now() + DEADLINE_MS;
      while (Date.now() < deadline) {
        const dump = await readDump(file).catch(() => undefined);
        if (dump?.reason === 'SIGPIPE') break;
        await new Promise((r) => setTimeout(r, 10));
      }
      child.kill('SIGTERM');
    });
    const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
    clearTimeout(timer);
    assert.deepEqual({ code, signal }, { code: null, signal: 'SIGTERM' }, 'it died of SIGTERM, not of SIGPIPE');
    assert.equal((await readDump(file)).reason, 'SIGTERM');
  });

  it('two dumpOnCrash installations both write, and SIGTERM still kills the process', async () => {
    const file = join(dir, 'two.json');
    const out = await runChild(file, 'sigterm', 'dump2', 'SIGTERM');
    assert.deepEqual({ code: out.code, signal: out.signal }, { code: null, signal: 'SIGTERM' });
    assert.equal(app(await readDump(file)).requests, 42);
    assert.equal(app(await readDump(join(dir, 'two.second.json'))).requests, 42);
  });

  it('dumpStatsPeriodically does not keep the process alive (the child exits by itself)', async () => {
    const file = join(dir, 'periodic.json');
    const out = await runChild(file, 'periodic', 'plain');
    assert.deepEqual({ code: out.code, signal: out.signal }, { code: 0, signal: null }, out.stderr);
    const dump = await readDump(file);
    assert.equal(dump.reason, undefined);
    assert.ok(app(dump).requests >= 42);
  });
});

describe('dumpOnCrash in this process', () => {
  it('uninstall() removes exactly the listeners it added', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'scales-crash-'));
    try {
      const events = ['SIGTERM', 'SIGINT', 'SIGHUP', 'exit', 'uncaughtExceptionMonitor'] as const;
      const own = () => {};
      process.on('SIGHUP', own);
      const before = events.map((e) => process.listenerCount(e));
      const handle = dumpOnCrash(join(dir, 'x.json'), { source: new scales.Registry(), signals: ['SIGTERM', 'SIGINT', 'SIGHUP'] });
      assert.deepEqual(
        events.map((e) => process.listenerCount(e)),
        before.map((n) => n + 1),
      );
      handle.uninstall();
      assert.deepEqual(
        events.map((e) => process.listenerCount(e)),
        before,
      );
      assert.ok(process.listeners('SIGHUP').includes(own), 'other listeners untouched');
      process.removeListener('SIGHUP', own);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('an exception handled by an app listener writes nothing (the process does not go); the exit dump keeps it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'scales-crash-'));
    const file = join(dir, 'handled.json');
    const appListener = () => {};
    process.on('uncaughtException', appListener);
    const handle = dumpOnCrash(file, { source: new scales.Registry(), signals: [] });
    try {
      const mark = Symbol.for('scales-metrics.dumpOnCrash.listener');
      type Listener = (...args: unknown[]) => void;
      const ours = (event: string) =>
        (process.listeners(event as 'exit') as unknown as Listener[]).filter((l) => (l as unknown as Record<symbol, unknown>)[mark] === true);
      ours('uncaughtExceptionMonitor')[0]!(new Error('handled by the app'), 'uncaughtException');
      await assert.rejects(readFile(file), { code: 'ENOENT' });
      assert.equal(handle.lastReason, undefined);
      ours('exit')[0]!(0);
      const dump = await readDump(file);
      assert.equal(dump.reason, 'exit');
      assert.equal(dump.error?.message, 'handled by the app');
    } finally {
      handle.uninstall();
      process.removeListener('uncaughtException', appListener);
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a signal that cannot be caught throws at install time and leaves nothing installed', () => {
    const events = ['SIGTERM', 'exit', 'uncaughtExceptionMonitor'] as const;
    const before = events.map((e) => process.listenerCount(e));
    assert.throws(() => dumpOnCrash('x.json', { signals: ['SIGTERM', 'SIGKILL'] }), /dumpOnCrash: cannot listen to the signals SIGTERM, SIGKILL/);
    assert.deepEqual(
      events.map((e) => process.listenerCount(e)),
      before,
    );
  });

  it('a dump that cannot be written goes to onError, never throws', () => {
    const errors: Error[] = [];
    const handle = dumpOnCrash('/nonexistent-dir-for-scales-test/x.json', {
      source: new scales.Registry(),
      signals: [],
      onError: (e) => errors.push(e),
    });
    try {
      // Call only dumpOnCrash's own 'exit' listener (marked with a registered symbol), not every one.
      const mark = Symbol.for('scales-metrics.dumpOnCrash.listener');
      const ours = process.listeners('exit').filter((l) => (l as unknown as Record<symbol, unknown>)[mark] === true);
      assert.equal(ours.length, 1);
      ours[0]!(0);
      assert.equal(errors.length, 1);
      assert.match(errors[0]!.message, /ENOENT/);
    } finally {
      handle.uninstall();
    }
  });
});
