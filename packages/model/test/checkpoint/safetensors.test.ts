import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CheckpointError } from '../../src/checkpoint/errors';
import {
  decodeTensor,
  encodeSafetensorsHeader,
  parseSafetensors,
  safetensorsChunks,
  serializeSafetensors,
} from '../../src/checkpoint/safetensors';

const FIXTURE = fileURLToPath(new URL('../fixtures/dtypes.safetensors', import.meta.url));

/** Builds a safetensors file by hand from a header object and a data section. */
function rawFile(header: unknown, data: Uint8Array = new Uint8Array(0), headerText?: string): Uint8Array {
  const json = new TextEncoder().encode(headerText ?? JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

function u16(values: number[]): Uint8Array {
  const out = new Uint8Array(values.length * 2);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setUint16(2 * i, v, true));
  return out;
}

/** Calls `fn` and returns the CheckpointError it throws (failing the test otherwise). */
function checkpointError(fn: () => unknown): CheckpointError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(CheckpointError);
    return error as CheckpointError;
  }
  throw new Error('expected a CheckpointError, nothing was thrown');
}

describe('serializeSafetensors / parseSafetensors', () => {
  it('round-trips F32 and I32 tensors with metadata, in the given order', () => {
    const a = Float32Array.from([1.5, -2, 3.25, 0, 1e30, -1e-30]);
    const b = Int32Array.from([7, -8, 2147483647, -2147483648]);
    const empty = new Float32Array(0);
    const bytes = serializeSafetensors(
      new Map([
        ['layer.a', { dtype: 'F32' as const, shape: [2, 3], data: a }],
        ['ids', { dtype: 'I32' as const, shape: [4], data: b }],
        ['empty', { dtype: 'F32' as const, shape: [0, 5], data: empty }],
      ]),
      { format: 'pt', note: 'x' },
    );
    const { tensors, metadata } = parseSafetensors(bytes);
    expect(metadata).toEqual({ format: 'pt', note: 'x' });
    expect([...tensors.keys()]).toEqual(['layer.a', 'ids', 'empty']);
    expect(tensors.get('layer.a')).toEqual({ dtype: 'F32', shape: [2, 3], data: a });
    expect(tensors.get('ids')).toEqual({ dtype: 'I32', shape: [4], data: b });
    expect(tensors.get('empty')!.shape).toEqual([0, 5]);
    expect(tensors.get('empty')!.data.length).toBe(0);
  });

  it('writes the documented layout: u64 LE header length, space-padded JSON, 8-aligned data, contiguous offsets', () => {
    const bytes = serializeSafetensors({
      x: { dtype: 'F32', shape: [3], data: Float32Array.from([1, 2, 3]) },
      y: { dtype: 'I32', shape: [1, 2], data: Int32Array.from([5, 6]) },
    });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + n) % 8).toBe(0);
    expect(bytes.length).toBe(8 + n + 20);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    expect(header).toEqual({
      x: { dtype: 'F32', shape: [3], data_offsets: [0, 12] },
      y: { dtype: 'I32', shape: [1, 2], data_offsets: [12, 20] },
    });
    const view = new DataView(bytes.buffer, 8 + n);
    expect([view.getFloat32(0, true), view.getFloat32(4, true), view.getFloat32(8, true)]).toEqual([1, 2, 3]);
    expect([view.getInt32(12, true), view.getInt32(16, true)]).toEqual([5, 6]);
    expect(header.__metadata__).toBeUndefined();
  });

  it('decodes data at unaligned byte offsets (odd header length)', () => {
    const buf = new Uint8Array(1 + 8);
    const view = new DataView(buf.buffer);
    view.setFloat32(1, 0.5, true);
    view.setFloat32(5, -7, true);
    expect(Array.from(decodeTensor({ dtype: 'F32', shape: [2] }, buf.subarray(1), 'w'))).toEqual([0.5, -7]);
    const header = { w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } };
    const text = JSON.stringify(header) + (JSON.stringify(header).length % 2 === 0 ? ' ' : '');
    const file = rawFile(header, buf.subarray(1), text);
    expect((8 + text.length) % 2).toBe(1);
    expect(parseSafetensors(file).tensors.get('w')!.data).toEqual(Float32Array.from([0.5, -7]));
  });

  it('streams the same bytes as serializeSafetensors, fetching data lazily', async () => {
    const fetched: string[] = [];
    const tensors = [
      { name: 'a', dtype: 'F32' as const, shape: [2], data: () => (fetched.push('a'), Float32Array.from([1, 2])) },
      { name: 'b', dtype: 'I32' as const, shape: [1], data: async () => (fetched.push('b'), Int32Array.from([3])) },
    ];
    const gen = safetensorsChunks(tensors, { format: 'pt' });
    const first = await gen.next();
    expect(fetched).toEqual([]); // the header needs no data
    const parts = [first.value as Uint8Array];
    for await (const c of gen) parts.push(c);
    expect(fetched).toEqual(['a', 'b']);
    const joined = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
    let o = 0;
    for (const p of parts) {
      joined.set(p, o);
      o += p.length;
    }
    const direct = serializeSafetensors(
      { a: { dtype: 'F32', shape: [2], data: Float32Array.from([1, 2]) }, b: { dtype: 'I32', shape: [1], data: Int32Array.from([3]) } },
      { format: 'pt' },
    );
    expect(joined).toEqual(direct);
  });

  it('rejects bad inputs naming the tensor', () => {
    expect(() => serializeSafetensors({ a: { dtype: 'F32', shape: [2, 2], data: new Float32Array(3) } })).toThrow(/'a'.*3 elements.*\[2, 2\]/);
    expect(() => serializeSafetensors({ a: { dtype: 'F16' as 'F32', shape: [1], data: new Float32Array(1) } })).toThrow(/'a'.*dtype/);
    expect(() => serializeSafetensors({ a: { dtype: 'I32', shape: [1], data: new Float32Array(1) as unknown as Int32Array } })).toThrow(/'a'.*Int32Array/);
    expect(() => serializeSafetensors({ a: { dtype: 'F32', shape: [-1], data: new Float32Array(0) } })).toThrow(/'a'.*shape/);
    expect(() => serializeSafetensors({ __metadata__: { dtype: 'F32', shape: [0], data: new Float32Array(0) } })).toThrow(/name/);
    expect(() => encodeSafetensorsHeader([{ name: 'a', dtype: 'F32', shape: [1] }], { n: 1 as unknown as string })).toThrow(/metadata\.n/);
    expect(() =>
      encodeSafetensorsHeader([
        { name: 'a', dtype: 'F32', shape: [1] },
        { name: 'a', dtype: 'F32', shape: [1] },
      ]),
    ).toThrow(/duplicate.*'a'/);
  });
});

describe('dtype decoding', () => {
  it('decodes F16 bit patterns (normals, subnormals, ±0, ±inf, NaN, max)', () => {
    const bits = [0x3c00, 0xc000, 0x7bff, 0x0001, 0x03ff, 0x0400, 0x8000, 0x7c00, 0xfc00, 0x3555, 0x7e00];
    const out = decodeTensor({ dtype: 'F16', shape: [bits.length] }, u16(bits), 'h');
    expect(out).toBeInstanceOf(Float32Array);
    const v = Array.from(out);
    expect(v.slice(0, 10)).toEqual([1, -2, 65504, 2 ** -24, 1023 * 2 ** -24, 2 ** -14, -0, Infinity, -Infinity, 0.333251953125]);
    expect(Object.is(v[6], -0)).toBe(true);
    expect(Number.isNaN(v[10])).toBe(true);
  });

  it('decodes BF16 bit patterns', () => {
    const out = decodeTensor({ dtype: 'BF16', shape: [2, 2] }, u16([0x3f80, 0x4049, 0xc2f7, 0x0000]), 'b');
    expect(Array.from(out)).toEqual([1, 3.140625, -123.5, 0]);
  });

  it('decodes I64 to int32 and rejects values outside int32, naming file and tensor', () => {
    const bytes = new Uint8Array(24);
    const view = new DataView(bytes.buffer);
    view.setBigInt64(0, -5n, true);
    view.setBigInt64(8, 2147483647n, true);
    view.setBigInt64(16, -2147483648n, true);
    const out = decodeTensor({ dtype: 'I64', shape: [3] }, bytes, 'ids');
    expect(out).toBeInstanceOf(Int32Array);
    expect(Array.from(out)).toEqual([-5, 2147483647, -2147483648]);
    view.setBigInt64(8, 2147483648n, true);
    const e = checkpointError(() => decodeTensor({ dtype: 'I64', shape: [3] }, bytes, 'ids', 'f.safetensors'));
    expect(e.file).toBe('f.safetensors');
    expect(e.tensor).toBe('ids');
    expect(e.message).toMatch(/2147483648.*int32/);
  });

  it('rejects an unsupported dtype naming the tensor', () => {
    const e = checkpointError(() => decodeTensor({ dtype: 'U8', shape: [2] }, new Uint8Array(2), 'mask', 'm.safetensors'));
    expect([e.file, e.tensor]).toEqual(['m.safetensors', 'mask']);
    expect(e.message).toMatch(/unsupported dtype U8/);
  });

  it('reads the file PyTorch wrote (scripts/llama_reference.py --dtypes) to the values torch converts to', () => {
    const expected = JSON.parse(readFileSync(`${FIXTURE}.json`, 'utf8')) as Record<string, number[][]>;
    const { tensors, metadata } = parseSafetensors(readFileSync(FIXTURE), { file: FIXTURE });
    expect(metadata).toEqual({ format: 'pt', note: 'dtype conversion fixture' });
    expect([...tensors.keys()].sort()).toEqual(['bf16', 'f16', 'f32', 'f64', 'i32', 'i64']);
    for (const [name, rows] of Object.entries(expected)) {
      const t = tensors.get(name)!;
      expect(t.shape, name).toEqual([2, rows[0]!.length]);
      expect(t.data instanceof (name.startsWith('i') ? Int32Array : Float32Array), name).toBe(true);
      // every value is exact: torch's float16/bfloat16 -> float32 conversion is exact, and the f32/f64 inputs are float32 values
      expect(Array.from(t.data), name).toEqual(rows.flat());
    }
    expect(tensors.get('f16')!.dtype).toBe('F16');
    expect(tensors.get('bf16')!.dtype).toBe('BF16');
  });
});

describe('corrupt files raise CheckpointError naming the file and tensor', () => {
  const good = serializeSafetensors({
    'w.a': { dtype: 'F32', shape: [2, 2], data: Float32Array.from([1, 2, 3, 4]) },
    'w.b': { dtype: 'F32', shape: [3], data: Float32Array.from([5, 6, 7]) },
  });

  it('file shorter than the 8-byte length', () => {
    const e = checkpointError(() => parseSafetensors(good.subarray(0, 5), { file: 'short.safetensors' }));
    expect(e.file).toBe('short.safetensors');
    expect(e.tensor).toBeUndefined();
    expect(e.message).toMatch(/truncated/);
  });

  it('header longer than the file', () => {
    const e = checkpointError(() => parseSafetensors(good.subarray(0, 20), { file: 'cut.safetensors' }));
    expect(e.message).toMatch(/^cut\.safetensors: truncated: header/);
  });

  it('data section cut: names the first tensor that does not fit', () => {
    const e = checkpointError(() => parseSafetensors(good.subarray(0, good.length - 4), { file: 'cut.safetensors' }));
    expect(e.file).toBe('cut.safetensors');
    expect(e.tensor).toBe('w.b');
    expect(e.message).toMatch(/truncated: data ends at byte 28.*24 data bytes/);
  });

  it('absurd header length', () => {
    const bytes = good.slice();
    new DataView(bytes.buffer).setBigUint64(0, 2n ** 60n, true);
    expect(checkpointError(() => parseSafetensors(bytes, { file: 'x' })).message).toMatch(/corrupt header: header length/);
    new DataView(bytes.buffer).setBigUint64(0, 0n, true);
    expect(checkpointError(() => parseSafetensors(bytes, { file: 'x' })).message).toMatch(/corrupt header/);
  });

  it('header that is not JSON, not UTF-8, or not an object', () => {
    expect(checkpointError(() => parseSafetensors(rawFile(null, undefined, '{"a": [1,'), { file: 'bad.json' })).message).toMatch(
      /^bad\.json: corrupt header: not valid UTF-8 JSON/,
    );
    const notUtf8 = rawFile(null, undefined, '{"a":1}');
    notUtf8[9] = 0xff;
    expect(checkpointError(() => parseSafetensors(notUtf8)).message).toMatch(/not valid UTF-8 JSON/);
    expect(checkpointError(() => parseSafetensors(rawFile([1, 2]))).message).toMatch(/not an object/);
  });

  it('bad entries name the tensor', () => {
    const cases: [unknown, RegExp][] = [
      [{ t: { dtype: 'F99', shape: [1], data_offsets: [0, 4] } }, /unknown dtype "F99"/],
      [{ t: { dtype: 'F32', shape: [1.5], data_offsets: [0, 4] } }, /shape \[1\.5\]/],
      [{ t: { dtype: 'F32', shape: 'x', data_offsets: [0, 4] } }, /shape "x"/],
      [{ t: { dtype: 'F32', shape: [2], data_offsets: [0, 4] } }, /span 4 bytes but F32 shape \[2\] needs 8/],
      [{ t: { dtype: 'F32', shape: [1], data_offsets: [4] } }, /data_offsets \[4\]/],
      [{ t: 'nope' }, /entry is not an object/],
    ];
    for (const [header, re] of cases) {
      const e = checkpointError(() => parseSafetensors(rawFile(header, new Uint8Array(8)), { file: 'f' }));
      expect([e.file, e.tensor], JSON.stringify(header)).toEqual(['f', 't']);
      expect(e.message).toMatch(re);
    }
  });

  it('overlapping data offsets', () => {
    const header = { a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } };
    const e = checkpointError(() => parseSafetensors(rawFile(header, new Uint8Array(8)), { file: 'f' }));
    expect(e.tensor).toBe('b');
    expect(e.message).toMatch(/overlap.*'a'/);
  });

  it('bad __metadata__', () => {
    const e = checkpointError(() => parseSafetensors(rawFile({ __metadata__: { format: 1 } }), { file: 'f' }));
    expect(e.message).toMatch(/__metadata__\.format is not a string/);
  });
});
