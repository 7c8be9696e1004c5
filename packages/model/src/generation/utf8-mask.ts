/**
 * The `validUtf8` generation option: a token whose bytes would make a row's output ill-formed UTF-8 is masked
 * (its logit set to -Infinity) before sampling, so generated text never contains a broken or invalid character.
 *
 * @packageDocumentation
 */
import { UTF8_COMPLETE, UTF8_STATES, utf8Advance } from '../tokenizer/utf8-state';

/** What the mask needs of a tokenizer. */
export interface Utf8MaskTokenizer {
  tokenBytes(id: number): Uint8Array | undefined;
}

/**
 * Transition table of the UTF-8 validator for every id: `table[id * 8 + state]` is the state after the id's
 * bytes, or -1 when they would be ill-formed. Ids without bytes (not tokens) are always -1, except `stopIds`,
 * which are allowed when every character is complete.
 */
export class Utf8TokenMask {
  private readonly table: Int8Array;

  /**
   * @param tokenizer - gives each id's bytes
   * @param vocabSize - number of logits per row (the model's vocabulary)
   * @param stopIds - ids that end a row
   */
  constructor(
    tokenizer: Utf8MaskTokenizer,
    readonly vocabSize: number,
    stopIds: ReadonlySet<number>,
  ) {
    this.table = new Int8Array(vocabSize * UTF8_STATES).fill(-1);
    for (let id = 0; id < vocabSize; id++) {
      const bytes = tokenizer.tokenBytes(id);
      if (bytes === undefined) {
        if (stopIds.has(id)) this.table[id * UTF8_STATES + UTF8_COMPLETE] = UTF8_COMPLETE;
        continue;
      }
      for (let s = 0; s < UTF8_STATES; s++) this.table[id * UTF8_STATES + s] = utf8Advance(bytes, s);
    }
  }

  /** State after `id` from `state` (-1: not allowed). */
  next(state: number, id: number): number {
    return this.table[id * UTF8_STATES + state];
  }

  /**
   * A copy of `logits` with every id that is not allowed in `state` set to -Infinity.
   * @returns the masked logits and how many ids remain allowed
   */
  apply(logits: Float32Array, state: number): { logits: Float32Array; allowed: number } {
    const out = Float32Array.from(logits);
    let allowed = 0;
    for (let id = 0; id < out.length; id++) {
      if (this.table[id * UTF8_STATES + state] < 0) out[id] = -Infinity;
      else if (out[id] > -Infinity) allowed++;
    }
    return { logits: out, allowed };
  }
}
