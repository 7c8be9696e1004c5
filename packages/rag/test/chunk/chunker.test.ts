import { trainBpe } from '@quarkmed/model';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { chunkDocuments, chunkText, RagArgumentError, splitSentences } from '../../src/index';

const corpus = readFileSync(new URL('../fixtures/cmexam-subset.jsonl', import.meta.url), 'utf8')
  .trim()
  .split('\n')
  .map((l) => (JSON.parse(l) as { Explanation: string }).Explanation);
const abstracts = Object.values(JSON.parse(readFileSync(new URL('../fixtures/pubmedqa-subset.json', import.meta.url), 'utf8')) as Record<string, { CONTEXTS: string[] }>).flatMap((v) => v.CONTEXTS);
const tokenizer = trainBpe([...corpus.slice(0, 60), ...abstracts.slice(0, 60)], { vocabSize: 600 });

describe('splitSentences', () => {
  const sentences = (t: string) => splitSentences(t).map((s) => t.slice(s.start, s.end));
  it('splits English at . ! ? before white space, not at decimals or abbreviations', () => {
    expect(sentences('Dose was 2.5 mg, e.g. twice daily. Dr. Smith agreed! Was it safe? Yes.')).toEqual([
      'Dose was 2.5 mg, e.g. twice daily.',
      'Dr. Smith agreed!',
      'Was it safe?',
      'Yes.',
    ]);
  });
  it('splits Chinese at 。！？ with closing quotes, and at line breaks', () => {
    expect(sentences('患者发热。“是否咳嗽？”医生问！\n无痰')).toEqual(['患者发热。', '“是否咳嗽？”', '医生问！', '无痰']);
  });
  it('semicolons end sentences only when asked', () => {
    expect(sentences('甲；乙。')).toEqual(['甲；乙。']);
    expect(splitSentences('甲；乙。', { semicolons: true })).toHaveLength(2);
  });
});

describe('chunkText', () => {
  const text = corpus.slice(0, 8).join('\n');

  it('keeps every chunk within the token budget, as exact slices of the text, covering it all', () => {
    const chunks = chunkText(text, { tokenizer, maxTokens: 64 });
    expect(chunks.length).toBeGreaterThan(3);
    for (const c of chunks) {
      expect(c.text).toBe(text.slice(c.start, c.end));
      expect(tokenizer.encode(c.text).length).toBe(c.tokens);
      expect(c.tokens).toBeLessThanOrEqual(64);
    }
    // Without overlap, chunks are in order and only white space lies between them.
    for (let i = 1; i < chunks.length; i++) {
      expect(chunks[i]!.start).toBeGreaterThanOrEqual(chunks[i - 1]!.end);
      expect(text.slice(chunks[i - 1]!.end, chunks[i]!.start).trim()).toBe('');
    }
    expect(text.slice(0, chunks[0]!.start).trim()).toBe('');
    expect(text.slice(chunks.at(-1)!.end).trim()).toBe('');
  });

  it('ends chunks at sentence ends when sentences fit', () => {
    const chunks = chunkText(text, { tokenizer, maxTokens: 200 });
    const ends = new Set(splitSentences(text).map((s) => s.end));
    for (const c of chunks) expect(ends.has(c.end)).toBe(true);
  });

  it('overlaps consecutive chunks by whole trailing sentences within the overlap budget', () => {
    const en = abstracts.slice(0, 6).join(' ');
    const plain = chunkText(en, { tokenizer, maxTokens: 120 });
    const over = chunkText(en, { tokenizer, maxTokens: 120, overlapTokens: 50 });
    expect(over.length).toBeGreaterThan(plain.length);
    let overlapping = 0;
    for (let i = 1; i < over.length; i++) {
      const prev = over[i - 1]!;
      const cur = over[i]!;
      expect(cur.start).toBeGreaterThan(prev.start); // always moves forward
      if (cur.start < prev.end) {
        overlapping++;
        expect(tokenizer.encode(en.slice(cur.start, prev.end)).length).toBeLessThanOrEqual(50);
      }
    }
    expect(overlapping).toBeGreaterThan(0);
  });

  it('cuts a sentence longer than the budget', () => {
    const long = '胸腔积液患者'.repeat(40) + '。';
    const chunks = chunkText(long, { tokenizer, maxTokens: 10 });
    expect(chunks.length).toBeGreaterThan(5);
    for (const c of chunks) expect(c.tokens).toBeLessThanOrEqual(10);
    expect(chunks.map((c) => c.text).join('')).toBe(long);
  });

  it('rejects empty text and bad budgets', () => {
    expect(() => chunkText('  ', { tokenizer, maxTokens: 10 })).toThrow(RagArgumentError);
    expect(() => chunkText('x', { tokenizer, maxTokens: 0 })).toThrow(/options\.maxTokens/);
    expect(() => chunkText('x', { tokenizer, maxTokens: 2.5 })).toThrow(/options\.maxTokens/);
    expect(() => chunkText('x', { tokenizer, maxTokens: 10, overlapTokens: 10 })).toThrow(/options\.overlapTokens/);
    expect(() => chunkText('x', { tokenizer, maxTokens: 10, overlapTokens: -1 })).toThrow(/options\.overlapTokens/);
    expect(() => chunkText('x', { tokenizer: {} as never, maxTokens: 10 })).toThrow(/options\.tokenizer/);
    // A character that alone takes more tokens than the budget (a byte-level tokenizer without that merge).
    expect(() => chunkText('𝔸𝔸', { tokenizer: { encode: (t) => [...new TextEncoder().encode(t)] }, maxTokens: 2 })).toThrow(/too small/);
  });
});

describe('chunkDocuments', () => {
  it('keeps metadata and adds ids, parent, span and a detected language', () => {
    const docs = chunkDocuments(
      [
        { pageContent: corpus.slice(0, 4).join(''), metadata: { id: 'cm1', source: 'cmexam', title: 'T', authority: 'B', date: '2023-01-01' } },
        { pageContent: abstracts[0]!, metadata: {} },
      ],
      { tokenizer, maxTokens: 48 },
    );
    const first = docs.filter((d) => d.metadata.parentId === 'cm1');
    expect(first.length).toBeGreaterThan(1);
    first.forEach((d, i) => {
      expect(d.metadata).toMatchObject({ id: `cm1#${i}`, source: 'cmexam', title: 'T', authority: 'B', date: '2023-01-01', language: 'zh', chunkIndex: i });
    });
    const second = docs.filter((d) => d.metadata.parentId === 'doc-1');
    expect(second[0]!.metadata.language).toBe('en');
  });

  it('names the bad document', () => {
    expect(() => chunkDocuments([{ pageContent: 'ok', metadata: {} }, { pageContent: '', metadata: {} }], { tokenizer, maxTokens: 8 })).toThrow(/documents\[1\]\.pageContent/);
    expect(() => chunkDocuments([{ pageContent: 'ok', metadata: { authority: 'F' as never } }], { tokenizer, maxTokens: 8 })).toThrow(/authority/);
    expect(() => chunkDocuments([{ pageContent: 'ok', metadata: { date: 'yesterday' } }], { tokenizer, maxTokens: 8 })).toThrow(/metadata\.date/);
  });
});
