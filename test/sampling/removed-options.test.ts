// The first round's sketch options are refused, not silently ignored, through the package.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LogSketch, WindowedDistribution } from 'scales-metrics/sampling';

describe('removed options of LogSketch', () => {
  for (const removed of ['relativeAccuracy', 'maxBins']) {
    test(`new LogSketch({ ${removed} }) throws the RangeError WindowedDistribution throws`, () => {
      const value = removed === 'maxBins' ? 2048 : 0.01;
      assert.throws(
        () => new LogSketch({ [removed]: value } as never),
        (e: Error) =>
          e instanceof RangeError && e.message === `LogSketch: ${removed} is no longer an option (buckets are native-histogram schema 6: 0.54%)`,
      );
    });
  }

  test('the text matches WindowedDistribution', () => {
    let wd = '';
    try {
      new WindowedDistribution({ relativeAccuracy: 0.01 } as never);
    } catch (e) {
      wd = (e as Error).message;
    }
    let ls = '';
    try {
      new LogSketch({ relativeAccuracy: 0.01 } as never);
    } catch (e) {
      ls = (e as Error).message;
    }
    assert.equal(ls.replace(/^LogSketch/, ''), wd.replace(/^WindowedDistribution/, ''));
  });

  test('the options that remain still work', () => {
    const s = new LogSketch({ maxBytes: 4096, schema: 5 });
    s.add(1.5);
    assert.equal(s.count, 1);
    assert.equal(s.schema, 5);
  });
});
