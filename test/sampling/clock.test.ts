/** ManualClock, systemClock and the shared coarse clock used on hot paths. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ManualClock, systemClock } from '../../src/sampling/clock.js';
import { COARSE_CLOCK_INTERVAL_MS, coarseClock, refreshCoarseNow, resolveClocks } from '../../src/sampling/coarse-clock.js';

describe('clocks', () => {
  test('ManualClock moves only when told, never backwards', () => {
    const c = new ManualClock(10);
    assert.equal(c.now(), 10);
    c.advance(5);
    assert.equal(c.now(), 15);
    c.set(100);
    assert.equal(c.now(), 100);
    assert.throws(() => c.set(99), /99 is before the current time 100/);
    assert.throws(() => c.advance(-1), /-1 is not a finite non-negative/);
    assert.throws(() => c.advance(Number.NaN), /NaN/);
    assert.throws(() => new ManualClock(Number.POSITIVE_INFINITY), /Infinity/);
    assert.equal(new ManualClock().now(), 0);
  });

  test('systemClock is monotonic performance.now()', () => {
    const a = systemClock.now();
    const b = performance.now();
    const c = systemClock.now();
    assert.ok(a <= b && b <= c);
  });

  test('an injected clock is used as is for writes and reads', () => {
    const m = new ManualClock(7);
    const { write, read } = resolveClocks(m);
    assert.equal(write, m);
    assert.equal(read, m);
  });

  test('the system clock resolves to the shared coarse clock for writes and a precise one for reads', async () => {
    const { write, read } = resolveClocks(undefined);
    assert.equal(write, coarseClock);
    assert.equal(resolveClocks(systemClock).write, coarseClock, 'one shared clock, not one per stat');
    const t0 = read.now();
    assert.ok(Math.abs(t0 - performance.now()) < 5);
    assert.equal(coarseClock.now(), t0, 'a read publishes the precise time to writers');
    // The shared ticker moves the coarse time forward on its own (poll with a deadline).
    const deadline = Date.now() + 20_000;
    while (coarseClock.now() === t0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, COARSE_CLOCK_INTERVAL_MS));
    }
    assert.ok(coarseClock.now() > t0, 'the shared ticker advanced the coarse clock');
    assert.ok(refreshCoarseNow() >= coarseClock.now() - 1e-9);
  });
});
