/**
 * Token-budgeted, sentence-aware chunking: sentences are packed greedily into chunks of at most `maxTokens`
 * tokens (counted with the model's tokenizer on the chunk's exact text), consecutive chunks share trailing
 * sentences worth up to `overlapTokens`, and a sentence longer than the budget is cut at word (or, for CJK,
 * character) boundaries. Every chunk is an exact slice of the source text.
 */
import type { Document, DocumentMetadata } from '../types';
import { cjkShare } from '../analysis/script';
import { checkInteger, checkText } from '../validation/checks';
import { checkDocument } from '../validation/documents';
import { RagArgumentError } from '../validation/rag-argument-error';
import { splitSentences, type SentenceSpan } from './sentences';

/** Anything that counts tokens the way the model will (a `@quarkmed/model` `Tokenizer` fits). */
export interface TokenCounter {
  encode(text: string): number[];
}

/** Options of {@link chunkText} and {@link chunkDocuments}. */
export interface ChunkOptions {
  tokenizer: TokenCounter;
  /** Most tokens in one chunk, ≥ 1. */
  maxTokens: number;
  /** Tokens of trailing sentences repeated at the start of the next chunk, ≥ 0 and < `maxTokens`. Default 0. */
  overlapTokens?: number;
  /** Also end sentences at `；;`. Default false. */
  semicolons?: boolean;
}

/** One chunk: its text, its `[start, end)` span in the source and its token count. */
export interface TextChunk {
  text: string;
  start: number;
  end: number;
  tokens: number;
}

/** Metadata of a chunk: the parent's, plus where it was cut from. */
export interface ChunkMetadata extends DocumentMetadata {
  id: string;
  parentId: string;
  chunkIndex: number;
  chunkStart: number;
  chunkEnd: number;
}

/**
 * Cuts `text` into chunks; see the file comment.
 *
 * @throws {@link RagArgumentError} for empty text, a missing tokenizer, or a bad `maxTokens` / `overlapTokens`.
 */
export function chunkText(text: string, options: ChunkOptions): TextChunk[] {
  checkText('text', text);
  const { tokenizer, maxTokens, overlapTokens } = checkOptions(options);
  const count = (s: number, e: number): number => tokenizer.encode(text.slice(s, e)).length;
  const pieces: (SentenceSpan & { tokens: number })[] = [];
  for (const s of splitSentences(text, { semicolons: options.semicolons })) {
    const n = count(s.start, s.end);
    if (n <= maxTokens) pieces.push({ ...s, tokens: n });
    else for (const p of cutLong(text, s, maxTokens, count)) pieces.push(p);
  }
  const chunks: TextChunk[] = [];
  let first = 0;
  while (first < pieces.length) {
    let last = first;
    let tokens = pieces[first]!.tokens;
    while (last + 1 < pieces.length) {
      const t = count(pieces[first]!.start, pieces[last + 1]!.end);
      if (t > maxTokens) break;
      last++;
      tokens = t;
    }
    const start = pieces[first]!.start;
    const end = pieces[last]!.end;
    chunks.push({ text: text.slice(start, end), start, end, tokens });
    if (last + 1 >= pieces.length) break;
    // Overlap: the longest run of trailing sentences within the overlap budget, always moving forward.
    let next = last + 1;
    while (next - 1 > first && overlapTokens > 0 && count(pieces[next - 1]!.start, pieces[last]!.end) <= overlapTokens) next--;
    first = next;
  }
  return chunks;
}

/**
 * Chunks every document, keeping its metadata (source, title, authority, date, language, any user field) on each
 * chunk and adding `id` (`<parentId>#<n>`), `parentId` (the document's `metadata.id`, else `doc-<index>`),
 * `chunkIndex`, `chunkStart`, `chunkEnd`; `language` is set to `zh` or `en` (by the share of CJK letters) when the
 * document has none.
 *
 * @throws {@link RagArgumentError} naming the document for empty text or bad metadata, and for bad options.
 */
export function chunkDocuments(documents: readonly Document[], options: ChunkOptions): Document<ChunkMetadata>[] {
  if (!Array.isArray(documents)) throw new RagArgumentError('documents', 'must be an array');
  checkOptions(options);
  const checked = documents.map((d, i) => checkDocument(`documents[${i}]`, d));
  return checked.flatMap((doc, i) => {
    const parentId = doc.metadata.id ?? `doc-${i}`;
    const language = doc.metadata.language ?? (cjkShare(doc.pageContent) > 0.5 ? 'zh' : 'en');
    return chunkText(doc.pageContent, options).map((c, n) => ({
      pageContent: c.text,
      metadata: { ...doc.metadata, language, id: `${parentId}#${n}`, parentId, chunkIndex: n, chunkStart: c.start, chunkEnd: c.end },
    }));
  });
}

function checkOptions(options: ChunkOptions): Required<Omit<ChunkOptions, 'semicolons'>> {
  if (typeof options !== 'object' || options === null) throw new RagArgumentError('options', 'must be {tokenizer, maxTokens}');
  if (typeof options.tokenizer?.encode !== 'function') throw new RagArgumentError('options.tokenizer', 'must have an encode(text) method');
  const maxTokens = checkInteger('options.maxTokens', options.maxTokens, 1);
  const overlapTokens = checkInteger('options.overlapTokens', options.overlapTokens ?? 0, 0);
  if (overlapTokens >= maxTokens) throw new RagArgumentError('options.overlapTokens', `must be less than maxTokens (${maxTokens}), got ${overlapTokens}`);
  return { tokenizer: options.tokenizer, maxTokens, overlapTokens };
}

/** Cuts one over-long sentence into pieces within budget, at white space or between CJK characters when possible. */
function cutLong(text: string, span: SentenceSpan, maxTokens: number, count: (s: number, e: number) => number): (SentenceSpan & { tokens: number })[] {
  const out: (SentenceSpan & { tokens: number })[] = [];
  let s = span.start;
  while (s < span.end) {
    while (s < span.end && /\s/.test(text[s]!)) s++;
    if (s >= span.end) break;
    if (count(s, span.end) <= maxTokens) {
      out.push({ start: s, end: span.end, tokens: count(s, span.end) });
      break;
    }
    // The longest prefix within budget (binary search on characters), then back off to a break point.
    let lo = s + 1;
    let hi = span.end;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (count(s, mid) <= maxTokens) lo = mid;
      else hi = mid - 1;
    }
    let e = lo;
    if (e > s && isHighSurrogate(text.charCodeAt(e - 1))) e--;
    for (let b = e; b > s + (e - s) / 2; b--) {
      if (/\s/.test(text[b]!) || /[\p{Script=Han}，、,]/u.test(text[b - 1]!)) {
        e = b;
        break;
      }
    }
    if (e <= s) {
      e = s + (isHighSurrogate(text.charCodeAt(s)) ? 2 : 1);
      const n = count(s, e);
      if (n > maxTokens) throw new RagArgumentError('options.maxTokens', `${maxTokens} is too small: the character at offset ${s} alone takes ${n} tokens`);
    }
    let pe = e;
    while (pe > s && /\s/.test(text[pe - 1]!)) pe--;
    out.push({ start: s, end: pe, tokens: count(s, pe) });
    s = e;
  }
  return out;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
