import { describe, expect, it } from 'vitest';
import { AddedTokenSplitter, preTokenize } from '../../src/tokenizer/index';
import { mulberry32, randomUnicode } from './helpers';

describe('preTokenize (GPT-2 regex)', () => {
  it('splits like GPT-2', () => {
    expect(preTokenize("Hello world's 123 tests!!  ok\n\nend")).toEqual([
      'Hello',
      ' world',
      "'s",
      ' 123',
      ' tests',
      '!!',
      ' ',
      ' ok',
      '\n',
      '\n',
      'end',
    ]);
  });

  it('keeps CJK letter runs together and splits at CJK punctuation', () => {
    expect(preTokenize('嘶哑样咳嗽，可见于急性喉炎（A对）')).toEqual(['嘶哑样咳嗽', '，', '可见于急性喉炎', '（', 'A对', '）']);
    expect(preTokenize('CRP 值12.5mg')).toEqual(['CRP', ' 值', '12', '.', '5', 'mg']);
  });

  it('is lossless on random Unicode (including lone surrogates)', () => {
    const rand = mulberry32(7);
    for (let i = 0; i < 200; i++) {
      const s = randomUnicode(rand, 1 + Math.floor(rand() * 60), true);
      expect(preTokenize(s).join('')).toBe(s);
    }
    expect(preTokenize('')).toEqual([]);
  });
});

describe('AddedTokenSplitter', () => {
  it('matches leftmost-longest and keeps the rest', () => {
    const sp = new AddedTokenSplitter([
      ['<|im_start|>', 1],
      ['<|im', 5],
      ['<|im_end|>', 2],
    ]);
    expect(sp.split('a<|im_start|>b<|im_end|><|im<|im_')).toEqual([
      { text: 'a' },
      { text: '<|im_start|>', id: 1 },
      { text: 'b' },
      { text: '<|im_end|>', id: 2 },
      { text: '<|im', id: 5 },
      { text: '<|im', id: 5 },
      { text: '_' },
    ]);
    expect(new AddedTokenSplitter([]).split('xyz')).toEqual([{ text: 'xyz' }]);
  });
});
