import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import { describe, expect, it } from 'vitest';
import {
  BpeTokenizer,
  FastPathUnsupportedError,
  HfLibraryTokenizer,
  TokenizerJsonError,
  TokenizerOptionError,
  tokenizerFromJSON,
} from '../../src/tokenizer/index';
import { medicalTokenizer, mulberry32, paragraphs, randomUnicode, readMedical } from './helpers';

/** Llama 3's split regex (Oniguruma syntax, with the `(?i:...)` group JavaScript regexes lack before ES2025). */
const LLAMA3_SPLIT =
  "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

function llama3Style(): Record<string, any> {
  const json = JSON.parse(JSON.stringify(medicalTokenizer().toJSON()));
  json.normalizer = { type: 'NFC' };
  json.pre_tokenizer = {
    type: 'Sequence',
    pretokenizers: [
      { type: 'Split', pattern: { Regex: LLAMA3_SPLIT }, behavior: 'Isolated', invert: false },
      { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false },
    ],
  };
  return json;
}

describe('tokenizerFromJSON', () => {
  const en = paragraphs(readMedical('en'));
  const zh = paragraphs(readMedical('zh'));

  it('serves a Split-regex + NFC byte-level BPE with the fast engine, with the ids of @huggingface/tokenizers', () => {
    const json = llama3Style();
    const cfg = { clean_up_tokenization_spaces: false };
    const fast = tokenizerFromJSON(json, cfg);
    expect(fast).toBeInstanceOf(BpeTokenizer);
    const hf = new HfTokenizer(json, cfg);
    const lib = tokenizerFromJSON(json, cfg, { engine: 'library' });
    expect(lib).toBeInstanceOf(HfLibraryTokenizer);
    const rand = mulberry32(11);
    const texts = [en[0], zh[0], "I'M here, DON'T go. 12345678 x\r\n\r\n  y", 'cafe\u0301 \u212B \u1E9B\u0323'];
    for (let i = 0; i < 150; i++) texts.push(randomUnicode(rand, 1 + Math.floor(rand() * 40)));
    for (const t of texts) {
      const ids = fast.encode(t);
      expect(ids).toEqual(hf.encode(t, { add_special_tokens: false }).ids);
      expect(lib.encode(t)).toEqual(ids);
      if (ids.length > 0) expect(fast.decode(ids)).toBe(hf.decode(ids));
    }
    // the split regex differs from GPT-2's: digits are grouped by three, so the ids differ from the plain tokenizer
    expect(fast.encode('12345678')).not.toEqual(medicalTokenizer().encode('12345678'));
    // NFC: decomposed and composed text encode alike
    expect(fast.encode('cafe\u0301')).toEqual(fast.encode('caf\u00e9'));
    // and it serializes back to the same family
    const back = tokenizerFromJSON(fast.toJSON(), fast.toTokenizerConfig());
    expect(back).toBeInstanceOf(BpeTokenizer);
    expect(back.encode(texts[2])).toEqual(fast.encode(texts[2]));
  });

  it('accepts tokenizer.json and tokenizer_config.json as JSON text', () => {
    const tok = medicalTokenizer();
    const back = tokenizerFromJSON(JSON.stringify(tok.toJSON()), JSON.stringify(tok.toTokenizerConfig()));
    expect(back.encode(zh[1])).toEqual(tok.encode(zh[1]));
    expect(() => tokenizerFromJSON('{"model": ')).toThrow(/tokenizer\.json \(root\): tokenizer\.json is not valid JSON/);
    expect(() => tokenizerFromJSON(tok.toJSON(), '{')).toThrow(/tokenizer_config: tokenizer_config\.json is not valid JSON/);
  });

  it('serves other models (WordPiece) through @huggingface/tokenizers', () => {
    const vocab: Record<string, number> = { '[UNK]': 0, '[CLS]': 1, '[SEP]': 2, fever: 3, cough: 4, '##s': 5, and: 6 };
    const json = {
      added_tokens: [
        { id: 0, content: '[UNK]', special: true },
        { id: 1, content: '[CLS]', special: true },
        { id: 2, content: '[SEP]', special: true },
      ],
      normalizer: { type: 'Lowercase' },
      pre_tokenizer: { type: 'Whitespace' },
      post_processor: { type: 'BertProcessing', sep: ['[SEP]', 2], cls: ['[CLS]', 1] },
      decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
      model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab },
    };
    const tok = tokenizerFromJSON(json, { unk_token: '[UNK]' });
    expect(tok.engine).toBe('library');
    expect(tok.encode('Fever and coughs xyz')).toEqual([3, 6, 4, 5, 0]);
    expect(tok.encode('Fever', { addSpecialTokens: true })).toEqual([1, 3, 2]);
    expect(tok.decode([3, 6, 4, 5])).toBe('fever and coughs');
    expect(tok.unkTokenId).toBe(0);
  });

  it('reports the field outside the fast path with engine: "fast"', () => {
    const json = llama3Style();
    json.pre_tokenizer.pretokenizers[0].behavior = 'MergedWithPrevious';
    expect(() => tokenizerFromJSON(json, undefined, { engine: 'fast' })).toThrow(FastPathUnsupportedError);
    expect(() => tokenizerFromJSON(json, undefined, { engine: 'fast' })).toThrow(/pre_tokenizer\.pretokenizers\[0\]\.behavior/);
    expect(() => BpeTokenizer.fromJSON(json)).toThrow(FastPathUnsupportedError);
    expect(tokenizerFromJSON(json).engine).toBe('library');
  });

  const good = () => JSON.parse(JSON.stringify(medicalTokenizer().toJSON()));
  const cases: [string, (j: any) => unknown, RegExp][] = [
    ['an unknown normalizer', (j) => ((j.normalizer = { type: 'Rot13' }), j), /normalizer\.type: unknown normalizer type "Rot13"/],
    [
      'an unknown pre-tokenizer inside a Sequence',
      (j) => ((j.pre_tokenizer = { type: 'Sequence', pretokenizers: [j.pre_tokenizer, { type: 'Magic' }] }), j),
      /pre_tokenizer\.pretokenizers\[1\]\.type: unknown pre_tokenizer type "Magic"/,
    ],
    ['an unknown decoder', (j) => ((j.decoder = { type: 'Nope' }), j), /decoder\.type: unknown decoder type "Nope"/],
    ['an unknown post-processor', (j) => ((j.post_processor = { type: 'Fancy' }), j), /post_processor\.type: unknown post_processor type/],
    ['an unknown model', (j) => ((j.model.type = 'Bigram'), j), /model\.type: must be one of BPE, WordPiece, Unigram, got "Bigram"/],
    ['a Split without pattern', (j) => ((j.pre_tokenizer = { type: 'Split', behavior: 'Isolated' }), j), /pre_tokenizer\.pattern: must be \{Regex/],
    ['a Sequence without its list', (j) => ((j.decoder = { type: 'Sequence' }), j), /decoder\.decoders: must be an array/],
    ['a bad added-token flag', (j) => ((j.added_tokens[0].lstrip = 'yes'), j), /added_tokens\[0\]\.lstrip: must be a boolean/],
    ['BPE without merges', (j) => (delete j.model.merges, j), /model\.merges: must be an array/],
  ];
  for (const [name, mutate, re] of cases) {
    it(`rejects ${name} with a TokenizerJsonError naming the field`, () => {
      for (const engine of ['auto', 'library'] as const) {
        let err: unknown;
        try {
          tokenizerFromJSON(mutate(good()), undefined, { engine });
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(TokenizerJsonError);
        expect(err).not.toBeInstanceOf(FastPathUnsupportedError);
        expect((err as Error).message).toMatch(re);
      }
    });
  }

  it('rejects a bad engine, a bad config key and add_bos_token without a BOS', () => {
    expect(() => tokenizerFromJSON(good(), undefined, { engine: 'turbo' as never })).toThrow(TokenizerOptionError);
    expect(() => tokenizerFromJSON(good(), { clean_up_tokenization_spaces: 'yes' })).toThrow(/tokenizer_config\.clean_up_tokenization_spaces/);
    const noBos = good();
    noBos.added_tokens = noBos.added_tokens.filter((t: { content: string }) => t.content !== '<|endoftext|>');
    delete noBos.model.vocab['<|endoftext|>'];
    expect(() => tokenizerFromJSON(noBos, { add_bos_token: true })).toThrow(/tokenizer_config\.add_bos_token: is true but there is no bos_token/);
    expect(() => tokenizerFromJSON(noBos, { add_bos_token: true }, { engine: 'library' })).toThrow(/add_bos_token/);
  });
});
