/**
 * Padding and truncation of a batch of encodings, shared by every `Tokenizer`.
 *
 * @packageDocumentation
 */
import { TokenizerOptionError } from './errors';
import type { BatchEncoding, EncodeBatchOptions, EncodeOptions } from './tokenizer';

/**
 * Encodes `texts` with `encode` and pads/truncates them into a rectangle.
 * @throws TokenizerOptionError when `maxLength` is missing for `'max_length'`/`truncation`, when padding is
 * requested without a pad token, or when a sequence is longer than `maxLength` with `'max_length'` padding
 * and no truncation.
 */
export function encodeBatchWith(
  encode: (text: string, options: EncodeOptions) => number[],
  padId: number | undefined,
  texts: readonly string[],
  options: EncodeBatchOptions = {},
): BatchEncoding {
  const padding = options.padding ?? 'longest';
  const truncation = options.truncation ?? false;
  const maxLength = options.maxLength;
  const paddingSide = options.paddingSide ?? 'right';
  const truncationSide = options.truncationSide ?? 'right';
  if (!Array.isArray(texts)) throw new TokenizerOptionError('texts', 'must be an array of strings');
  if (padding !== 'longest' && padding !== 'max_length' && padding !== false) {
    throw new TokenizerOptionError('options.padding', `must be 'longest', 'max_length' or false, got ${String(padding)}`);
  }
  if (paddingSide !== 'left' && paddingSide !== 'right') {
    throw new TokenizerOptionError('options.paddingSide', `must be 'left' or 'right', got ${String(paddingSide)}`);
  }
  if (truncationSide !== 'left' && truncationSide !== 'right') {
    throw new TokenizerOptionError('options.truncationSide', `must be 'left' or 'right', got ${String(truncationSide)}`);
  }
  if (maxLength !== undefined && (!Number.isInteger(maxLength) || maxLength < 1)) {
    throw new TokenizerOptionError('options.maxLength', `must be a positive integer, got ${maxLength}`);
  }
  if ((padding === 'max_length' || truncation) && maxLength === undefined) {
    throw new TokenizerOptionError('options.maxLength', `is required with ${truncation ? 'truncation' : "padding: 'max_length'"}`);
  }
  const seqs = texts.map((t, i) => {
    if (typeof t !== 'string') throw new TokenizerOptionError(`texts[${i}]`, `must be a string, got ${typeof t}`);
    let ids = encode(t, options);
    if (truncation && ids.length > (maxLength as number)) {
      ids = truncationSide === 'right' ? ids.slice(0, maxLength) : ids.slice(ids.length - (maxLength as number));
    }
    return ids;
  });
  if (padding === false) return { inputIds: seqs, attentionMask: seqs.map((s) => s.map(() => 1)) };
  let target: number;
  if (padding === 'max_length') {
    target = maxLength as number;
    seqs.forEach((s, i) => {
      if (s.length > target) {
        throw new TokenizerOptionError(`texts[${i}]`, `has ${s.length} tokens > options.maxLength ${target}; set truncation: true`);
      }
    });
  } else {
    target = seqs.reduce((m, s) => Math.max(m, s.length), 0);
  }
  if (padId === undefined && seqs.some((s) => s.length < target)) {
    throw new TokenizerOptionError('padToken', 'padding needs a pad token but the tokenizer has none');
  }
  const inputIds: number[][] = [];
  const attentionMask: number[][] = [];
  for (const s of seqs) {
    const n = target - s.length;
    const pad = new Array<number>(n).fill(padId as number);
    const zeros = new Array<number>(n).fill(0);
    const ones = new Array<number>(s.length).fill(1);
    if (paddingSide === 'right') {
      inputIds.push(s.concat(pad));
      attentionMask.push(ones.concat(zeros));
    } else {
      inputIds.push(pad.concat(s));
      attentionMask.push(zeros.concat(ones));
    }
  }
  return { inputIds, attentionMask };
}
