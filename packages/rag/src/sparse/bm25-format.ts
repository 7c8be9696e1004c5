/**
 * The byte format of a {@link Bm25Index} (little-endian):
 *
 * | bytes | what |
 * |---|---|
 * | 8 | magic `QMBM25` + format version `0x00 0x01` |
 * | 4 | byte length J of the JSON header |
 * | J | UTF-8 JSON: `{options, nextId, terms: string[], docs: [{id, pageContent, metadata, n}]}` (n = unique terms) |
 * | 8·Σn | per document, `n` pairs (term id, term frequency) as uint32 |
 * | 4 | CRC-32 of everything before |
 */
import type { Document } from '../types';
import type { Bm25Options } from './bm25-index';
import { crc32 } from './crc32';
import { SparseIndexFormatError } from './sparse-index-format-error';

const MAGIC = [0x51, 0x4d, 0x42, 0x4d, 0x32, 0x35, 0x00, 0x01];

/** The contents of an encoded index. */
export interface Bm25Data {
  options: Required<Bm25Options>;
  nextId: number;
  terms: string[];
  docs: { id: string; doc: Document; terms: Uint32Array }[];
}

/** Encodes an index's contents; see the file comment. */
export function encodeBm25(data: Bm25Data): Uint8Array {
  const header = {
    options: data.options,
    nextId: data.nextId,
    terms: data.terms,
    docs: data.docs.map((d) => ({ id: d.id, pageContent: d.doc.pageContent, metadata: d.doc.metadata, n: d.terms.length / 2 })),
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const pairs = data.docs.reduce((s, d) => s + d.terms.length, 0);
  const out = new Uint8Array(8 + 4 + json.length + 4 * pairs + 4);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  view.setUint32(8, json.length, true);
  out.set(json, 12);
  let o = 12 + json.length;
  for (const d of data.docs) {
    for (let i = 0; i < d.terms.length; i++, o += 4) view.setUint32(o, d.terms[i]!, true);
  }
  view.setUint32(o, crc32(out.subarray(0, o)), true);
  return out;
}

/** Decodes {@link encodeBm25}'s bytes. @throws {@link SparseIndexFormatError} naming what is wrong. */
export function decodeBm25(bytes: Uint8Array): Bm25Data {
  if (bytes.length < 16) throw new SparseIndexFormatError(`${bytes.length} bytes is too short to be an index`);
  for (let i = 0; i < 6; i++) if (bytes[i] !== MAGIC[i]) throw new SparseIndexFormatError('bad magic (not a QuarkMed BM25 index)');
  if (bytes[6] !== 0 || bytes[7] !== 1) throw new SparseIndexFormatError(`unsupported format version ${bytes[6]! * 256 + bytes[7]!}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = bytes.length - 4;
  const want = view.getUint32(end, true);
  const got = crc32(bytes.subarray(0, end));
  if (want !== got) throw new SparseIndexFormatError(`checksum mismatch (stored ${hex(want)}, computed ${hex(got)}): the bytes are corrupted or truncated`);
  const jsonLength = view.getUint32(8, true);
  if (12 + jsonLength > end) throw new SparseIndexFormatError(`header length ${jsonLength} runs past the end`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(12, 12 + jsonLength)));
  } catch (cause) {
    throw new SparseIndexFormatError('header is not valid UTF-8 JSON', { cause });
  }
  const h = header as { options?: unknown; nextId?: unknown; terms?: unknown; docs?: unknown };
  if (typeof h !== 'object' || h === null) throw new SparseIndexFormatError('header is not an object');
  if (typeof h.options !== 'object' || h.options === null) throw new SparseIndexFormatError('header.options is missing');
  if (typeof h.nextId !== 'number' || !Number.isInteger(h.nextId) || h.nextId < 0) throw new SparseIndexFormatError('header.nextId is not a count');
  if (!Array.isArray(h.terms) || !h.terms.every((t) => typeof t === 'string')) throw new SparseIndexFormatError('header.terms is not a list of strings');
  if (!Array.isArray(h.docs)) throw new SparseIndexFormatError('header.docs is not a list');
  const terms = h.terms as string[];
  let o = 12 + jsonLength;
  const docs = (h.docs as unknown[]).map((raw, i) => {
    const d = raw as { id?: unknown; pageContent?: unknown; metadata?: unknown; n?: unknown };
    if (typeof d?.id !== 'string' || typeof d.pageContent !== 'string' || typeof d.metadata !== 'object' || d.metadata === null) {
      throw new SparseIndexFormatError(`header.docs[${i}] lacks id, pageContent or metadata`);
    }
    if (typeof d.n !== 'number' || !Number.isInteger(d.n) || d.n < 1) throw new SparseIndexFormatError(`header.docs[${i}].n is not a positive count`);
    if (o + 8 * d.n > end) throw new SparseIndexFormatError(`term list of docs[${i}] runs past the end`);
    const pairs = new Uint32Array(2 * d.n);
    for (let j = 0; j < pairs.length; j++, o += 4) pairs[j] = view.getUint32(o, true);
    for (let j = 0; j < pairs.length; j += 2) {
      if (pairs[j]! >= terms.length) throw new SparseIndexFormatError(`docs[${i}] refers to term ${pairs[j]} of ${terms.length}`);
      if (pairs[j + 1] === 0) throw new SparseIndexFormatError(`docs[${i}] has a zero term frequency`);
    }
    return { id: d.id, doc: { pageContent: d.pageContent, metadata: d.metadata as Document['metadata'] }, terms: pairs };
  });
  if (o !== end) throw new SparseIndexFormatError(`${end - o} unexpected bytes after the term lists`);
  return { options: h.options as Required<Bm25Options>, nextId: h.nextId, terms, docs };
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}
