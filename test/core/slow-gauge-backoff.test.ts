// A gauge found slow is not dropped from background reads for good: they skip it and retry it
// after a back-off (1, 2, 4, ... up to 32 background reads, doubling while it stays slow), so
// with no foreground read at all it comes back to the history, timed pushes and dumps.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as scales from 'scales-metrics';

function tree(firstMs: number, laterMs: number) {
  const clock = new scales.ManualClock();
  const registry = new scales.Registry({ clock, gaugeBudgetMs: 50 });
  let calls = 0;
  registry.collection(
    '/app',
    scales.stat('g', () => {
      clock.advance(calls++ === 0 ? firstMs : laterMs);
      return 7;
    }),
  );
  const background = () => {
    const s = registry.snapshot('/app', { background: true });
    return s?.stats.find((x) => x.name === 'g');
  };
  return { registry, background, calls: () => calls };
}

describe('slow gauges in the background', { concurrency: 1 }, () => {
  it('a gauge slow on its first call only is read again after the back-off', async () => {
    const { background, calls } = tree(2_000, 1);
    assert.equal(background()?.value, 7, 'the first background read calls it (and finds it slow)');
    const skipped = background();
    assert.equal(skipped?.value, null);
    assert.match((skipped as { error: string }).error, /^not read in the background: this gauge took 2000 ms/);
    assert.equal(calls(), 1, 'the next background read skips it');
    assert.equal(background()?.value, 7, 'then it is retried, found fast');
    assert.equal(calls(), 2);
    for (let i = 0; i < 10; i++) assert.equal(background()?.value, 7, 'back for good');
    assert.equal(calls(), 12);
    await new Promise((r) => setImmediate(r)); // its warning is emitted on the next tick
  });

  it('a persistently slow gauge is called O(log n) times over n background reads, then every 33rd read, with one warning', async () => {
    const { background, calls, registry } = tree(2_000, 2_000);
    const warnings: string[] = [];
    const onWarning = (w: Error & { code?: string }) => {
      if (w.code === 'SCALES_SLOW_GAUGE') warnings.push(w.message);
    };
    process.on('warning', onWarning);
    try {
      const readAt: number[] = [];
      for (let i = 1; i <= 200; i++) {
        const before = calls();
        const s = background();
        if (calls() > before) {
          readAt.push(i);
          assert.equal(s?.value, 7);
        } else assert.equal(s?.value, null, `read ${i}: skipped, an error in its place`);
      }
      // Called at 1, then after skipping 1, 2, 4, 8, 16, 32, 32, ... reads.
      assert.deepEqual(readAt, [1, 3, 6, 11, 20, 37, 70, 103, 136, 169]);
      assert.equal(readAt.filter((i) => i <= 63).length, 6, 'log2(64) calls over the first 63 reads');
      // A foreground read always calls it.
      const before = calls();
      assert.equal((registry.getStats('/app') as { g: number }).g, 7);
      assert.equal(calls(), before + 1);
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off('warning', onWarning);
    }
    assert.equal(warnings.length, 1, 'one warning for the stat, however often it is retried');
  });
});
