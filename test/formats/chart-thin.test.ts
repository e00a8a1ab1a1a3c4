// The charts' thinning: a line of thousands of points is drawn through at most two points a
// pixel column (its lowest and highest, in time order), so no spike or dip is lost and the
// break of a gap is kept.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chartKit } from '../../src/formats/browser/charts.js';

const kit = chartKit((v) => String(v));

describe('chart thinning', () => {
  it('keeps the lowest and highest point of each pixel column, in time order', () => {
    // 2,100 points over 300 columns (7 a column), one spike and one dip.
    const d: Array<number | null> = Array.from({ length: 2100 }, (_, i) => 10 + (i % 3));
    d[1000] = 900;
    d[1500] = -5;
    const px = (i: number): number => (i * 300) / 2100;
    const kept = kit.thin(d, px);
    assert.ok(kept.length <= 600, `${kept.length} points`);
    assert.ok(kept.includes(1000) && kept.includes(1500), 'the spike and the dip are kept');
    for (let j = 1; j < kept.length; j++) assert.ok(kept[j] > kept[j - 1], 'in time order');
    const vals = kept.map((i) => d[i]!);
    assert.equal(Math.max(...vals), 900);
    assert.equal(Math.min(...vals), -5);
    // Per column, both extremes are there.
    const col = Math.floor(px(700));
    const inCol = d.map((v, i) => [v!, i] as const).filter(([, i]) => Math.floor(px(i)) === col);
    const keptInCol = kept.filter((i) => Math.floor(px(i)) === col).map((i) => d[i]);
    assert.deepEqual(
      [Math.min(...keptInCol.map(Number)), Math.max(...keptInCol.map(Number))],
      [Math.min(...inCol.map(([v]) => v)), Math.max(...inCol.map(([v]) => v))],
    );
  });
  it('keeps short series whole and marks gaps with -1', () => {
    assert.deepEqual(
      kit.thin([1, 2, 3], (i) => i * 10),
      [0, 1, 2],
    );
    assert.deepEqual(
      kit.thin([1, null, null, 3, Number.NaN, 4], (i) => i * 10),
      [0, -1, 3, -1, 5],
    );
    assert.deepEqual(
      kit.thin([null, 5], (i) => i),
      [1],
      'no break before the first point',
    );
  });
});
