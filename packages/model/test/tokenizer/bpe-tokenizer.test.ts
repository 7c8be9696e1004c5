import { describe, expect, it } from 'vitest';
import {
  BpeTokenizer,
  TokenizerOptionError,
  toWellFormed,
  trainBpe,
  UnknownTokenIdError,
} from '../../src/tokenizer/index';
import { medicalTokenizer, mulberry32, paragraphs, randomUnicode, readMedical } from './helpers';

describe('BpeTokenizer encode/decode', () => {
  const tok = medicalTokenizer();

  it('round-trips the medical text exactly and compresses it', () => {
    for (const text of [readMedical('en').slice(0, 20000), readMedical('zh').slice(0, 8000)]) {
      const ids = tok.encode(text);
      expect(tok.decode(ids)).toBe(text);
      expect(ids.length).toBeLessThan(new TextEncoder().encode(text).length / 2.5);
    }
  });

  it('round-trips random Unicode strings (CJK, emoji, controls, combining marks, odd spaces)', () => {
    const rand = mulberry32(2024);
    for (let i = 0; i < 300; i++) {
      const s = randomUnicode(rand, Math.floor(rand() * 80));
      expect(tok.decode(tok.encode(s))).toBe(s);
    }
  });

  it('maps lone surrogates to U+FFFD (they have no UTF-8 encoding)', () => {
    const rand = mulberry32(99);
    for (let i = 0; i < 100; i++) {
      const s = randomUnicode(rand, 1 + Math.floor(rand() * 40), true);
      expect(tok.decode(tok.encode(s))).toBe(toWellFormed(s));
    }
    expect(tok.decode(tok.encode('a\uD800b'))).toBe('a\uFFFDb');
  });

  it('decodes token-by-token splits of a multi-byte character only when joined', () => {
    const ids = tok.encode('😀');
    expect(ids.length).toBeGreaterThan(1); // the emoji is not in this small vocabulary
    expect(tok.decode(ids)).toBe('😀');
    expect(tok.decode(ids.slice(0, 1))).toBe('\uFFFD');
  });

  it('matches special tokens whole and never splits them', () => {
    const text = '<|im_start|>user\n心浊音界<|im_end|>\n<|im_start|>assistant\n<|endoftext|><|pad|>';
    const ids = tok.encode(text);
    const specials = new Set(tok.specialTokenIds);
    expect(ids.filter((id) => specials.has(id))).toEqual([1, 2, 1, 0, 3]);
    expect(tok.decode(ids)).toBe(text);
    expect(tok.decode(ids, { skipSpecialTokens: true })).toBe('user\n心浊音界\nassistant\n');
    // a partial special token is ordinary text
    const partial = tok.encode('<|im_end|');
    expect(partial.some((id) => specials.has(id))).toBe(false);
    expect(tok.decode(partial)).toBe('<|im_end|');
    // no BPE token ever contains a special token
    for (let id = 0; id < tok.vocabSize; id++) {
      if (specials.has(id)) continue;
      expect(tok.idToToken(id)).not.toContain('<|im');
    }
  });

  it('caches merges without changing results', () => {
    const text = paragraphs(readMedical('en'))[3];
    const fresh = BpeTokenizer.fromJSON(tok.toJSON());
    expect(fresh.encode(text)).toEqual(tok.encode(text));
    expect(fresh.encode(text)).toEqual(tok.encode(text));
  });

  it('adds BOS/EOS only when configured and asked', () => {
    const t = new BpeTokenizer({ ...initOf(tok), addBosToken: true, addEosToken: true });
    const plain = t.encode('hi');
    expect(t.encode('hi', { addSpecialTokens: true })).toEqual([0, ...plain, 0]);
    expect(tok.encode('hi', { addSpecialTokens: true })).toEqual(plain);
  });

  it('throws a typed error for unknown ids', () => {
    expect(() => tok.decode([5, tok.vocabSize])).toThrow(UnknownTokenIdError);
    expect(() => tok.decode([5, tok.vocabSize])).toThrow(/ids\[1\] = 3000/);
    expect(() => tok.decode([-1])).toThrow(UnknownTokenIdError);
    expect(() => tok.decode([1.5])).toThrow(UnknownTokenIdError);
    expect(tok.decode([])).toBe('');
  });

  it('exposes vocabulary accessors', () => {
    expect(tok.vocabSize).toBe(3000);
    expect(tok.tokenToId('<|im_start|>')).toBe(1);
    expect(tok.idToToken(2)).toBe('<|im_end|>');
    expect(tok.tokenToId('Ġpatients')).toBeDefined();
    expect(tok.getVocab().size).toBe(3000);
    expect(tok.tokenize(' patients')).toEqual(['Ġpatients']);
  });
});

function initOf(t: BpeTokenizer) {
  return { vocab: t.getVocab(), merges: t.merges, addedTokens: t.addedTokens, bosToken: t.bosToken, eosToken: t.eosToken, padToken: t.padToken };
}

describe('encodeBatch', () => {
  const tok = trainBpe(['aa bb cc dd aa bb cc dd'], { vocabSize: 270 });
  const texts = ['aa', 'aa bb cc', 'aa bb'];
  const lens = texts.map((t) => tok.encode(t).length);
  const pad = tok.padTokenId as number;

  it('pads to the longest on the right (default) and on the left', () => {
    const max = Math.max(...lens);
    const right = tok.encodeBatch(texts);
    const left = tok.encodeBatch(texts, { paddingSide: 'left' });
    texts.forEach((t, i) => {
      const ids = tok.encode(t);
      const n = max - ids.length;
      expect(right.inputIds[i]).toEqual([...ids, ...Array(n).fill(pad)]);
      expect(right.attentionMask[i]).toEqual([...Array(ids.length).fill(1), ...Array(n).fill(0)]);
      expect(left.inputIds[i]).toEqual([...Array(n).fill(pad), ...ids]);
      expect(left.attentionMask[i]).toEqual([...Array(n).fill(0), ...Array(ids.length).fill(1)]);
    });
  });

  it('pads to max_length and truncates on either side', () => {
    const full = tok.encode('aa bb cc');
    const r = tok.encodeBatch(texts, { padding: 'max_length', maxLength: 2, truncation: true });
    expect(r.inputIds[1]).toEqual(full.slice(0, 2));
    const l = tok.encodeBatch(texts, { padding: 'max_length', maxLength: 2, truncation: true, truncationSide: 'left', paddingSide: 'left' });
    expect(l.inputIds[1]).toEqual(full.slice(-2));
    expect(l.inputIds[0]).toEqual([pad, tok.encode('aa')[0]]);
    expect(l.attentionMask[0]).toEqual([0, 1]);
    const wide = tok.encodeBatch(texts, { padding: 'max_length', maxLength: 8 });
    for (const row of wide.inputIds) expect(row).toHaveLength(8);
    const ragged = tok.encodeBatch(texts, { padding: false });
    expect(ragged.inputIds.map((x) => x.length)).toEqual(lens);
  });

  it('rejects inconsistent options with typed errors', () => {
    expect(() => tok.encodeBatch(texts, { padding: 'max_length' })).toThrow(/options\.maxLength/);
    expect(() => tok.encodeBatch(texts, { truncation: true })).toThrow(TokenizerOptionError);
    expect(() => tok.encodeBatch(texts, { padding: 'max_length', maxLength: 1 })).toThrow(/texts\[1\].*truncation/);
    expect(() => tok.encodeBatch(texts, { maxLength: 0, truncation: true })).toThrow(/options\.maxLength/);
    const noPad = trainBpe(['aa bb'], { vocabSize: 270, specialTokens: ['<|endoftext|>'] });
    expect(noPad.padTokenId).toBeUndefined();
    expect(() => noPad.encodeBatch(['aa', 'aa bb'])).toThrow(/padToken/);
  });
});
