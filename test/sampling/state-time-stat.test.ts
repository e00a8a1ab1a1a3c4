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
});
