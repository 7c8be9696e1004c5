/**
 * Stop ids, stop-sequence matching and the incremental detokenizer (pure, no tensors).
 */
import { describe, expect, it } from 'vitest';
import {
  StoppingError,
  StreamingDetokenizer,
  findStopSequence,
  normalizeStopIds,
  normalizeStopSequences,
  partialStopSuffixLength,
} from '../../src/generation/index';

/** A toy decoder: id i → the i-th character of `alphabet`; id 99 → a lone UTF-8 lead byte (U+FFFD) unless followed by 98. */
const alphabet = 'abcdefghijklmnopqrstuvwxyz <>';
function decode(ids: number[]): string {
  let s = '';
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    if (id === 99) {
      if (ids[i + 1] === 98) {
        s += 'é';
        i++;
      } else s += '\uFFFD';
    } else if (id === 98) s += '\uFFFD';
    else s += alphabet[id]!;
  }
  return s;
}
const ids = (text: string): number[] => [...text].map((c) => alphabet.indexOf(c));

function streamAll(d: StreamingDetokenizer, tokens: number[]): { pieces: string[]; stoppedAt: number } {
  const pieces: string[] = [];
  let stoppedAt = -1;
  for (let i = 0; i < tokens.length; i++) {
    const step = d.push(tokens[i]!);
    pieces.push(step.text);
    if (step.stopped) {
      stoppedAt = i;
      break;
    }
  }
  pieces.push(d.flush());
  return { pieces, stoppedAt };
}

describe('normalizeStopIds / normalizeStopSequences', () => {
  it('validates and deduplicates', () => {
    expect([...normalizeStopIds([3, 1, 3], 10)]).toEqual([3, 1]);
    expect(normalizeStopIds(undefined).size).toBe(0);
    expect(() => normalizeStopIds([1, 10], 10)).toThrow(/stopIds\[1\] must be an integer in \[0, 10\), got 10/);
    expect(() => normalizeStopIds([-1])).toThrow(StoppingError);
    expect(normalizeStopSequences(['x', 'yz'])).toEqual(['x', 'yz']);
    expect(() => normalizeStopSequences(['a', ''])).toThrow(/stopSequences\[1\] must be a non-empty string/);
  });
});

describe('findStopSequence / partialStopSuffixLength', () => {
  it('finds the earliest match (longest on equal start)', () => {
    expect(findStopSequence('hello world', ['wor', 'lo'])).toEqual({ index: 3, sequence: 'lo' });
    expect(findStopSequence('hello world', ['l', 'll'])).toEqual({ index: 2, sequence: 'll' });
    expect(findStopSequence('hello', ['x'])).toBeUndefined();
    expect(findStopSequence('abab', ['ab'], 1)).toEqual({ index: 2, sequence: 'ab' });
  });
  it('measures the suffix that may still become a stop sequence', () => {
    expect(partialStopSuffixLength('hello <', ['<end>'])).toBe(1);
    expect(partialStopSuffixLength('hello <en', ['<end>', 'n!'])).toBe(3);
    expect(partialStopSuffixLength('hello', ['<end>'])).toBe(0);
    expect(partialStopSuffixLength('ab', ['ab'])).toBe(0); // a full match is not a proper prefix
  });
});

describe('StreamingDetokenizer', () => {
  it('without stop sequences streams the decoded text, pieces concatenating to it', () => {
    const d = new StreamingDetokenizer(decode);
    const { pieces } = streamAll(d, ids('hi there'));
    expect(pieces.join('')).toBe('hi there');
    expect(pieces.slice(0, 3)).toEqual(['h', 'i', ' ']);
    expect(d.text).toBe('hi there');
  });

  it('holds back an incomplete UTF-8 character until it resolves', () => {
    const d = new StreamingDetokenizer(decode);
    expect(d.push(0).text).toBe('a');
    expect(d.push(99).text).toBe(''); // lone lead byte: held back
    expect(d.push(98).text).toBe('é');
    expect(d.push(99).text).toBe('');
    expect(d.flush()).toBe('\uFFFD'); // still incomplete at the end: emitted as decoded
    expect(d.text).toBe('aé\uFFFD');
  });

  it('cuts the text before a stop sequence and reports the stop on the completing token', () => {
    const d = new StreamingDetokenizer(decode, ['<end>']);
    const { pieces, stoppedAt } = streamAll(d, ids('ok <end> more'));
    expect(stoppedAt).toBe(7); // the '>' of '<end>'
    expect(d.stopped).toBe(true);
    expect(d.text).toBe('ok ');
    expect(pieces.join('')).toBe('ok ');
    // '<', 'e', 'n', 'd' were held back (possible stop prefix) and never emitted
    expect(pieces.slice(3, 8)).toEqual(['', '', '', '', '']);
    expect(() => d.push(0)).toThrow(StoppingError);
  });

  it('releases held-back text when the partial match fails', () => {
    const d = new StreamingDetokenizer(decode, ['<end>']);
    const { pieces, stoppedAt } = streamAll(d, ids('a <en x'));
    expect(stoppedAt).toBe(-1);
    expect(pieces).toEqual(['a', ' ', '', '', '', '<en ', 'x', '']);
    expect(d.text).toBe('a <en x');
  });

  it('flushes a held-back partial match at the end', () => {
    const d = new StreamingDetokenizer(decode, ['<end>']);
    const { pieces } = streamAll(d, ids('ab<e'));
    expect(pieces).toEqual(['a', 'b', '', '', '<e']);
  });

  it('takes the earliest of several stop sequences, even one spanning tokens', () => {
    const d = new StreamingDetokenizer(decode, ['xyz', 'cd']);
    const { stoppedAt } = streamAll(d, ids('abcdxyz'));
    expect(stoppedAt).toBe(3);
    expect(d.text).toBe('ab');
  });
});
