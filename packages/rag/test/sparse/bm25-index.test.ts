import { describe, expect, it } from 'vitest';
import { Bm25Index, RagArgumentError, SparseIndexFormatError } from '../../src/index';

const docs = [
  { pageContent: 'aspirin reduces fever', metadata: { id: 'a', authority: 'A' as const, date: '2020-01-01' } },
  { pageContent: 'aspirin aspirin bleeding risk in elderly patients', metadata: { id: 'b', authority: 'C' as const, date: '2023-06-01' } },
  { pageContent: 'fever in children', metadata: { id: 'c', date: '2024-02-01' } },
];
const noStem = { analyzer: { stopWords: false, stem: false } };

describe('Bm25Index', () => {
  it('scores by the BM25 formula (hand-computed)', () => {
    const index = new Bm25Index({ k1: 1.2, b: 0.75, ...noStem });
    index.addDocuments(docs);
    // N = 3, lengths 3, 7, 3 → avgdl 13/3; "aspirin" df 2, "fever" df 2.
    const idf = Math.log(1 + (3 - 2 + 0.5) / (2 + 0.5));
    const part = (tf: number, len: number) => (idf * tf * 2.2) / (tf + 1.2 * (1 - 0.75 + (0.75 * len) / (13 / 3)));
    const hits = index.search('aspirin fever', 3);
    expect(hits.map((h) => h.document.metadata.id)).toEqual(['a', 'b', 'c']);
    expect(hits[0]!.score).toBeCloseTo(part(1, 3) + part(1, 3), 12);
    expect(hits[1]!.score).toBeCloseTo(part(2, 7), 12);
    expect(hits[2]!.score).toBeCloseTo(part(1, 3), 12);
  });

  it('k1 and b change the ranking as they should', () => {
    // b = 0: no length normalisation, so the doubled "aspirin" in the long document wins.
    const flat = new Bm25Index({ k1: 1.2, b: 0, ...noStem });
    flat.addDocuments(docs);
    expect(flat.search('aspirin', 1)[0]!.document.metadata.id).toBe('b');
    const norm = new Bm25Index({ k1: 1.2, b: 1, ...noStem });
    norm.addDocuments(docs);
    expect(norm.search('aspirin', 1)[0]!.document.metadata.id).toBe('a');
  });

  it('applies metadata filters and predicates, returns no zero-score documents', () => {
    const index = new Bm25Index();
    index.addDocuments(docs);
    expect(index.search('fever', 5, { filter: { authority: ['A', 'B'] } }).map((h) => h.document.metadata.id)).toEqual(['a']);
    expect(index.search('fever', 5, { where: (m) => m.date! > '2021' }).map((h) => h.document.metadata.id)).toEqual(['c']);
    expect(index.search('unrelated words', 5)).toEqual([]);
  });

  it('replaces by id, deletes from the index and its statistics', () => {
    const index = new Bm25Index(noStem);
    index.addDocuments(docs);
    index.delete({ ids: ['b', 'missing'] });
    expect(index.size).toBe(2);
    expect(index.search('aspirin', 5).map((h) => h.document.metadata.id)).toEqual(['a']);
    // After deleting b, statistics equal a fresh index over a and c.
    const fresh = new Bm25Index(noStem);
    fresh.addDocuments([docs[0]!, docs[2]!]);
    expect(index.search('aspirin fever', 2)[0]!.score).toBeCloseTo(fresh.search('aspirin fever', 2)[0]!.score, 12);
    index.addDocuments([{ pageContent: 'paracetamol', metadata: { id: 'a' } }]);
    expect(index.get('a')!.pageContent).toBe('paracetamol');
    expect(index.size).toBe(2);
  });

  it('generates ids for documents without one, never reusing a taken id', () => {
    const index = new Bm25Index();
    const ids = index.addDocuments([{ pageContent: 'x ray', metadata: {} }, { pageContent: 'y ray', metadata: { id: 'doc-1' } }, { pageContent: 'z ray', metadata: {} }]);
    expect(ids).toEqual(['doc-0', 'doc-1', 'doc-2']);
    expect(index.addDocuments([{ pageContent: 'w', metadata: {} }], { ids: ['custom'] })).toEqual(['custom']);
  });

  it('round-trips through bytes: same results, same later ids', () => {
    const index = new Bm25Index({ k1: 0.9, b: 0.4 });
    index.addDocuments([...docs, { pageContent: '急性喉炎可见嘶哑样咳嗽', metadata: { language: 'zh' } }]);
    index.delete({ ids: ['c'] });
    const back = Bm25Index.fromBytes(index.toBytes());
    expect(back.options).toEqual(index.options);
    for (const q of ['aspirin fever', '嘶哑样咳嗽', 'bleeding elderly']) expect(back.search(q, 5)).toEqual(index.search(q, 5));
    expect(back.addDocuments([{ pageContent: 'new', metadata: {} }])).toEqual(index.addDocuments([{ pageContent: 'new', metadata: {} }]));
    expect(Bm25Index.fromBytes(index.toBytes().slice().buffer).size).toBe(index.size);
  });

  it('rejects corrupted, truncated or foreign bytes with a SparseIndexFormatError', () => {
    const index = new Bm25Index();
    index.addDocuments(docs);
    const bytes = index.toBytes();
    const before = index.search('aspirin fever', 3);
    const flipped = bytes.slice();
    flipped[40] ^= 0xff;
    expect(() => Bm25Index.fromBytes(flipped)).toThrow(/checksum mismatch/);
    expect(() => Bm25Index.fromBytes(bytes.slice(0, bytes.length - 9))).toThrow(SparseIndexFormatError);
    expect(() => Bm25Index.fromBytes(new TextEncoder().encode('{"not":"an index at all"}'))).toThrow(/bad magic/);
    expect(() => Bm25Index.fromBytes(new Uint8Array(3))).toThrow(/too short/);
    const version = bytes.slice();
    version[7] = 9;
    expect(() => Bm25Index.fromBytes(version)).toThrow(/version/);
    // The index the bytes came from is untouched.
    expect(index.search('aspirin fever', 3)).toEqual(before);
  });

  it('rejects bad input with the field named and leaves the index as it was', () => {
    const index = new Bm25Index();
    index.addDocuments(docs);
    expect(() => index.addDocuments([{ pageContent: 'fine', metadata: { id: 'n1' } }, { pageContent: '', metadata: {} }])).toThrow(/documents\[1\]\.pageContent: is empty/);
    expect(index.has('n1')).toBe(false);
    expect(() => index.addDocuments([{ pageContent: 'the of and', metadata: {} }])).toThrow(/no index terms/);
    expect(() => index.addDocuments([{ pageContent: 'a b', metadata: { id: 'x' } }, { pageContent: 'c d', metadata: { id: 'x' } }])).toThrow(/repeated/);
    expect(() => index.addDocuments(docs, { ids: ['1'] })).toThrow(/options\.ids/);
    expect(() => index.search('', 3)).toThrow(/query: is empty/);
    expect(() => index.search('fever', 0)).toThrow(/^k: must be an integer/);
    expect(() => index.search('fever', 1.5)).toThrow(RagArgumentError);
    expect(() => index.search('fever', 3, { filter: { authority: [] } })).toThrow(/empty list/);
    expect(() => new Bm25Index({ k1: -1 })).toThrow(/options\.k1/);
    expect(() => new Bm25Index({ b: 1.5 })).toThrow(/options\.b/);
    expect(() => new Bm25Index({ b: Number.NaN })).toThrow(/options\.b/);
    expect(index.size).toBe(3);
  });
});
