/**
 * The safetensors format (https://github.com/huggingface/safetensors): an 8-byte little-endian unsigned
 * header length `N`, `N` bytes of UTF-8 JSON `{name: {dtype, shape, data_offsets: [begin, end]}, ...,
 * "__metadata__": {string: string}}`, then the raw little-endian tensor bytes (offsets are relative to the
 * end of the header).
 *
 * Reading supports F64, F32, F16 and BF16 (decoded to float32) and I64, I32 (decoded to int32; an I64
 * value outside the int32 range is an error). Writing supports F32 and I32. Every problem is a
 * {@link CheckpointError} naming the file (a path or the `file` label given) and the tensor.
 *
 * @packageDocumentation
 */
import { CheckpointError } from './errors';

/** Byte sizes of every dtype of the format (reading decodes only some, see `decodeTensor`). */
export const SAFETENSORS_DTYPE_SIZES: Readonly<Record<string, number>> = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E5M2: 1,
  F8_E4M3: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  F64: 8,
  I64: 8,
  U64: 8,
};

/** Dtypes `decodeTensor` reads to float32. */
export const FLOAT_DTYPES: readonly string[] = ['F64', 'F32', 'F16', 'BF16'];
/** Dtypes `decodeTensor` reads to int32. */
export const INT_DTYPES: readonly string[] = ['I64', 'I32'];

/** Dtypes {@link serializeSafetensors} writes. */
export type WritableDtype = 'F32' | 'I32';

/** Largest header accepted (the reference implementation's limit); larger means a corrupt length. */
export const MAX_HEADER_BYTES = 100_000_000;

const DEFAULT_LABEL = '<safetensors buffer>';

/** One entry of a parsed header. `dataOffsets` are relative to the start of the data section. */
export interface SafetensorsEntry {
  dtype: string;
  shape: number[];
  dataOffsets: [number, number];
}

/** A parsed, validated header. */
export interface SafetensorsHeader {
  /** Tensors in header order. */
  tensors: Map<string, SafetensorsEntry>;
  /** The `__metadata__` map (empty when absent). */
  metadata: Record<string, string>;
  /** Byte offset of the data section in the file: `8 + N`. */
  dataStart: number;
}

/** A decoded tensor: float dtypes as float32, integer dtypes as int32. `dtype` is the stored dtype. */
export interface SafetensorsTensor {
  dtype: string;
  shape: number[];
  data: Float32Array | Int32Array;
}

/** A tensor to write. `data.length` must equal the product of `shape`. */
export interface SafetensorsInput {
  dtype: WritableDtype;
  shape: readonly number[];
  data: Float32Array | Int32Array;
}

/** A tensor to write whose data is produced on demand (see {@link safetensorsChunks}). */
export interface LazySafetensorsInput {
  dtype: WritableDtype;
  shape: readonly number[];
  data: () => Float32Array | Int32Array | Promise<Float32Array | Int32Array>;
}

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * Reads the header length from the first 8 bytes of a file of `fileSize` bytes and checks it fits.
 *
 * @param prefix - at least the first 8 bytes of the file
 * @param fileSize - the file's total size in bytes
 * @param file - file name or label used in errors
 * @returns `N`, the JSON header's length in bytes
 * @throws {@link CheckpointError} when the file is shorter than 8 bytes, or `N` is 0, above
 *   {@link MAX_HEADER_BYTES} or past the end of the file
 */
export function readHeaderLength(prefix: Uint8Array, fileSize: number, file: string = DEFAULT_LABEL): number {
  if (prefix.length < 8 || fileSize < 8) {
    throw new CheckpointError(file, undefined, `truncated: ${Math.min(prefix.length, fileSize)} bytes, shorter than the 8-byte header length`);
  }
  const n = new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true);
  if (n === 0n || n > BigInt(MAX_HEADER_BYTES)) {
    throw new CheckpointError(file, undefined, `corrupt header: header length ${n} is not in [1, ${MAX_HEADER_BYTES}]`);
  }
  const len = Number(n);
  if (8 + len > fileSize) {
    throw new CheckpointError(file, undefined, `truncated: header of ${len} bytes ends at byte ${8 + len} but the file has ${fileSize} bytes`);
  }
  return len;
}

/**
 * Parses and validates the header of a safetensors file.
 *
 * Checks: valid UTF-8 JSON object; every entry has a known dtype, a shape of non-negative integers and
 * `data_offsets` `[begin, end]` with `end - begin = numel * dtypeSize`; entries do not overlap and lie
 * within the file (otherwise the file is reported truncated); `__metadata__` maps strings to strings.
 *
 * @param prefix - the file's first `8 + N` bytes (or more)
 * @param fileSize - the file's total size in bytes
 * @param file - file name or label used in errors
 * @throws {@link CheckpointError} naming the file and, for a bad entry, the tensor
 */
export function parseSafetensorsHeader(prefix: Uint8Array, fileSize: number, file: string = DEFAULT_LABEL): SafetensorsHeader {
  const len = readHeaderLength(prefix, fileSize, file);
  if (prefix.length < 8 + len) {
    throw new CheckpointError(file, undefined, `truncated: header needs ${8 + len} bytes, got ${prefix.length}`);
  }
  let json: unknown;
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(prefix.subarray(8, 8 + len));
    json = JSON.parse(text);
  } catch (error) {
    throw new CheckpointError(file, undefined, `corrupt header: not valid UTF-8 JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new CheckpointError(file, undefined, 'corrupt header: the JSON header is not an object');
  }
  const dataSize = fileSize - 8 - len;
  const tensors = new Map<string, SafetensorsEntry>();
  let metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(json as Record<string, unknown>)) {
    if (name === '__metadata__') {
      metadata = parseMetadata(value, file);
      continue;
    }
    tensors.set(name, parseEntry(name, value, dataSize, file));
  }
  // Empty tensors occupy no bytes and overlap nothing.
  const byOffset = [...tensors.entries()]
    .filter(([, e]) => e.dataOffsets[1] > e.dataOffsets[0])
    .sort((a, b) => a[1].dataOffsets[0] - b[1].dataOffsets[0]);
  for (let i = 1; i < byOffset.length; i++) {
    const [prevName, prev] = byOffset[i - 1]!;
    const [name, entry] = byOffset[i]!;
    if (entry.dataOffsets[0] < prev.dataOffsets[1]) {
      throw new CheckpointError(
        file,
        name,
        `corrupt header: data_offsets [${entry.dataOffsets.join(', ')}] overlap those of '${prevName}' [${prev.dataOffsets.join(', ')}]`,
      );
    }
  }
  return { tensors, metadata, dataStart: 8 + len };
}

function parseMetadata(value: unknown, file: string): Record<string, string> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new CheckpointError(file, undefined, 'corrupt header: __metadata__ is not an object');
  }
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw new CheckpointError(file, undefined, `corrupt header: __metadata__.${k} is not a string`);
  }
  return { ...(value as Record<string, string>) };
}

function parseEntry(name: string, value: unknown, dataSize: number, file: string): SafetensorsEntry {
  const bad = (what: string): CheckpointError => new CheckpointError(file, name, `corrupt header: ${what}`);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw bad('entry is not an object');
  const { dtype, shape, data_offsets: offsets } = value as Record<string, unknown>;
  if (typeof dtype !== 'string' || !(dtype in SAFETENSORS_DTYPE_SIZES)) throw bad(`unknown dtype ${JSON.stringify(dtype)}`);
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
    throw bad(`shape ${JSON.stringify(shape)} is not a list of non-negative integers`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && (o as number) >= 0)) {
    throw bad(`data_offsets ${JSON.stringify(offsets)} is not [begin, end] with non-negative integers`);
  }
  const [begin, end] = offsets as [number, number];
  const count = numel(shape as number[]);
  const bytes = count * SAFETENSORS_DTYPE_SIZES[dtype]!;
  if (!Number.isSafeInteger(bytes) || end < begin || end - begin !== bytes) {
    throw bad(`data_offsets [${begin}, ${end}] span ${end - begin} bytes but ${dtype} shape [${(shape as number[]).join(', ')}] needs ${bytes}`);
  }
  if (end > dataSize) {
    throw new CheckpointError(file, name, `truncated: data ends at byte ${end} of the data section but the file has only ${dataSize} data bytes`);
  }
  return { dtype, shape: [...(shape as number[])], dataOffsets: [begin, end] };
}

let f16Table: Float32Array | undefined;
/** float32 value of every float16 bit pattern (built on first use). */
function halfTable(): Float32Array {
  if (f16Table) return f16Table;
  const table = new Float32Array(65536);
  const bits = new Uint32Array(table.buffer);
  for (let h = 0; h < 65536; h++) {
    const sign = (h & 0x8000) << 16;
    const exp = (h >> 10) & 0x1f;
    const mant = h & 0x3ff;
    if (exp === 0) {
      table[h] = (sign ? -1 : 1) * mant * 2 ** -24; // zero and subnormals (exact in float32)
    } else if (exp === 31) {
      bits[h] = (sign | 0x7f800000 | (mant << 13)) >>> 0; // inf / nan
    } else {
      bits[h] = (sign | ((exp + 112) << 23) | (mant << 13)) >>> 0;
    }
  }
  f16Table = table;
  return table;
}

/**
 * A copy in a fresh buffer, aligned for typed arrays (bytes of a file may sit at any offset). Not
 * `bytes.slice()`: on a Node `Buffer` that is a view into a shared pool.
 */
function aligned(bytes: Uint8Array): ArrayBuffer {
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  return copy.buffer;
}

/**
 * Decodes one tensor's raw bytes: F64/F32/F16/BF16 to float32, I64/I32 to int32.
 *
 * @param entry - its header entry (dtype, shape)
 * @param bytes - exactly its `data_offsets` span
 * @param name - the tensor's name (for errors)
 * @param file - file name or label (for errors)
 * @throws {@link CheckpointError} for an unsupported dtype, a byte count that does not match, or an I64
 *   value outside the int32 range
 */
export function decodeTensor(entry: Pick<SafetensorsEntry, 'dtype' | 'shape'>, bytes: Uint8Array, name: string, file: string = DEFAULT_LABEL): Float32Array | Int32Array {
  const { dtype, shape } = entry;
  const size = SAFETENSORS_DTYPE_SIZES[dtype];
  if (size === undefined || (!FLOAT_DTYPES.includes(dtype) && !INT_DTYPES.includes(dtype))) {
    throw new CheckpointError(file, name, `unsupported dtype ${dtype} (readable: ${[...FLOAT_DTYPES, ...INT_DTYPES].join(', ')})`);
  }
  const n = numel(shape);
  if (bytes.length !== n * size) {
    throw new CheckpointError(file, name, `truncated: ${dtype} shape [${shape.join(', ')}] needs ${n * size} bytes, got ${bytes.length}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (dtype) {
    case 'F32': {
      if (LITTLE_ENDIAN_HOST) return new Float32Array(aligned(bytes));
      return Float32Array.from({ length: n }, (_, i) => view.getFloat32(4 * i, true));
    }
    case 'F64': {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getFloat64(8 * i, true);
      return out;
    }
    case 'F16': {
      const table = halfTable();
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = table[view.getUint16(2 * i, true)]!;
      return out;
    }
    case 'BF16': {
      const out = new Float32Array(n);
      const bits = new Uint32Array(out.buffer);
      for (let i = 0; i < n; i++) bits[i] = view.getUint16(2 * i, true) << 16;
      return out;
    }
    case 'I32': {
      if (LITTLE_ENDIAN_HOST) return new Int32Array(aligned(bytes));
      return Int32Array.from({ length: n }, (_, i) => view.getInt32(4 * i, true));
    }
    default: {
      // I64
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const v = view.getBigInt64(8 * i, true);
        if (v < -2147483648n || v > 2147483647n) {
          throw new CheckpointError(file, name, `I64 value ${v} at flat index ${i} does not fit in int32`);
        }
        out[i] = Number(v);
      }
      return out;
    }
  }
}

/**
 * Parses a whole safetensors file held in memory and decodes every tensor.
 *
 * @param bytes - the file's bytes
 * @param options - `file`: name used in errors (default `'<safetensors buffer>'`)
 * @returns the tensors in header order and the `__metadata__` map
 * @throws {@link CheckpointError} naming the file and the tensor (see {@link parseSafetensorsHeader},
 *   `decodeTensor`)
 */
export function parseSafetensors(
  bytes: Uint8Array,
  options: { file?: string } = {},
): { tensors: Map<string, SafetensorsTensor>; metadata: Record<string, string> } {
  const file = options.file ?? DEFAULT_LABEL;
  const header = parseSafetensorsHeader(bytes, bytes.length, file);
  const tensors = new Map<string, SafetensorsTensor>();
  for (const [name, entry] of header.tensors) {
    const [begin, end] = entry.dataOffsets;
    const data = decodeTensor(entry, bytes.subarray(header.dataStart + begin, header.dataStart + end), name, file);
    tensors.set(name, { dtype: entry.dtype, shape: entry.shape, data });
  }
  return { tensors, metadata: header.metadata };
}

function checkWritable(name: string, dtype: unknown, shape: readonly number[]): void {
  if (typeof name !== 'string' || name.length === 0 || name === '__metadata__') {
    throw new TypeError(`serializeSafetensors: invalid tensor name ${JSON.stringify(name)}`);
  }
  if (dtype !== 'F32' && dtype !== 'I32') {
    throw new TypeError(`serializeSafetensors: tensor '${name}': dtype must be 'F32' or 'I32', got ${JSON.stringify(dtype)}`);
  }
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new TypeError(`serializeSafetensors: tensor '${name}': shape ${JSON.stringify(shape)} is not a list of non-negative integers`);
  }
}

function checkData(name: string, dtype: WritableDtype, shape: readonly number[], data: unknown): Float32Array | Int32Array {
  const want = dtype === 'F32' ? Float32Array : Int32Array;
  if (!(data instanceof want)) {
    throw new TypeError(`serializeSafetensors: tensor '${name}': ${dtype} data must be a ${want.name}, got ${Object.prototype.toString.call(data)}`);
  }
  if (data.length !== numel(shape)) {
    throw new RangeError(`serializeSafetensors: tensor '${name}': data has ${data.length} elements but shape [${shape.join(', ')}] has ${numel(shape)}`);
  }
  return data;
}

/**
 * The header bytes (8-byte length + JSON padded with spaces so the data starts 8-byte aligned) for
 * tensors written one after the other in the given order.
 *
 * @param tensors - name, dtype and shape of each tensor, in file order
 * @param metadata - the `__metadata__` map (string values); omitted when empty
 * @throws TypeError for a bad name, dtype, shape or metadata value; RangeError for duplicate names
 */
export function encodeSafetensorsHeader(
  tensors: ReadonlyArray<{ name: string; dtype: WritableDtype; shape: readonly number[] }>,
  metadata: Record<string, string> = {},
): Uint8Array {
  const header: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(metadata)) {
    if (typeof v !== 'string') throw new TypeError(`serializeSafetensors: metadata.${k} must be a string, got ${typeof v}`);
  }
  if (Object.keys(metadata).length > 0) header['__metadata__'] = metadata;
  let offset = 0;
  for (const { name, dtype, shape } of tensors) {
    checkWritable(name, dtype, shape);
    if (Object.prototype.hasOwnProperty.call(header, name)) throw new RangeError(`serializeSafetensors: duplicate tensor name '${name}'`);
    const bytes = numel(shape) * 4;
    header[name] = { dtype, shape: [...shape], data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + padded);
  new DataView(out.buffer).setBigUint64(0, BigInt(padded), true);
  out.fill(0x20, 8);
  out.set(json, 8);
  return out;
}

function dataBytes(data: Float32Array | Int32Array): Uint8Array {
  if (LITTLE_ENDIAN_HOST) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint8Array(data.byteLength);
  const view = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) {
    if (data instanceof Float32Array) view.setFloat32(4 * i, data[i]!, true);
    else view.setInt32(4 * i, data[i]!, true);
  }
  return out;
}

/**
 * Serialises tensors to safetensors bytes (F32 or I32, in the given order).
 *
 * @param tensors - name to `{dtype, shape, data}` (a Map or a plain object)
 * @param metadata - the `__metadata__` map (string values)
 * @throws TypeError / RangeError naming the tensor for a bad name, dtype, shape or data length
 */
export function serializeSafetensors(
  tensors: ReadonlyMap<string, SafetensorsInput> | Readonly<Record<string, SafetensorsInput>>,
  metadata: Record<string, string> = {},
): Uint8Array {
  const list = tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors as Record<string, SafetensorsInput>);
  const header = encodeSafetensorsHeader(
    list.map(([name, t]) => ({ name, dtype: t.dtype, shape: t.shape })),
    metadata,
  );
  const datas = list.map(([name, t]) => checkData(name, t.dtype, t.shape, t.data));
  const total = header.length + datas.reduce((a, d) => a + d.byteLength, 0);
  const out = new Uint8Array(total);
  out.set(header, 0);
  let offset = header.length;
  for (const d of datas) {
    out.set(dataBytes(d), offset);
    offset += d.byteLength;
  }
  return out;
}

/**
 * Streams a safetensors file chunk by chunk (header first, then each tensor's data, fetched only when
 * its turn comes), so a large checkpoint never sits in memory whole. Feed it to `writeFileAtomic`.
 *
 * @param tensors - tensors in file order, with data produced on demand
 * @param metadata - the `__metadata__` map
 * @throws TypeError / RangeError (while iterating) naming the tensor whose data does not match its
 *   declared dtype and shape, and whatever a `data()` callback throws
 */
export async function* safetensorsChunks(
  tensors: ReadonlyArray<{ name: string } & LazySafetensorsInput>,
  metadata: Record<string, string> = {},
): AsyncGenerator<Uint8Array> {
  yield encodeSafetensorsHeader(tensors, metadata);
  for (const t of tensors) {
    yield dataBytes(checkData(t.name, t.dtype, t.shape, await t.data()));
  }
}

/** Bytes a tensor of `shape` occupies when written as F32/I32. */
export function writtenByteSize(shape: readonly number[]): number {
  return numel(shape) * 4;
}
