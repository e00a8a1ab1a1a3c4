// A minimal protobuf wire decoder for tests: it reads what the encoder wrote back into plain
// objects (varints as BigInt, so no bit is lost), independently of the encoder's code paths.
import assert from 'node:assert/strict';

/** One decoded field: varint (bigint), fixed64 (the 8 bytes), or length-delimited (the bytes). */
export type WireValue = { wire: 0; v: bigint } | { wire: 1; bytes: Uint8Array } | { wire: 2; bytes: Uint8Array } | { wire: 5; bytes: Uint8Array };

/** Fields by number, in order of appearance. */
export type WireMessage = Map<number, WireValue[]>;

/** Reads a varint at `pos`; returns [value, next position]. */
export function readVarint(b: Uint8Array, pos: number): [bigint, number] {
  let v = 0n;
  let shift = 0n;
  for (;;) {
    if (pos >= b.length) throw new Error('truncated varint');
    const byte = b[pos++];
    v |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return [v, pos];
    shift += 7n;
    if (shift > 63n) throw new Error('varint too long');
  }
}

/** Decodes one message's fields. */
export function decodeMessage(b: Uint8Array): WireMessage {
  const out: WireMessage = new Map();
  let pos = 0;
  while (pos < b.length) {
    const [key, p1] = readVarint(b, pos);
    pos = p1;
    const field = Number(key >> 3n);
    const wire = Number(key & 7n);
    let value: WireValue;
    if (wire === 0) {
      const [v, p2] = readVarint(b, pos);
      pos = p2;
      value = { wire: 0, v };
    } else if (wire === 1) {
      value = { wire: 1, bytes: b.subarray(pos, pos + 8) };
      pos += 8;
    } else if (wire === 2) {
      const [len, p2] = readVarint(b, pos);
      const end = p2 + Number(len);
      if (end > b.length) throw new Error(`field ${field}: length ${len} past the end`);
      value = { wire: 2, bytes: b.subarray(p2, end) };
      pos = end;
    } else if (wire === 5) {
      value = { wire: 5, bytes: b.subarray(pos, pos + 4) };
      pos += 4;
    } else throw new Error(`unknown wire type ${wire}`);
    const list = out.get(field);
    if (list) list.push(value);
    else out.set(field, [value]);
  }
  return out;
}

/** Splits a delimited stream into its messages. */
export function splitDelimited(b: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let pos = 0;
  while (pos < b.length) {
    const [len, p] = readVarint(b, pos);
    out.push(b.subarray(p, p + Number(len)));
    pos = p + Number(len);
    if (pos > b.length) throw new Error('truncated message');
  }
  return out;
}

/** Field `f` of `m`, which must occur exactly once. */
export function one(m: WireMessage, f: number): WireValue {
  const v = m.get(f);
  assert.ok(v && v.length === 1, `field ${f}: expected once, got ${v?.length ?? 0}`);
  return v[0]!;
}

/** Every occurrence of the sub-message field `f` of `m`, decoded. */
export const subs = (m: WireMessage, f: number): WireMessage[] => (m.get(f) ?? []).map((x) => decodeMessage((x as { bytes: Uint8Array }).bytes));

export const zigzag = (v: bigint): bigint => (v & 1n ? -(v >> 1n) - 1n : v >> 1n);
export const asDouble = (x: WireValue): number => {
  const b = (x as { bytes: Uint8Array }).bytes;
  return new DataView(b.buffer, b.byteOffset, 8).getFloat64(0, true);
};
export const asString = (x: WireValue): string => new TextDecoder().decode((x as { bytes: Uint8Array }).bytes);
export const asInt64 = (x: WireValue): bigint => BigInt.asIntN(64, (x as { v: bigint }).v);

/** Every varint of a packed repeated field (or of repeated unpacked ones). */
export function packedVarints(values: WireValue[] | undefined): bigint[] {
  const out: bigint[] = [];
  for (const x of values ?? []) {
    if (x.wire === 0) out.push(x.v);
    else if (x.wire === 2) {
      let pos = 0;
      while (pos < x.bytes.length) {
        const [v, p] = readVarint(x.bytes, pos);
        out.push(v);
        pos = p;
      }
    }
  }
  return out;
}

/** A decoded native-histogram side: (index, count) pairs of its non-empty buckets. */
export function nativeSide(h: WireMessage, spanField: number, deltaField: number): Array<[number, number]> {
  const spans = (h.get(spanField) ?? []).map((s) => {
    const m = decodeMessage((s as { bytes: Uint8Array }).bytes);
    return {
      offset: Number(zigzag(m.get(1)?.[0] ? (m.get(1)![0] as { v: bigint }).v : 0n)),
      length: Number(m.get(2)?.[0] ? (m.get(2)![0] as { v: bigint }).v : 0n),
    };
  });
  const deltas = packedVarints(h.get(deltaField)).map(zigzag);
  const out: Array<[number, number]> = [];
  let index = 0;
  let count = 0n;
  let d = 0;
  for (let s = 0; s < spans.length; s++) {
    index += spans[s].offset;
    for (let k = 0; k < spans[s].length; k++) {
      count += deltas[d++];
      if (count !== 0n) out.push([index, Number(count)]);
      index++;
    }
  }
  if (d !== deltas.length) throw new Error(`spans cover ${d} buckets but there are ${deltas.length} deltas`);
  return out;
}
