/** LogSketch merge (negatives included, across schemas) and its text form (version 2, and version 1 still read). */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { LogSketch } from '../../src/sampling/sketch.js';
import { mixedSign, REPORTED_QUANTILES, relativeError, seededRandom } from '../helpers/datasets.js';
import { exactQuantile } from './exact-quantile.js';

const QS = [0, 0.01, 0.1, 0.25, ...REPORTED_QUANTILES, 1];

function sketchOf(values: ArrayLike<number>, opts = {}): LogSketch {
  const s = new LogSketch(opts);
  for (let i = 0; i < values.length; i++) s.add(values[i]);
  return s;
}

describe('LogSketch.merge', () => {
  test('two halves with negatives and zeros merge into exactly the sketch of the whole', () => {
    const values = mixedSign(50_000, 11);
    const a = sketchOf(values.subarray(0, 25_000));
    const b = sketchOf(values.subarray(25_000));
    const whole = sketchOf(values);
    a.merge(b);
    assert.equal(a.count, whole.count);
    assert.equal(a.min, whole.min);
    assert.equal(a.max, whole.max);
    assert.ok(Math.abs(a.sum - whole.sum) <= 1e-9 * Math.abs(whole.sum) + 1e-9);
    assert.deepEqual(a.quantiles(QS), whole.quantiles(QS), 'same bins, same answers');
    const sorted = Float64Array.from(values).sort();
    for (const q of QS) {
      const x = exactQuantile(sorted, q);
      assert.ok(relativeError(a.quantile(q)!, x) <= 0.0055, `q=${q}: ${a.quantile(q)} vs ${x}`);
    }
  });

  test('a sketch of only negative values merged into a positive one keeps the negatives', () => {
    // The sketches-js bug: its merge dropped the other sketch's negative store.
    const pos = sketchOf([1, 2, 3, 4]);
    const neg = sketchOf([-1, -2, -3, -4]);
    pos.merge(neg);
    assert.equal(pos.count, 8);
    assert.ok(relativeError(pos.quantile(0)!, -4) <= 0.01);
    assert.ok(relativeError(pos.quantile(2 / 7)!, -2) <= 0.01);
    assert.ok(pos.negative.total() === 4);
  });

  test('merging an empty sketch changes nothing; merging into an empty one copies', () => {
    const a = sketchOf([5, 6, 7]);
    a.merge(new LogSketch());
    assert.equal(a.count, 3);
    assert.equal(a.min, 5);
    const e = new LogSketch();
    e.merge(a);
    assert.deepEqual(e.quantiles(QS), a.quantiles(QS));
  });

  test('sketches of different schemas merge exactly at the coarser one', () => {
    const values = mixedSign(20_000, 12);
    const fine = sketchOf(values.subarray(0, 10_000));
    const coarse = sketchOf(values.subarray(10_000), { schema: 4 });
    fine.merge(coarse);
    assert.equal(fine.schema, 4);
    assert.deepEqual(fine.quantiles(QS), sketchOf(values, { schema: 4 }).quantiles(QS), 'same buckets as if recorded at schema 4');
    assert.throws(() => fine.merge(fine), /into itself/);
  });

  test('many shards (like 16 workers) merge to the sketch of all the data', () => {
    const r = seededRandom(5);
    const all: number[] = [];
    const shards = Array.from({ length: 16 }, () => new LogSketch());
    for (let i = 0; i < 40_000; i++) {
      const v = (r() < 0.5 ? 0.003 : 0.3) * Math.exp(r());
      all.push(v);
      shards[i % 16].add(v);
    }
    const merged = new LogSketch();
    for (const s of shards) merged.merge(s);
    assert.deepEqual(merged.quantiles(QS), sketchOf(all).quantiles(QS));
  });
});

describe('LogSketch serialize / deserialize', () => {
  test('round trip keeps every bin, count, sum, min and max', () => {
    const s = sketchOf(mixedSign(20_000, 3));
    const text = s.serialize();
    assert.match(text, /^[A-Za-z0-9_-]+$/, 'base64url, ASCII only');
    const t = LogSketch.deserialize(text);
    assert.equal(t.count, s.count);
    assert.equal(t.sum, s.sum);
    assert.equal(t.min, s.min);
    assert.equal(t.max, s.max);
    assert.equal(t.schema, s.schema);
    assert.deepEqual(t.nativeBuckets(), s.nativeBuckets());
    assert.deepEqual(t.quantiles(QS), s.quantiles(QS));
    assert.equal(t.serialize(), text, 'stable');
  });

  test('an empty sketch round-trips', () => {
    const t = LogSketch.deserialize(new LogSketch().serialize());
    assert.equal(t.count, 0);
    assert.equal(t.quantile(0.5), null);
  });

  test('compact: a 100,000-value latency sketch is a few hundred characters', () => {
    const r = seededRandom(9);
    const s = new LogSketch();
    for (let i = 0; i < 100_000; i++) s.add(0.02 * Math.exp(0.5 * (r() + r() + r() - 1.5)));
    const text = s.serialize();
    assert.ok(text.length < 1500, `${text.length} characters`);
  });

  test('a deserialized sketch merges with a live one', () => {
    const a = sketchOf([1, 2, 3]);
    const b = LogSketch.deserialize(sketchOf([-1, 0, 10]).serialize());
    a.merge(b);
    assert.equal(a.count, 6);
    assert.equal(a.min, -1);
    assert.equal(a.max, 10);
  });

  test('garbage is refused with a TypeError that says what is wrong', () => {
    const good = sketchOf([1, 2, 3, -4, 0]).serialize();
    const cases: [unknown, RegExp][] = [
      [42, /expected a string, got number/],
      [null, /got null/],
      ['', /empty input/],
      ['not a sketch!', /character " " at 3 is not base64url/],
      ['AAAA', /unknown format version 0 \(this library reads version 2, native-histogram buckets, and version 1/],
      [Buffer.from([2, 14]).toString('base64url'), /schema 7 is not in -4\.\.6/],
      [good.slice(0, 20), /input ends inside/],
      [`${good}AAAA`, /extra bytes/],
      [Buffer.from([1, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f]).toString('base64url'), /relativeAccuracy 1 is not in/],
    ];
    for (const [input, re] of cases) {
      assert.throws(
        () => LogSketch.deserialize(input as string),
        (e: unknown) => e instanceof TypeError && re.test(e.message) && e.message.startsWith('LogSketch.deserialize:'),
        `input ${JSON.stringify(input)}`,
      );
    }
  });

  test('a bucket outside the range of doubles is caught', () => {
    const bytes = Buffer.from(sketchOf([1]).serialize(), 'base64url');
    // 0 version, 1 schema, 2..9 zeroThreshold, 10 count, 11..34 sum/min/max, 35 zeroCount,
    // 36 positive buckets = 1, 37.. first index (zigzag varint)
    assert.deepEqual([bytes[0], bytes[1], bytes[10], bytes[36]], [2, 12, 1, 1]);
    const tampered = Buffer.concat([bytes.subarray(0, 37), Buffer.from([0xfe, 0xff, 0x7f, 1, 0])]);
    assert.throws(() => LogSketch.deserialize(tampered.toString('base64url')), /positive bucket 1048575 is outside the range/);
  });

  test('a tampered count is caught', () => {
    const bytes = Buffer.from(sketchOf([1, 2, 3]).serialize(), 'base64url');
    assert.equal(bytes[10], 3);
    bytes[10] = 4;
    assert.throws(() => LogSketch.deserialize(bytes.toString('base64url')), /count 4 does not equal the 3 values/);
  });

  test('a version-1 sketch (first round, from an old dump) is read and merges with a new one', () => {
    // Written by the first round's LogSketch (1% accuracy) from these very values.
    const v1 = readFileSync(new URL('../../../test/fixtures/sketch/v1-lognormal-2000.txt', import.meta.url), 'utf8').trim();
    const r = seededRandom(11);
    const values: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const v = 0.02 * Math.exp(1.5 * (r() + r() + r() - 1.5));
      values.push(i % 10 === 0 ? -v : i % 97 === 0 ? 0 : v);
    }
    assert.equal(Buffer.from(v1, 'base64url')[0], 1, 'the fixture is version 1');
    const old = LogSketch.deserialize(v1);
    assert.equal(old.count, 2000);
    assert.equal(old.schema, 6);
    const sorted = Float64Array.from(values).sort();
    // The old bin's value (1%) re-bucketed at schema 6 (0.54%): within 1.6% of the truth.
    for (const q of QS) assert.ok(relativeError(old.quantile(q)!, exactQuantile(sorted, q)) <= 0.016, `q=${q}`);
    const fresh = sketchOf(values);
    fresh.merge(old);
    assert.equal(fresh.count, 4000);
    const twice = Float64Array.from([...values, ...values]).sort();
    for (const q of QS) assert.ok(relativeError(fresh.quantile(q)!, exactQuantile(twice, q)) <= 0.016, `merged q=${q}`);
    // Written back, it is version 2.
    assert.equal(Buffer.from(old.serialize(), 'base64url')[0], 2);
  });
});
