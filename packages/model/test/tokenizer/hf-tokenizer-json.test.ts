import { mkdtempSync, readFileSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { afterAll, describe, expect, it } from 'vitest';
import { loadTokenizer, saveTokenizer } from '../../src/node/index';
import { BpeTokenizer, toByteLevel, TokenizerError, TokenizerJsonError, trainBpe } from '../../src/tokenizer/index';
import { medicalTokenizer, mulberry32, paragraphs, randomUnicode, readMedical } from './helpers';

const dir = mkdtempSync(join(tmpdir(), 'quarkmed-tok-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('Hugging Face tokenizer.json interop', () => {
  const tok = medicalTokenizer();
  const en = paragraphs(readMedical('en'));
  const zh = paragraphs(readMedical('zh'));
  // paragraphs seen in training plus held-out-style mixed text
  const samples = [
    en[0],
    en[en.length - 1],
    zh[0],
    zh[zh.length - 1],
    `${zh[5]}\n\n${en[7]}`,
    '<|im_start|>user\n急性阑尾炎的 CRP 值是多少？<|im_end|>\n<|im_start|>assistant\n',
    'Dose: 12.5 mg/kg q8h — see Table 3 (p<0.05).  Tabs\tand\r\nnewlines\n\n\n',
    '😀 émoji café naïve Ω ≤ ∑ 𐀀',
  ];

  it('saves tokenizer.json that @huggingface/tokenizers loads and encodes identically', async () => {
    const path = join(dir, 'tokenizer.json');
    await saveTokenizer(tok, dir);
    const json = JSON.parse(readFileSync(path, 'utf8'));
    expect(json.model.type).toBe('BPE');
    expect(typeof json.model.merges[0]).toBe('string');
    expect(json.model.merges[0].split(' ')).toHaveLength(2);
    expect(json.pre_tokenizer.type).toBe('ByteLevel');
    expect(json.decoder.type).toBe('ByteLevel');
    expect(json.added_tokens.map((t: { content: string; special: boolean }) => [t.content, t.special])).toEqual([
      ['<|endoftext|>', true],
      ['<|im_start|>', true],
      ['<|im_end|>', true],
      ['<|pad|>', true],
    ]);
    const hf = new Tokenizer(json, tok.toTokenizerConfig());
    for (const s of samples) {
      const ids = tok.encode(s);
      expect(hf.encode(s).ids).toEqual(ids);
      expect(hf.decode(ids)).toBe(s);
      expect(hf.decode(ids, { skip_special_tokens: true })).toBe(tok.decode(ids, { skipSpecialTokens: true }));
    }
    const rand = mulberry32(5);
    for (let i = 0; i < 100; i++) {
      const s = randomUnicode(rand, 1 + Math.floor(rand() * 50));
      const ids = tok.encode(s);
      expect(hf.encode(s).ids).toEqual(ids);
      expect(hf.decode(ids)).toBe(s);
    }
    // no temp files left behind by the atomic write
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('matches HF on very long pre-tokens (heap-based merge path)', () => {
    const hf = new Tokenizer(tok.toJSON(), tok.toTokenizerConfig());
    const run = readMedical('zh').replace(/[^\p{L}]/gu, '').slice(0, 20000); // one 60 KB letter run
    const t0 = performance.now();
    const ids = tok.encode(run);
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(hf.encode(run).ids).toEqual(ids);
    expect(tok.decode(ids)).toBe(run);
    const word = 'pneumonoultramicroscopicsilicovolcanoconiosis'.repeat(3);
    const internal = tok as unknown as { mergeLong(s: number[]): number[]; mergeShort(s: number[]): number[] };
    const bytes = [...new TextEncoder().encode(word)].map((b) => tok.tokenToId(toByteLevel(String.fromCharCode(b))) as number);
    expect(internal.mergeLong(bytes.slice())).toEqual(internal.mergeShort(bytes.slice()));
  });

  it('matches HF with a BOS/EOS TemplateProcessing post-processor', () => {
    const withBos = trainBpe([...en.slice(0, 40), ...zh.slice(0, 40)], { vocabSize: 800, addBosToken: true, addEosToken: true });
    const json = withBos.toJSON();
    expect(json.post_processor?.type).toBe('TemplateProcessing');
    const hf = new Tokenizer(json, withBos.toTokenizerConfig());
    for (const s of samples.slice(0, 4)) {
      expect(hf.encode(s).ids).toEqual(withBos.encode(s, { addSpecialTokens: true }));
      expect(hf.encode(s, { add_special_tokens: false }).ids).toEqual(withBos.encode(s));
    }
    const back = BpeTokenizer.fromJSON(json);
    expect(back.addBosToken).toBe(true);
    expect(back.addEosToken).toBe(true);
    expect(back.encode(samples[0], { addSpecialTokens: true })).toEqual(withBos.encode(samples[0], { addSpecialTokens: true }));
  });

  it('round-trips through saveTokenizer/loadTokenizer', async () => {
    const rt = join(dir, 'rt');
    (await import('node:fs')).mkdirSync(rt);
    await saveTokenizer(tok, rt);
    const back = await loadTokenizer(rt);
    expect(back).toBeInstanceOf(BpeTokenizer);
    expect(back.toJSON()).toEqual(tok.toJSON());
    for (const s of samples) expect(back.encode(s)).toEqual(tok.encode(s));
    expect([back.bosTokenId, back.eosTokenId, back.padTokenId]).toEqual([0, 0, 3]);

    const custom = new BpeTokenizer({
      vocab: tok.getVocab(),
      merges: tok.merges,
      addedTokens: tok.addedTokens,
      bosToken: '<|im_start|>',
      eosToken: '<|im_end|>',
      padToken: '<|endoftext|>',
      chatTemplate: '{{ messages[0].content }}',
      modelMaxLength: 512,
    });
    const sub = join(dir, 'ckpt');
    (await import('node:fs')).mkdirSync(sub);
    await saveTokenizer(custom, sub);
    const cfg = JSON.parse(readFileSync(join(sub, 'tokenizer_config.json'), 'utf8'));
    expect(cfg).toMatchObject({ bos_token: '<|im_start|>', eos_token: '<|im_end|>', pad_token: '<|endoftext|>', clean_up_tokenization_spaces: false });
    const loaded = await loadTokenizer(sub);
    expect([loaded.bosTokenId, loaded.eosTokenId, loaded.padTokenId]).toEqual([1, 2, 0]);
    expect(loaded.chatTemplate).toBe('{{ messages[0].content }}');
    expect(loaded.modelMaxLength).toBe(512);
  });

  it('accepts merges as [left, right] pairs', () => {
    const json = tok.toJSON() as unknown as { model: { merges: unknown[] } };
    json.model.merges = (json.model.merges as string[]).map((m) => m.split(' '));
    const back = BpeTokenizer.fromJSON(json);
    expect(back.encode(samples[4])).toEqual(tok.encode(samples[4]));
  });
});

describe('bad tokenizer.json', () => {
  const good = () => JSON.parse(JSON.stringify(trainBpe(['aa bb aa bb'], { vocabSize: 265 }).toJSON()));
  const cases: [string, (j: any) => unknown, RegExp][] = [
    ['not an object', () => 42, /\(root\)/],
    ['no model', (j) => ({ ...j, model: undefined }), /tokenizer\.json model: must be an object/],
    ['wrong model type', (j) => ({ ...j, model: { ...j.model, type: 'WordPiece' } }), /model\.type/],
    ['vocab id not integer', (j) => ((j.model.vocab.a = 'x'), j), /model\.vocab\["a"\]/],
    ['merges not array', (j) => ((j.model.merges = 'a b'), j), /model\.merges: must be an array/],
    ['malformed merge', (j) => ((j.model.merges[0] = 'ab'), j), /model\.merges\[0\]/],
    ['merge of unknown token', (j) => (j.model.merges.push('zz qq'), j), /model\.merges\[\d+\].*"zz"/],
    ['added token without id', (j) => (delete j.added_tokens[1].id, j), /added_tokens\[1\]\.id/],
    ['added token id conflict', (j) => ((j.added_tokens[0].id = 5), j), /added_tokens\[0\]\.id/],
    ['normalizer outside the fast path', (j) => ((j.normalizer = { type: 'Lowercase' }), j), /normalizer/],
    ['pre_tokenizer', (j) => ((j.pre_tokenizer = { type: 'Whitespace' }), j), /pre_tokenizer/],
    ['byte_fallback', (j) => ((j.model.byte_fallback = true), j), /model\.byte_fallback/],
    ['post_processor', (j) => ((j.post_processor = { type: 'BertProcessing' }), j), /post_processor\.type/],
  ];
  for (const [name, mutate, re] of cases) {
    it(`rejects ${name}`, () => {
      let err: unknown;
      try {
        BpeTokenizer.fromJSON(mutate(good()));
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(TokenizerJsonError);
      expect((err as Error).message).toMatch(re);
    });
  }

  it('rejects a file that is not JSON, a missing file and a bad tokenizer_config', async () => {
    const broken = join(dir, 'broken');
    (await import('node:fs')).mkdirSync(broken);
    writeFileSync(join(broken, 'tokenizer.json'), '{"model": ');
    await expect(loadTokenizer(broken)).rejects.toThrow(/tokenizer\.json \(root\):.*broken.*not valid JSON/);
    writeFileSync(join(broken, 'tokenizer.json'), JSON.stringify(good()));
    writeFileSync(join(broken, 'tokenizer_config.json'), '{');
    await expect(loadTokenizer(broken)).rejects.toThrow(/tokenizer_config:.*not valid JSON/);
    await expect(loadTokenizer(join(dir, 'missing'))).rejects.toThrow(TokenizerError);
    await expect(loadTokenizer(join(dir, 'missing'))).rejects.toThrow(/cannot read tokenizer\.json/);
    expect(() => BpeTokenizer.fromJSON(good(), { bos_token: 17 })).toThrow(/tokenizer_config\.bos_token/);
    expect(() => BpeTokenizer.fromJSON(good(), { eos_token: '<nope>' })).toThrow(/tokenizer_config\.eos_token.*<nope>/);
  });
});
