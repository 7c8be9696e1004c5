/**
 * Stopping rules of generation: stop token ids and stop sequences (string matches on the decoded text,
 * trimmed from the output), and the incremental detokenizer that streams text which is never retracted.
 *
 * @packageDocumentation
 */
import { ModelError } from '../error';
import { DecodeStream, type StreamDecodable } from '../tokenizer/decode-stream';

/** Why a row stopped: a stop id or stop sequence, `maxNewTokens`, or the caller's `AbortSignal`. */
export type FinishReason = 'stop' | 'length' | 'abort';

/** Thrown for invalid stop settings; the message names the argument. */
export class StoppingError extends ModelError {
  constructor(message: string) {
    super(message);
    this.name = 'StoppingError';
  }
}

/**
 * Validates stop token ids and returns them as a set.
 *
 * @param stopIds - token ids that end a row when generated (each an integer >= 0; `vocabSize` bounds them when given)
 * @param vocabSize - optional upper bound (exclusive)
 */
export function normalizeStopIds(stopIds: Iterable<number> | undefined, vocabSize?: number): Set<number> {
  const out = new Set<number>();
  if (stopIds === undefined) return out;
  let j = 0;
  for (const id of stopIds) {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || (vocabSize !== undefined && id >= vocabSize)) {
      const range = vocabSize !== undefined ? `[0, ${vocabSize})` : '[0, ∞)';
      throw new StoppingError(`stopIds[${j}] must be an integer in ${range}, got ${String(id)}`);
    }
    out.add(id);
    j++;
  }
  return out;
}

/**
 * Validates stop sequences (non-empty strings) and returns them as an array.
 *
 * @param stopSequences - strings that end a row when they appear in its decoded generated text
 */
export function normalizeStopSequences(stopSequences: readonly string[] | undefined): string[] {
  if (stopSequences === undefined) return [];
  if (!Array.isArray(stopSequences)) {
    throw new StoppingError(`stopSequences must be an array of strings, got ${typeof stopSequences}`);
  }
  stopSequences.forEach((s, j) => {
    if (typeof s !== 'string' || s.length === 0) {
      throw new StoppingError(`stopSequences[${j}] must be a non-empty string, got ${JSON.stringify(s)}`);
    }
  });
  return [...stopSequences];
}

/** A match of a stop sequence in a text. */
export interface StopMatch {
  /** Index in the text where the stop sequence starts. */
  index: number;
  /** The stop sequence that matched. */
  sequence: string;
}

/**
 * The earliest occurrence of any stop sequence in `text` at or after `fromIndex` (on equal start, the
 * longest sequence), or `undefined`.
 *
 * @param text - the decoded generated text
 * @param stopSequences - non-empty strings
 * @param fromIndex - where to start searching (default 0)
 */
export function findStopSequence(text: string, stopSequences: readonly string[], fromIndex = 0): StopMatch | undefined {
  let best: StopMatch | undefined;
  for (const s of stopSequences) {
    const i = text.indexOf(s, fromIndex);
    if (i < 0) continue;
    if (!best || i < best.index || (i === best.index && s.length > best.sequence.length)) best = { index: i, sequence: s };
  }
  return best;
}

/**
 * Length of the longest suffix of `text` that is a proper prefix of some stop sequence: text that may
 * still turn into a stop sequence once more tokens arrive, so a streamer must hold it back.
 *
 * @param text - the decoded generated text
 * @param stopSequences - non-empty strings
 */
export function partialStopSuffixLength(text: string, stopSequences: readonly string[]): number {
  let best = 0;
  for (const s of stopSequences) {
    const max = Math.min(s.length - 1, text.length);
    for (let n = max; n > best; n--) {
      if (text.endsWith(s.slice(0, n))) {
        best = n;
        break;
      }
    }
  }
  return best;
}

/** The result of feeding one token to a {@link StreamingDetokenizer}. */
export interface DetokenizerStep {
  /** Text that became final with this token (possibly empty). */
  text: string;
  /** True when a stop sequence matched; the row's text ends before it. */
  stopped: boolean;
}

/**
 * Incremental detokenizer of one row with stop-sequence detection, on top of the tokenizer's
 * {@link DecodeStream}.
 *
 * Each {@link push} decodes all of the row's generated ids (O(n) per token, O(n²) per row: fine for the
 * lengths generated here) and returns only text that can no longer change: an incomplete UTF-8 character at the
 * end (byte-level BPE and byte-fallback tokens split characters; known exactly when the tokenizer has
 * `tokenBytes`, otherwise every trailing U+FFFD is held), a space the tokenizer's clean-up may still remove, and
 * any suffix that is a proper prefix of a stop sequence are held back until later tokens resolve them or
 * {@link flush} ends the row. So the concatenation of every returned `text` plus `flush()` equals {@link text},
 * the final (stop-trimmed) text, and no returned piece contains a U+FFFD from a split character.
 *
 * A stop sequence is searched in the decoded text; when it matches, the text is cut where it starts (the
 * sequence and anything after it are dropped) and `stopped` is true.
 */
export class StreamingDetokenizer {
  private readonly stream: DecodeStream;
  private emitted = 0;
  private current = '';
  private done = false;

  /**
   * @param tokenizer - the row's tokenizer (any `Tokenizer`), or just a function from ids to text
   * @param stopSequences - non-empty strings that end the row (validated)
   */
  constructor(
    tokenizer: StreamDecodable | ((ids: number[]) => string),
    private readonly stopSequences: readonly string[] = [],
  ) {
    normalizeStopSequences(stopSequences);
    this.stream = new DecodeStream(typeof tokenizer === 'function' ? { decode: (ids) => tokenizer(ids) } : tokenizer);
  }

  /** The row's text so far (final once stopped or flushed). */
  get text(): string {
    return this.current;
  }

  /** True once a stop sequence matched. */
  get stopped(): boolean {
    return this.done;
  }

  /** True while the row's bytes end inside a UTF-8 character (needs a tokenizer with `tokenBytes`). */
  get incomplete(): boolean {
    return this.stream.incomplete;
  }

  /**
   * Adds one generated token; returns the newly final text and whether a stop sequence matched.
   * Throws once the row stopped.
   *
   * @param id - the generated token id
   */
  push(id: number): DetokenizerStep {
    if (this.done) throw new StoppingError('StreamingDetokenizer.push: the row already stopped on a stop sequence');
    this.stream.step(id);
    const full = this.stream.text;
    const match = findStopSequence(full, this.stopSequences, this.emitted);
    if (match) {
      this.done = true;
      this.current = full.slice(0, match.index);
      const text = this.current.slice(this.emitted);
      this.emitted = this.current.length;
      return { text, stopped: true };
    }
    this.current = full;
    let stable = this.stream.stableLength;
    stable -= partialStopSuffixLength(full.slice(this.emitted, stable), this.stopSequences);
    if (stable <= this.emitted) return { text: '', stopped: false };
    const text = full.slice(this.emitted, stable);
    this.emitted = stable;
    return { text, stopped: false };
  }

  /**
   * Ends the row: returns whatever text was held back (empty after a stop-sequence match).
   * @param dropIncomplete - leave out a trailing incomplete UTF-8 character instead of returning its U+FFFD
   */
  flush(dropIncomplete = false): string {
    if (dropIncomplete && !this.done && this.stream.incomplete) {
      let end = this.current.length;
      while (end > this.emitted && this.current.charCodeAt(end - 1) === 0xfffd) end--;
      this.current = this.current.slice(0, end);
    }
    const text = this.current.slice(this.emitted);
    this.emitted = this.current.length;
    return text;
  }
}
