import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import '../helpers/fast-check-seed.js';
import { backoffDelay } from '../../src/graphite/backoff.js';
import { encodePickle, PICKLE_MAX_FRAME_BYTES } from '../../src/graphite/pickle.js';
import { encodePlaintext, formatValue } from '../../src/graphite/plaintext.js';

const TS = 1700000000;

describe('plaintext encoding', () => {
  it('writes name value timestamp lines at full precision', () => {
    const chunks = encodePlaintext({ names: ['a.b', 'a.c', 'a.d', 'a.e'], values: [0.000045, 42, -1.5e-7, 1e21], timestamp: TS });
    assert.equal(chunks.length, 1);
    assert.equal(chunks[0].count, 4);
    assert.equal(chunks[0].bytes.toString(), 'a.b 0.000045 1700000000\na.c 42 1700000000\na.d -1.5e-7 1700000000\na.e 1e+21 1700000000\n');
  });

  it('formatValue round-trips every finite double', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (v) => {
        assert.equal(Number(formatValue(v)), v === 0 ? 0 : v);
      }),
    );
  });

  it('splits into chunks that end on line boundaries and respect the byte bound (exact mode)', () => {
    const names = Array.from({ length: 500 }, (_, i) => `héllo.metric.${i}`);
    const values = names.map((_, i) => i * 1.25);
    const chunks = encodePlaintext({ names, values, timestamp: TS }, 1432, true);
    assert.ok(chunks.length > 1);
    let total = 0;
    let text = '';
    for (const c of chunks) {
      assert.ok(c.bytes.length <= 1432, `chunk of ${c.bytes.length} bytes`);
      assert.equal(c.bytes[c.bytes.length - 1], 0x0a);
      assert.equal(c.bytes.toString().split('\n').length - 1, c.count);
      total += c.count;
      text += c.bytes.toString();
    }
    assert.equal(total, 500);
    assert.equal(text, names.map((n, i) => `${n} ${values[i]} ${TS}\n`).join(''));
  });

  it('an empty batch gives no chunk', () => {
    assert.deepEqual(encodePlaintext({ names: [], values: [], timestamp: TS }), []);
    assert.deepEqual(encodePickle({ names: [], values: [], timestamp: TS }), []);
  });
});

describe('pickle encoding', () => {
  it('matches the protocol-2 bytes carbon accepts, byte for byte', () => {
    const [frame] = encodePickle({ names: ['a.b'], values: [1.5], timestamp: TS });
    const body = Buffer.concat([
      Buffer.from([0x80, 0x02, 0x5d, 0x28]),
      Buffer.from([0x58, 3, 0, 0, 0]),
      Buffer.from('a.b'),
      Buffer.from([0x47]),
      (() => {
        const b = Buffer.alloc(8);
        b.writeDoubleBE(TS);
        return b;
      })(),
      Buffer.from([0x47, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0]), // 1.5 as float64 BE
      Buffer.from([0x86, 0x86, 0x65, 0x2e]),
    ]);
    const head = Buffer.alloc(4);
    head.writeUInt32BE(body.length);
    assert.deepEqual(frame.bytes, Buffer.concat([head, body]));
    assert.equal(frame.count, 1);
  });

  it('splits into frames under the size bound, each a whole pickle', () => {
    const names = Array.from({ length: 3000 }, (_, i) => `some.longer.metric.name.${i}`);
    const values = names.map((_, i) => i / 7);
    const frames = encodePickle({ names, values, timestamp: TS }, 16 * 1024);
    assert.ok(frames.length > 3);
    assert.equal(
      frames.reduce((n, f) => n + f.count, 0),
      3000,
    );
    for (const f of frames) {
      assert.ok(f.bytes.length <= 16 * 1024);
      assert.equal(f.bytes.readUInt32BE(0), f.bytes.length - 4);
      assert.deepEqual([...f.bytes.subarray(4, 8)], [0x80, 0x02, 0x5d, 0x28]);
      assert.deepEqual([...f.bytes.subarray(-2)], [0x65, 0x2e]);
    }
    // The frame size is capped at carbon's 1 MiB limit whatever is asked for.
    const big = encodePickle({ names: Array(40000).fill('x'.repeat(40)), values: Array(40000).fill(1), timestamp: TS }, 10 * 1024 * 1024);
    for (const f of big) assert.ok(f.bytes.length <= PICKLE_MAX_FRAME_BYTES);
  });

  it("is read back exactly by Python's own unpickler (Debian /usr/bin/python3)", {
    skip: !existsSync('/usr/bin/python3') && 'no /usr/bin/python3',
  }, () => {
    const names = ['plain.name', 'héllo.wörld', 'emoji.😀', 'x'.repeat(499)];
    const values = [0.000045, -3, 1e300, 12345678.9];
    const frames = encodePickle({ names, values, timestamp: TS }, 300);
    assert.ok(frames.length >= 2);
    const script = `
import pickle, struct, sys, json
data = sys.stdin.buffer.read()
out = []
while data:
    (n,) = struct.unpack('!L', data[:4])
    out.extend(pickle.loads(data[4:4 + n]))
    data = data[4 + n:]
print(json.dumps([[p, t, v] for (p, (t, v)) in out]))
`;
    const stdout = execFileSync('/usr/bin/python3', ['-c', script], { input: Buffer.concat(frames.map((f) => f.bytes)), encoding: 'utf8' });
    assert.deepEqual(
      JSON.parse(stdout),
      names.map((n, i) => [n, TS, values[i]]),
    );
  });
});

describe('backoffDelay', () => {
  it('doubles from the base, is capped, and jitters between half and all of it', () => {
    assert.equal(
      backoffDelay(0, 200, 5000, () => 1),
      200,
    );
    assert.equal(
      backoffDelay(0, 200, 5000, () => 0),
      100,
    );
    assert.equal(
      backoffDelay(3, 200, 5000, () => 1),
      1600,
    );
    assert.equal(
      backoffDelay(10, 200, 5000, () => 1),
      5000,
    );
    assert.equal(
      backoffDelay(1000, 200, 5000, () => 0),
      2500,
    );
    for (let a = 0; a < 50; a++) {
      const d = backoffDelay(a);
      assert.ok(d > 0 && d <= 5000);
    }
  });
});
