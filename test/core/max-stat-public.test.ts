// maxStat as a user declares it: from the package root, a high-water mark written by
// assignment or by its handle, shown in the tree and in Prometheus, cleared by clear().
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as scales from 'scales-metrics';
import { renderPrometheus } from 'scales-metrics/formats';

test('maxStat keeps the largest value given, null before the first; bad values are rejected and counted', () => {
  const errors: string[] = [];
  const r = new scales.Registry({ onError: (e) => errors.push(e.message) });
  const S = r.collection('/queue', scales.maxStat('peak'));
  assert.equal(S.peak, null);
  assert.deepEqual(r.getStats('/queue'), { peak: null });
  S.peak = 3;
  S.peak = 7;
  S.peak = 5;
  S.$.peak.record(6);
  assert.equal(S.peak, 7);
  assert.equal(S.$.peak.value, 7);
  S.$.peak.record(Number.NaN);
  assert.equal(S.peak, 7);
  assert.equal(errors.length, 1);
  assert.match(errors[0]!, /peak/);
  assert.match(renderPrometheus(r.snapshot('/queue')!), /^queue_peak 7$/m);
  r.clear('/queue');
  assert.equal(S.peak, null);
});
