// scales.collectRuntimeStats() through the package: real child processes that block their event
// loop, force GCs, spin on every core and exit by themselves; in-process reads of memory, fds
// and handles against what the process really holds.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import * as scales from 'scales-metrics';
import { renderHtml, renderJson, renderPrometheus } from 'scales-metrics/formats';

const child = fileURLToPath(new URL('./runtime-child.js', import.meta.url));

type Pmf = {
  count: number;
  min: number | null;
  max: number | null;
  median: number | null;
  '99percentile': number | null;
  lifetime: { count: number; sum: number };
};

/** Runs a scenario of runtime-child.js; it must exit by itself (code 0) within 20 s. */
function runChild(scenario: string, flags: string[] = []): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [...flags, child, scenario], { timeout: 20_000 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`child ${scenario}: ${err.message} (signal ${err.signal ?? 'none'})\n${stderr}`));
      const line = stdout.trim().split('\n').pop() ?? '';
      resolve(JSON.parse(line) as Record<string, unknown>);
    });
  });
}

/** Polls `read` until `ok` holds of its value; fails with the last value after 10 s. */
async function poll<T>(read: () => T, ok: (v: T) => boolean): Promise<T> {
  const deadline = Date.now() + 10_000;
  let v = read();
  while (!ok(v)) {
    if (Date.now() > deadline) assert.fail(`timed out; last value ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 20));
    v = read();
  }
  return v;
}

describe('event-loop delay', () => {
  it('a 300 ms block of the loop shows in max and p99 of the delay pmf', async () => {
    const { delay } = (await runChild('block')) as { delay: Pmf };
    assert.ok(delay.max! >= 0.25, `max ${delay.max}`);
    // Fewer than 100 samples: the p99 is the largest, the block.
    assert.ok(delay.count < 100 && delay['99percentile']! >= 0.25, JSON.stringify(delay));
    assert.ok(delay.max! < 1, `a 300 ms block read as ${delay.max} s`);
  });

  it('an idle process shows a small delay, the sampling interval subtracted', async () => {
    const { delay, nativeMedianSeconds, nativeMaxSeconds } = (await runChild('idle')) as {
      delay: Pmf;
      nativeMedianSeconds: number;
      nativeMaxSeconds: number;
    };
    assert.ok(delay.count >= 50);
    assert.ok(delay.median! < 0.005, `idle median delay ${delay.median} s`);
    // Idle, but on a machine that may be loaded: a moment the child was not scheduled shows in
    // Node's own histogram too (which keeps the interval in), so the bound is the larger of 0.2 s
    // and what Node's monitor saw.
    assert.ok(delay.max! < Math.max(0.2, nativeMaxSeconds + 0.05), `idle max delay ${delay.max} s, Node's monitor ${nativeMaxSeconds} s`);
    // Node's histogram at the same 10 ms keeps the interval in every sample: it reads ~10 ms when idle.
    assert.ok(nativeMedianSeconds >= 0.009, `monitorEventLoopDelay median ${nativeMedianSeconds}`);
    assert.ok(delay.median! < nativeMedianSeconds - 0.005);
  });
});

describe('GC pauses', () => {
  it('forced GCs are counted per kind, every entry of every observer batch', async () => {
    const { pauses, batches } = (await runChild('gc', ['--expose-gc'])) as { pauses: Record<string, Pmf>; batches: number[] };
    assert.ok(pauses.major !== undefined && pauses.minor !== undefined, `kinds ${Object.keys(pauses)}`);
    assert.ok(pauses.major.lifetime.count >= 5, `major ${pauses.major.lifetime.count}`);
    assert.ok(pauses.minor.lifetime.count >= 5, `minor ${pauses.minor.lifetime.count}`);
    for (const p of Object.values(pauses)) assert.ok(p.lifetime.sum > 0 && p.min! >= 0 && p.max! < 5);
    // The forced GCs came in batches of several entries: reading one per batch would have counted fewer.
    assert.ok(
      batches.some((n) => n > 1),
      `batches ${batches}`,
    );
    const total = Object.values(pauses).reduce((n, p) => n + p.lifetime.count, 0);
    assert.ok(total >= 10 && total >= batches.length + 1, `${total} pauses in ${batches.length} batches`);
  });
});

describe('CPU utilization', () => {
  it('stays within 0..cores while the main thread and two workers spin', async () => {
    const { utilization, cores, actual } = (await runChild('busy')) as { utilization: number[]; cores: number; actual: number };
    assert.ok(utilization.length >= 10, `only ${utilization.length} readings`);
    for (const u of utilization) assert.ok(u >= 0 && u <= cores, `utilization ${u} of ${cores} cores`);
    // Each reading is of the last 100 ms window: their mean follows what the process used (however
    // loaded the machine is, which decides how much that is).
    const mean = utilization.reduce((a, b) => a + b, 0) / utilization.length;
    assert.ok(actual > 0.05, `the child used only ${actual} cores`);
    assert.ok(mean >= 0.5 * actual && mean <= 1.5 * actual + 0.05, `mean reading ${mean} cores, actually used ${actual}`);
  });
});

describe('stop() and the process lifetime', () => {
  it('a collector never stopped does not keep the process alive', async () => {
    const out = await runChild('forget');
    assert.equal(out.scenario, 'forget');
  });

  it('stop() ends sampling once every handle stopped; gauges still read', async () => {
    const out = await runChild('stop', ['--expose-gc']);
    assert.equal(out.delaysAfterStop, 0);
    assert.equal(out.gcAfterStop, 0);
    assert.equal(out.readsAfterStop, 'number');
  });
});

describe('registry.reset() and remove()', () => {
  it('a second call after reset() starts afresh in the new tree; stopping the first handle leaves it running', async () => {
    const registry = new scales.Registry();
    const delays = () => (registry.getStats('/process/eventLoop') as { delaySeconds: Pmf } | undefined)?.delaySeconds.lifetime.count ?? 0;
    const first = scales.collectRuntimeStats({ registry });
    await poll(delays, (n) => n >= 1);
    registry.reset();
    assert.equal(registry.getStats('/process'), undefined);
    const second = scales.collectRuntimeStats({ registry });
    try {
      await poll(delays, (n) => n >= 1);
      first.stop();
      const n = delays();
      await poll(delays, (m) => m >= n + 3);
    } finally {
      second.stop();
    }
  });

  it('after remove() of its container, the next call declares the stats again', async () => {
    const registry = new scales.Registry();
    const a = scales.collectRuntimeStats({ registry, path: '/rt' });
    assert.ok(registry.remove('/rt'));
    const b = scales.collectRuntimeStats({ registry, path: '/rt' });
    try {
      const read = () => registry.getStats('/rt/eventLoop') as { delaySeconds: Pmf } | undefined;
      assert.ok(read() !== undefined);
      await poll(
        () => read()?.delaySeconds.lifetime.count ?? 0,
        (n) => n >= 1,
      );
    } finally {
      a.stop();
      b.stop();
    }
  });
});

describe('examples/runtime-stats (the README example)', () => {
  it('prints the delay, heap and CPU it read, and exits by itself', async () => {
    const example = fileURLToPath(new URL('../../examples/runtime-stats.js', import.meta.url));
    const out = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, [example], { timeout: 20_000 }, (err, stdout) => (err ? reject(err) : resolve(stdout))),
    );
    const m = /event-loop delay p99: (\d+\.\d) ms\nheap used: (\d+\.\d) MiB of RSS (\d+\.\d) MiB\nCPU: (\d\.\d\d) of (\d+) cores/.exec(out);
    assert.ok(m !== null, out);
    assert.ok(Number(m[2]) > 0 && Number(m[2]) < Number(m[3]!), out);
    assert.ok(Number(m[4]) <= Number(m[5]), out);
  });
});

describe('gauges read in-process', () => {
  it('memory, CPU seconds, version and start time', async () => {
    const registry = new scales.Registry();
    const h = scales.collectRuntimeStats({ registry, path: '/rt' });
    try {
      type Tree = {
        nodeVersion: string;
        startTimeSeconds: number;
        uptimeSeconds: number;
        memory: Record<string, number> & { heapSpaces: { usedBytes: Record<string, number>; sizeBytes: Record<string, number> } };
        cpu: { userSeconds: number; systemSeconds: number; totalSeconds: number; cores: number };
      };
      const t = registry.getStats('/rt') as unknown as Tree;
      assert.equal(t.nodeVersion, process.version);
      assert.ok(Math.abs(t.startTimeSeconds + t.uptimeSeconds - Date.now() / 1000) < 1);
      const m = t.memory;
      assert.ok(m.heapUsedBytes! > 0 && m.heapUsedBytes! <= m.heapTotalBytes! && m.heapTotalBytes! < m.heapLimitBytes!, JSON.stringify(m));
      assert.ok(m.rssBytes! >= m.heapUsedBytes! && m.externalBytes! >= m.arrayBuffersBytes!);
      const used = m.heapSpaces.usedBytes;
      assert.ok(used.old !== undefined && used.new !== undefined, Object.keys(used).join());
      assert.deepEqual(Object.keys(m.heapSpaces.sizeBytes).sort(), Object.keys(used).sort());
      const spacesUsed = Object.values(used).reduce((n, v) => n + v, 0);
      assert.ok(Math.abs(spacesUsed - m.heapUsedBytes!) < 0.2 * m.heapUsedBytes!, `spaces ${spacesUsed} vs heap ${m.heapUsedBytes}`);
      const c = t.cpu;
      assert.ok(c.userSeconds > 0 && Math.abs(c.userSeconds + c.systemSeconds - c.totalSeconds) < 0.05);
      assert.ok(Number.isInteger(c.cores) && c.cores >= 1);
      // A big allocation shows in the heap once the 100 ms reading is renewed.
      const big = new Array(2_000_000).fill(0).map((_, i) => ({ i }));
      await poll(
        () => (registry.getStats('/rt/memory') as { heapUsedBytes: number }).heapUsedBytes,
        (v) => v > m.heapUsedBytes! + 20e6,
      );
      assert.equal(big.length, 2_000_000);
    } finally {
      h.stop();
    }
  });

  it('open file descriptors follow the files this process opens (Linux; absent elsewhere)', async () => {
    const registry = new scales.Registry();
    const h = scales.collectRuntimeStats({ registry });
    if (process.platform !== 'linux') {
      assert.equal(registry.getStats('/process/fds'), undefined);
      h.stop();
      return;
    }
    const dir = await mkdtemp(join(tmpdir(), 'scales-fds-'));
    const files: Awaited<ReturnType<typeof open>>[] = [];
    try {
      const fds = () => registry.getStats('/process/fds') as { open: number; max: number };
      const before = fds();
      assert.ok(before.open > 0 && before.max >= before.open, JSON.stringify(before));
      for (let i = 0; i < 20; i++) files.push(await open(join(dir, `f${i}`), 'w'));
      await poll(fds, (v) => v.open >= before.open + 20);
    } finally {
      for (const f of files) await f.close();
      await rm(dir, { recursive: true, force: true });
      h.stop();
    }
  });

  it('active handles and resources count a listening server (per type: renewed each utilization window)', async () => {
    const registry = new scales.Registry();
    const h = scales.collectRuntimeStats({ registry, utilizationWindowMs: 100 });
    const server = createServer();
    try {
      type Handles = { active: number; resources: number; activeByType: Record<string, number>; resourcesByType: Record<string, number> };
      const read = () => registry.getStats('/process/handles') as unknown as Handles;
      const before = read();
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const after = await poll(read, (v) => v.active > before.active && (v.activeByType.Server ?? 0) > (before.activeByType.Server ?? 0));
      assert.equal(after.activeByType.Server, (before.activeByType.Server ?? 0) + 1);
      assert.equal(after.resourcesByType.TCPServerWrap, (before.resourcesByType.TCPServerWrap ?? 0) + 1);
    } finally {
      server.close();
      h.stop();
    }
  });

  it("the tree reads through the outputs: JSON, HTML, and Prometheus under prom-client's names", () => {
    const registry = new scales.Registry();
    const h = scales.collectRuntimeStats({ registry, gc: false });
    try {
      const json = JSON.parse(renderJson(registry.snapshot()!)) as { process: Record<string, unknown> };
      assert.deepEqual(
        Object.keys(json.process).sort(),
        [
          'cpu',
          'eventLoop',
          'handles',
          'memory',
          'nodeVersion',
          'startTimeSeconds',
          'uptimeSeconds',
          'versionInfo',
          ...(process.platform === 'linux' ? ['fds'] : []),
        ].sort(),
      );
      const text = renderPrometheus(registry.snapshot()!);
      assert.match(text, /^process_resident_memory_bytes \d+/m);
      assert.match(text, /^# HELP process_cpu_seconds_total User and system CPU time spent, in seconds$/m);
      assert.match(text, /^nodejs_heap_space_size_used_bytes\{space="old"\} \d+/m);
      assert.match(text, new RegExp(`^nodejs_version_info\\{version="${process.version}",major="\\d+",minor="\\d+",patch="\\d+"\\} 1$`, 'm'));
      assert.doesNotMatch(text, /scales_rejected/);
      const html = renderHtml(registry.snapshot()!);
      assert.match(html, /heapUsedBytes/);
      assert.match(html, /resourcesByType/);
    } finally {
      h.stop();
    }
  });

  it('bad options are refused, naming the option', () => {
    assert.throws(
      () => scales.collectRuntimeStats({ eventLoopResolutionMs: 0 }),
      /eventLoopResolutionMs must be a number of milliseconds from 1 to 60000, not 0/,
    );
    assert.throws(() => scales.collectRuntimeStats({ utilizationWindowMs: Number.NaN }), /utilizationWindowMs .* not NaN/);
    assert.throws(() => scales.collectRuntimeStats({ path: '/a b\u0000' }), scales.InvalidNameError);
  });
});
