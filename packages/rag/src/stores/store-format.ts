/**
 * The persisted form of an {@link EmbeddedVectorStore}: a manifest (format, dimension, count, metric, checksums),
 * the documents (JSON lines, in row order) and the vectors (little-endian float32, row-major). The directory form
 * (`@quarkmed/rag/node`) writes them as three files; the single-buffer form packs them into one `ArrayBuffer`.
 *
 * @packageDocumentation
 */
import type { Document, DocumentMetadata } from '../types';
import { crc32 } from './crc32';
import { IndexCorruptError } from './errors';

/** File names of the directory form. */
export const STORE_FILES = { manifest: 'manifest.json', documents: 'documents.jsonl', vectors: 'vectors.f32' } as const;

/** Magic bytes of the single-buffer form. */
const MAGIC = 'QMRAGVS1';

/** Similarity used by a store: `cosine` (vectors normalised on insert) or raw inner product. */
export type StoreMetric = 'cosine' | 'ip';

/** `manifest.json`. */
export interface StoreManifest {
  format: 'quarkmed-vector-store';
  version: 1;
  dimension: number;
  count: number;
  metric: StoreMetric;
  documentsBytes: number;
  documentsCrc32: number;
  vectorsBytes: number;
  vectorsCrc32: number;
}

/** The decoded content of a persisted store. */
export interface StoreContent<M extends DocumentMetadata = DocumentMetadata> {
  dimension: number;
  metric: StoreMetric;
  ids: string[];
  documents: Document<M>[];
  /** `count × dimension` floats. */
  vectors: Float32Array;
}

/** The three parts of a persisted store. */
export interface StoreParts {
  manifest: StoreManifest;
  documents: Uint8Array;
  vectors: Uint8Array;
}

/** Encodes a store's content into its parts. */
export function encodeStore<M extends DocumentMetadata>(content: StoreContent<M>): StoreParts {
  const lines = content.documents.map((d, i) => JSON.stringify({ id: content.ids[i], pageContent: d.pageContent, metadata: d.metadata }));
  const documents = new TextEncoder().encode(lines.length ? `${lines.join('\n')}\n` : '');
  const f = content.vectors.subarray(0, content.ids.length * content.dimension);
  const vectors = new Uint8Array(f.byteLength);
  const dv = new DataView(vectors.buffer);
  for (let i = 0; i < f.length; i++) dv.setFloat32(i * 4, f[i]!, true);
  const manifest: StoreManifest = {
    format: 'quarkmed-vector-store',
    version: 1,
    dimension: content.dimension,
    count: content.ids.length,
    metric: content.metric,
    documentsBytes: documents.byteLength,
    documentsCrc32: crc32(documents),
    vectorsBytes: vectors.byteLength,
    vectorsCrc32: crc32(vectors),
  };
  return { manifest, documents, vectors };
}

function fail(file: string, problem: string, cause?: unknown): never {
  throw new IndexCorruptError(file, problem, cause === undefined ? undefined : { cause });
}

/**
 * Validates a parsed manifest.
 *
 * @throws {@link IndexCorruptError} naming `file` and the key
 */
export function parseManifest(raw: unknown, file: string): StoreManifest {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) fail(file, 'the manifest is not a JSON object');
  const m = raw as Record<string, unknown>;
  if (m.format !== 'quarkmed-vector-store') fail(file, `format: expected "quarkmed-vector-store", got ${JSON.stringify(m.format)}`);
  if (m.version !== 1) fail(file, `version: unsupported ${JSON.stringify(m.version)} (this release reads 1)`);
  if (m.metric !== 'cosine' && m.metric !== 'ip') fail(file, `metric: expected "cosine" or "ip", got ${JSON.stringify(m.metric)}`);
  for (const k of ['dimension', 'count', 'documentsBytes', 'documentsCrc32', 'vectorsBytes', 'vectorsCrc32'] as const) {
    const v = m[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) fail(file, `${k}: expected a non-negative integer, got ${JSON.stringify(v)}`);
  }
  if ((m.dimension as number) < 1) fail(file, 'dimension: must be >= 1');
  if ((m.vectorsBytes as number) !== (m.count as number) * (m.dimension as number) * 4) fail(file, `vectorsBytes: ${String(m.vectorsBytes)} is not count × dimension × 4`);
  return m as unknown as StoreManifest;
}

/**
 * Decodes a store's parts, checking sizes, checksums and every document line.
 *
 * @param names - how each part is named in errors (file paths, or `buffer:documents`)
 * @throws {@link IndexCorruptError} naming the part and what is wrong
 */
export function decodeStore<M extends DocumentMetadata>(parts: StoreParts, names: { documents: string; vectors: string }): StoreContent<M> {
  const { manifest: m, documents, vectors } = parts;
  if (documents.byteLength !== m.documentsBytes) fail(names.documents, `has ${documents.byteLength} bytes, the manifest says ${m.documentsBytes} (truncated or replaced)`);
  if (crc32(documents) !== m.documentsCrc32) fail(names.documents, 'checksum mismatch (the file was altered or damaged)');
  if (vectors.byteLength !== m.vectorsBytes) fail(names.vectors, `has ${vectors.byteLength} bytes, the manifest says ${m.vectorsBytes} (truncated or replaced)`);
  if (crc32(vectors) !== m.vectorsCrc32) fail(names.vectors, 'checksum mismatch (the file was altered or damaged)');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(documents);
  } catch (error) {
    fail(names.documents, 'is not valid UTF-8', error);
  }
  const lines = text.length ? text.replace(/\n$/, '').split('\n') : [];
  if (lines.length !== m.count) fail(names.documents, `has ${lines.length} lines, the manifest says ${m.count} documents`);
  const ids: string[] = [];
  const docs: Document<M>[] = [];
  const seen = new Set<string>();
  lines.forEach((line, i) => {
    let r: unknown;
    try {
      r = JSON.parse(line);
    } catch (error) {
      fail(`${names.documents}:${i + 1}`, 'is not valid JSON', error);
    }
    const o = r as { id?: unknown; pageContent?: unknown; metadata?: unknown };
    if (typeof o?.id !== 'string' || o.id.length === 0) fail(`${names.documents}:${i + 1}`, 'id: expected a non-empty string');
    if (seen.has(o.id)) fail(`${names.documents}:${i + 1}`, `id ${JSON.stringify(o.id)} is repeated`);
    if (typeof o.pageContent !== 'string') fail(`${names.documents}:${i + 1}`, 'pageContent: expected a string');
    if (o.metadata === null || typeof o.metadata !== 'object' || Array.isArray(o.metadata)) fail(`${names.documents}:${i + 1}`, 'metadata: expected an object');
    seen.add(o.id);
    ids.push(o.id);
    docs.push({ pageContent: o.pageContent, metadata: o.metadata as M });
  });
  const out = new Float32Array(m.count * m.dimension);
  const dv = new DataView(vectors.buffer, vectors.byteOffset, vectors.byteLength);
  for (let i = 0; i < out.length; i++) {
    const v = dv.getFloat32(i * 4, true);
    if (!Number.isFinite(v)) fail(names.vectors, `row ${Math.floor(i / m.dimension)} holds a non-finite value`);
    out[i] = v;
  }
  return { dimension: m.dimension, metric: m.metric, ids, documents: docs, vectors: out };
}

/**
 * Packs a store's parts into one buffer: magic, manifest length + JSON, documents, padding to 4 bytes, vectors,
 * and a CRC-32 of everything before it.
 */
export function packStore(parts: StoreParts): ArrayBuffer {
  const manifest = new TextEncoder().encode(JSON.stringify(parts.manifest));
  const head = 8 + 4 + manifest.byteLength;
  const pad = (4 - ((head + parts.documents.byteLength) % 4)) % 4;
  const total = head + parts.documents.byteLength + pad + parts.vectors.byteLength + 4;
  const out = new Uint8Array(total);
  out.set(new TextEncoder().encode(MAGIC), 0);
  const dv = new DataView(out.buffer);
  dv.setUint32(8, manifest.byteLength, true);
  out.set(manifest, 12);
  out.set(parts.documents, head);
  out.set(parts.vectors, head + parts.documents.byteLength + pad);
  dv.setUint32(total - 4, crc32(out.subarray(0, total - 4)), true);
  return out.buffer;
}

/**
 * Unpacks a buffer made by {@link packStore}.
 *
 * @param label - how the buffer is named in errors (a URL, a file, `buffer`)
 * @throws {@link IndexCorruptError} for a wrong magic, a truncated buffer, a checksum mismatch or a bad manifest
 */
export function unpackStore(buffer: ArrayBuffer | Uint8Array, label = 'buffer'): StoreParts {
  const bytes = buffer instanceof Uint8Array ? buffer : new Uint8Array(buffer);
  if (bytes.byteLength < 16) fail(label, `is ${bytes.byteLength} bytes, too short for an index`);
  if (new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) fail(label, `is not a vector-store index (magic ${JSON.stringify(MAGIC)} missing)`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stored = dv.getUint32(bytes.byteLength - 4, true);
  if (crc32(bytes.subarray(0, bytes.byteLength - 4)) !== stored) fail(label, 'checksum mismatch (truncated, altered or damaged)');
  const mlen = dv.getUint32(8, true);
  if (12 + mlen > bytes.byteLength - 4) fail(label, 'manifest length runs past the end');
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(12, 12 + mlen)));
  } catch (error) {
    fail(`${label}:manifest`, 'is not valid JSON', error);
  }
  const manifest = parseManifest(raw, `${label}:manifest`);
  const head = 12 + mlen;
  const pad = (4 - ((head + manifest.documentsBytes) % 4)) % 4;
  if (head + manifest.documentsBytes + pad + manifest.vectorsBytes + 4 !== bytes.byteLength) fail(label, 'its length does not match the manifest');
  const documents = bytes.slice(head, head + manifest.documentsBytes);
  const vectors = bytes.slice(head + manifest.documentsBytes + pad, bytes.byteLength - 4);
  return { manifest, documents, vectors };
}
