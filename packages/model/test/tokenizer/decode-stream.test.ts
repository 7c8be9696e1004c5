import { describe, expect, it } from 'vitest';
import {
  BpeTokenizer,
  DecodeStream,
  UTF8_INVALID,
  utf8Advance,
  utf8AdvanceLenient,
  utf8Pending,
} from '../../src/tokenizer/index';
import { medicalTokenizer, mulberry32 } from './helpers';

const fatal = new TextDecoder('utf-8', { fatal: true });
function validUtf8(bytes: number[]): boolean {
  try {
    fatal.decode(Uint8Array.from(bytes));
    return true;
  } catch {
    return false;
  }
}


function byteSymbolIds(tok: BpeTokenizer, bytes: ArrayLike<number>): number[] {
  const table = new Map<number, number>();
  for (let id = 0; id < tok.vocabSize; id++) {
    const b = tok.tokenBytes(id);
    if (b !== undefined && b.length === 1 && !tok.specialTokenIds.includes(id)) table.set(b[0], id);
  }
  return Array.from(bytes, (b) => table.get(b) as number);
}

describe('UTF-8 validator', () => {
  it('agrees with a fatal TextDecoder on random byte strings', () => {
    const rand = mulberry32(3);
    const pools = [0x41, 0x80, 0xbf, 0xc0, 0xc2, 0xdf, 0xe0, 0xe4, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff, 0x9f, 0xa0, 0x90, 0x8f];
    let incomplete = 0;
    for (let i = 0; i < 3000; i++) {
      const bytes = Array.from({ length: 1 + Math.floor(rand() * 6) }, () => pools[Math.floor(rand() * pools.length)]);
      const s = utf8Advance(bytes);
      expect(s === 0, JSON.stringify(bytes)).toBe(validUtf8(bytes));
      if (s > 0) {
        incomplete++;
        // a well-formed completion exists: the smallest allowed continuation bytes
        const lo: Record<number, number> = { 1: 0x80, 2: 0x80, 3: 0xa0, 4: 0x80, 5: 0x80, 6: 0x90, 7: 0x80 };
        const completion = [lo[s]!, ...new Array(utf8Pending(s) - 1).fill(0x80)];
        expect(validUtf8([...bytes, ...completion])).toBe(true);
      }
      if (s === UTF8_INVALID) {
        for (const tail of [[0x80], [0x80, 0x80], [0x80, 0x80, 0x80], [0xa0, 0x80], [0x90, 0x80, 0x80]]) expect(validUtf8([...bytes, ...tail])).toBe(false);
      }
    }
    expect(incomplete).toBeGreaterThan(100);
    // the lenient form resynchronises like a decoder: E4 then 'a' is complete again
    expect(utf8AdvanceLenient([0xe4, 0x61])).toBe(0);
    expect(utf8AdvanceLenient([0xe4, 0x61, 0xe4])).toBeGreaterThan(0);
  });
});

describe('DecodeStream', () => {
  const tok = medicalTokenizer();

  it('holds back split characters: byte-per-token Chinese streams whole characters, never U+FFFD', () => {
    const text = '急性阑尾炎 CRP 85 mg/L，😀 完';
    const ids = byteSymbolIds(tok, new TextEncoder().encode(text));
    expect(ids.every((id) => id !== undefined)).toBe(true);
    const s = tok.decodeStream();
    const pieces = ids.map((id) => s.step(id));
    pieces.push(s.flush());
    expect(pieces.join('')).toBe(text);
    for (const p of pieces) expect(p).not.toContain('\uFFFD');
    expect(pieces.filter((p) => p !== '')).toEqual([...'急性阑尾炎 CRP 85 mg/L，😀 完']);
  });

  it('releases a real U+FFFD and ill-formed bytes at once, and holds only what may still complete', () => {
    const real = byteSymbolIds(tok, [0xef, 0xbf, 0xbd, 0x61]); // U+FFFD 'a'
    const s = tok.decodeStream();
    expect(real.map((id) => s.step(id))).toEqual(['', '', '\uFFFD', 'a']);
    const bad = byteSymbolIds(tok, [0xe4, 0x61, 0xe4, 0xb8]); // E4 'a' (ill-formed), then an unfinished 中
    const t = new DecodeStream(tok);
    expect(bad.map((id) => t.step(id))).toEqual(['', '\uFFFDa', '', '']);
    expect(t.incomplete).toBe(true);
    expect(t.flush(true)).toBe('');
    const u = new DecodeStream(tok);
    bad.forEach((id) => u.step(id));
    expect(u.flush()).toBe('\uFFFD');
  });

  it('holds back a space that the clean-up may still remove', () => {
    const cleaning = new BpeTokenizer({
      vocab: tok.getVocab(),
      merges: tok.merges,
      addedTokens: tok.addedTokens,
      cleanUpTokenizationSpaces: true,
    });
    const ids = byteSymbolIds(cleaning, new TextEncoder().encode("Fever , cough . Don 't"));
    const s = cleaning.decodeStream();
    const pieces = ids.map((id) => s.step(id));
    pieces.push(s.flush());
    expect(pieces.join('')).toBe(cleaning.decode(ids));
    expect(cleaning.decode(ids)).toBe("Fever, cough. Don 't");
  });

  it('skips special tokens when asked', () => {
    const ids = [...tok.encode('<|im_start|>'), ...byteSymbolIds(tok, new TextEncoder().encode('中')).slice(0, 2), ...tok.encode('<|im_end|>'), ...byteSymbolIds(tok, [0xad])];
    const s = tok.decodeStream({ skipSpecialTokens: true });
    const pieces = ids.map((id) => s.step(id));
    expect(pieces.join('') + s.flush()).toBe('中');
    expect(pieces.at(-1)).toBe('中');
  });
});
