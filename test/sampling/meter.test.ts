/**
 * Meter with a ManualClock: Dropwizard's EWMA definition (5 s ticks, alpha = 1 - exp(-5/60/m)),
 * convergence, decay after stop, long idle catch-up in closed form, no NaN and no denormals.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { ManualClock } from '../../src/sampling/clock.js';
import { Meter } from '../../src/sampling/meter.js';

const run = promisify(execFile);

/** A literal transcription of Dropwizard's Meter + EWMA, one loop iteration per tick. */
class ReferenceMeter {
  count = 0;
  private uncounted = 0;
  private lastTick: number;
  private readonly start: number;
  private rates = [0, 0, 0];
  private initialized = false;
  private static readonly ALPHAS = [1, 5, 15].map((m) => 1 - Math.exp(-5 / 60 / m));

  constructor(private readonly clock: ManualClock) {
    this.start = clock.now();
    this.lastTick = this.start;
  }
  private tickIfNecessary(): void {
    const now = this.clock.now();
    const age = now - this.lastTick;
    if (age > 5000) {
      this.lastTick = now - (age % 5000);
      const required = Math.floor(age / 5000);
      for (let i = 0; i < required; i++) {
        const instant = this.uncounted / 5;
        this.uncounted = 0;
        this.rates = this.rates.map((r, j) => (this.initialized ? r + ReferenceMeter.ALPHAS[j] * (instant - r) : instant));
        this.initialized = true;
      }
    }
  }
  mark(n: number): void {
    this.tickIfNecessary();
    this.count += n;
    this.uncounted += n;
  }
  read(): number[] {
    this.tickIfNecessary();
    return this.rates;
  }
}

function near(a: number, b: number, rel: number, label: string): void {
  assert.ok(Math.abs(a - b) <= rel * Math.abs(b) + 1e-300, `${label}: ${a} vs ${b}`);
}

describe('Meter', () => {
  test('a constant rate gives that rate on every average, and the mean rate', () => {
    const clock = new ManualClock();
    const m = new Meter(clock);
    clock.advance(5);
    for (let i = 0; i < 60_000; i++) {
      m.mark(); // 100 per second for 10 minutes
      clock.advance(10);
    }
    const r = m.rates();
    assert.equal(r.count, 60_000);
    near(r.m1, 100, 1e-9, 'm1');
    near(r.m5, 100, 1e-9, 'm5');
    near(r.m15, 100, 1e-9, 'm15');
    near(r.mean, 100, 1e-3, 'mean');
  });

  test('a rate change converges as 1 - exp(-t / window)', () => {
    const clock = new ManualClock();
    const m = new Meter(clock);
    clock.advance(1);
    const run = (perTick: number, ticks: number) => {
      for (let i = 0; i < ticks; i++) {
        m.mark(perTick);
        clock.advance(5000);
      }
    };
    run(500, 12); // 100/s for one minute
    run(1000, 24); // then 200/s for two minutes
    const r = m.rates();
    // After the change, 24 ticks (120 s) moved each average from 100 towards 200.
    near(r.m1, 200 - 100 * Math.exp(-120 / 60), 1e-9, 'm1');
    near(r.m5, 200 - 100 * Math.exp(-120 / 300), 1e-9, 'm5');
    near(r.m15, 200 - 100 * Math.exp(-120 / 900), 1e-9, 'm15');
  });

  test('decay after stop matches rate * exp(-t / window) within 1%', () => {
    const clock = new ManualClock();
    const m = new Meter(clock);
    clock.advance(1);
    for (let i = 0; i < 120; i++) {
      m.mark(250); // 50/s
      clock.advance(5000);
    }
    const start = m.rates();
    for (let k = 1; k <= 180; k++) {
      clock.advance(5000); // 15 minutes, read every tick
      const r = m.rates();
      const t = 5 * k;
      near(r.m1, start.m1 * Math.exp(-t / 60), 0.01, `m1 at ${t}s`);
      near(r.m5, start.m5 * Math.exp(-t / 300), 0.01, `m5 at ${t}s`);
      near(r.m15, start.m15 * Math.exp(-t / 900), 0.01, `m15 at ${t}s`);
    }
  });

  test('an hour idle, read once: the decayed value (closed form), not a stale one', () => {
    const clock = new ManualClock();
    const m = new Meter(clock);
    clock.advance(1);
    for (let i = 0; i < 120; i++) {
      m.mark(500); // 100/s for ten minutes
      clock.advance(5000);
    }
    clock.advance(3_600_000);
    const r = m.rates();
    near(r.m1, 100 * Math.exp(-3600 / 60), 1e-6, 'm1');
    near(r.m5, 100 * Math.exp(-3600 / 300), 1e-6, 'm5');
    near(r.m15, 100 * Math.exp(-3600 / 900), 1e-6, 'm15');
    near(r.mean, 60_000 / (3600 + 600), 1e-3, 'mean');
  });

  test('a year idle: rates flush to exactly 0, never denormal, never NaN', () => {
    const clock = new ManualClock();
    const m = new Meter(clock);
    m.mark(1e6);
    clock.advance(6000);
    m.rates();
    clock.advance(365 * 86_400_000);
    const r = m.rates();
    assert.equal(r.m1, 0);
    assert.equal(r.m5, 0);
    assert.equal(r.m15, 0);
    for (const v of Object.values(r)) assert.ok(v === 0 || Math.abs(v) >= 1e-300, `denormal ${v}`);
  });

  test('matches a tick-by-tick Dropwizard transcription on random schedules (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 40_000 }), fc.integer({ min: 0, max: 1000 })), {
          minLength: 1,
          maxLength: 200,
        }),
        (steps) => {
          const clock = new ManualClock(1000);
          const m = new Meter(clock);
          const ref = new ReferenceMeter(clock);
          for (const [dt, n] of steps) {
            clock.advance(dt);
            m.mark(n);
            ref.mark(n);
            if (n % 7 === 0) {
              const got = m.rates();
              const want = ref.read();
              for (const [i, key] of (['m1', 'm5', 'm15'] as const).entries()) {
                if (Number.isNaN(got[key])) return false;
                if (Math.abs(got[key] - want[i]) > 1e-9 * Math.abs(want[i]) + 1e-290) return false;
              }
            }
          }
          clock.advance(1_000_000);
          const got = m.rates();
          const want = ref.read();
          return got.count === ref.count && [got.m1, got.m5, got.m15].every((v, i) => Math.abs(v - want[i]) <= 1e-9 * Math.abs(want[i]) + 1e-290);
        },
      ),
      { seed: 20_26, numRuns: 300 },
    );
  });

  test('before the first tick every rate is 0 and mean counts from creation', () => {
    const clock = new ManualClock();
    const m = new Meter(clock);
    assert.deepEqual(m.rates(), { count: 0, m1: 0, m5: 0, m15: 0, mean: 0 });
    m.mark(10);
    clock.advance(2000);
    const r = m.rates();
    assert.equal(r.m1, 0);
    assert.equal(r.mean, 5);
  });

  test('mark rejects non-finite counts; reset starts over', () => {
    const clock = new ManualClock();
    const m = new Meter(clock);
    assert.throws(() => m.mark(Number.NaN), /NaN is not a finite number of events/);
    m.mark(5);
    clock.advance(6000);
    assert.ok(m.rates().m1 > 0);
    m.reset();
    assert.deepEqual(m.rates(), { count: 0, m1: 0, m5: 0, m15: 0, mean: 0 });
  });

  test('the default clock works without a timer per meter', () => {
    const meters = Array.from({ length: 1000 }, () => new Meter());
    for (const m of meters) m.mark(2);
    assert.equal(meters[999].rates().count, 2);
  });

  test('no timer keeps the host alive: a program using 1000 meters and distributions exits by itself', async () => {
    const code = `
      import { Meter } from ${JSON.stringify(new URL('../../src/sampling/meter.js', import.meta.url).href)};
      import { WindowedDistribution } from ${JSON.stringify(new URL('../../src/sampling/windowed-distribution.js', import.meta.url).href)};
      const before = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
      for (let i = 0; i < 1000; i++) { const m = new Meter(); m.mark(); m.rates(); new WindowedDistribution().record(i); }
      const after = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
      console.log(after - before);`;
    // A ref'd timer would keep the child running until the timeout kills it (a rejection here).
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', code], { timeout: 20_000 });
    assert.equal(stdout.trim(), '0', "no ref'd timer was added");
  });
});
