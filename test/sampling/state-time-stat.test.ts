/** StateTimeStat: time per state on the registry's (monotonic, here manual) clock; key limit. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as scales from 'scales-metrics';

describe('StateTimeStat', () => {
  test('past the key limit, new states count under __overflow__, and reading counts nothing more', () => {
    const clock = new scales.ManualClock();
    const r = new scales.Registry({ clock });
    const S = r.collection('/s', scales.stateTimeStat('phase', { keyLimit: 2 }));
    S.phase.set('a');
    clock.advance(1000);
    S.phase.set('b');
    clock.advance(2000);
    S.phase.set('c'); // a third state: folded, counted once
    clock.advance(4000);
    const overflows = () => ((r.getStats('/scales')?.overflow ?? {}) as Record<string, number>)['/s/phase'];
    assert.equal(overflows(), 1);
    for (let i = 0; i < 5; i++) assert.deepEqual(S.phase.times(), { a: 1, b: 2, __overflow__: 4 });
    assert.deepEqual(r.getStats('/s')?.phase, { a: 1, b: 2, __overflow__: 4 });
    assert.equal(overflows(), 1, 'reads do not count overflows');
    S.phase.set('a');
    clock.advance(500);
    assert.deepEqual(S.phase.times(), { a: 1.5, b: 2, __overflow__: 4 });
    assert.equal(overflows(), 1, 'leaving the folded state does not count again');
  });

  test('concurrency levels (small integers, the fast path) keep their own times, fold past the limit and survive clear()', () => {
    const clock = new scales.ManualClock();
    const r = new scales.Registry({ clock });
    const S = r.collection('/s', scales.stateTimeStat('busy', { keyLimit: 3 }));
    const overflows = () => ((r.getStats('/scales')?.overflow ?? {}) as Record<string, number>)['/s/busy'] ?? 0;
    S.busy.set(0);
    clock.advance(100);
    const a = S.busy.acquire(); // 1
    clock.advance(200);
    const b = S.busy.acquire(); // 2
    clock.advance(300);
    const c = S.busy.acquire(); // 3: a fourth key, folded
    clock.advance(400);
    c();
    clock.advance(50);
    const d = S.busy.acquire(); // 3 again: folded again, counted again
    clock.advance(25);
    d();
    b();
    clock.advance(200);
    assert.deepEqual(S.busy.times(), { 0: 0.1, 1: 0.4, 2: 0.35, __overflow__: 0.425 });
    assert.equal(overflows(), 2);
    // 1.5 is no level: a key of its own would be over the limit too.
    S.busy.set(1.5);
    clock.advance(10);
    S.busy.set(1);
    assert.deepEqual(S.busy.times(), { 0: 0.1, 1: 0.4, 2: 0.35, __overflow__: 0.435 });
    assert.ok(r.clear('/s'));
    // clear() zeroes the times; the current level (1) goes on from now, and writes still land on it.
    clock.advance(1000);
    a();
    clock.advance(30);
    assert.deepEqual(S.busy.times(), { 1: 1, 0: 0.03 });
    const e = S.busy.acquire();
    clock.advance(5);
    e();
    assert.deepEqual(S.busy.times(), { 1: 1.005, 0: 0.03 });
  });
});
