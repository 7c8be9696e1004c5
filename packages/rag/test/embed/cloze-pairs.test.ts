import { describe, expect, it } from 'vitest';
import { clozeUnits, corpusClozePairs, type CorpusDoc } from '../../scripts/embedder-data';

const docs: CorpusDoc[] = [
  { group: 'cmexam:0', pool: 'cmexam', text: '嘶哑样咳嗽可见于急性喉炎（A对），由于声带炎症所致。声带疾患、百日咳表现为鸡鸣样咳嗽。胸膜炎患者咳嗽声音低微或无力。' },
  { group: 'cmexam:1', pool: 'cmexam', text: '保元汤功效益气温阳，适用于阳虚气弱之证（C对）。桂枝甘草汤主治发汗过多（A错）。人参养荣丸主治心脾气血两虚证（B错）。' },
  { group: 'pubmedqa:1', pool: 'pubmedqa', text: 'Aspirin lowers the risk of stroke, in some patients. It raises the risk of bleeding. The effect is small.' },
];

describe('inverse-cloze pairs (embedder training data)', () => {
  it('without options: each query is one cloze unit and its passage is the document without it, at most perDoc per document', () => {
    const pairs = corpusClozePairs(docs, 2, 1);
    expect(pairs).toHaveLength(6);
    for (const p of pairs) {
      const d = docs.find((x) => x.group === p.group)!;
      const units = clozeUnits(d.text);
      expect(units).toContain(p.query);
      const sep = d.pool === 'cmexam' ? '' : ' ';
      expect(p.passage).toBe(units.filter((u) => u !== p.query).join(sep));
    }
    expect(new Set(pairs.map((p) => `${p.group}|${p.query}`)).size).toBe(pairs.length);
  });

  it('is deterministic for a seed and draws other units for another seed', () => {
    expect(corpusClozePairs(docs, 2, 1)).toEqual(corpusClozePairs(docs, 2, 1));
    const many = [1, 2, 3, 4, 5].map((s) => corpusClozePairs(docs, 1, s).map((p) => p.query).join('|'));
    expect(new Set(many).size).toBeGreaterThan(1);
  });

  it('clausePools adds comma clauses as queries for those pools only, each cut out of its passage', () => {
    const pairs = corpusClozePairs(docs, 50, 3, { clausePools: ['cmexam'] });
    const units = new Set(docs.flatMap((d) => clozeUnits(d.text)));
    const clausePairs = pairs.filter((p) => !units.has(p.query));
    expect(clausePairs.length).toBeGreaterThan(0);
    for (const p of clausePairs) {
      expect(p.group.startsWith('cmexam:')).toBe(true);
      expect(p.query.length).toBeGreaterThanOrEqual(6);
      expect(docs.find((d) => d.group === p.group)!.text).toContain(p.query);
      expect(p.passage).not.toContain(p.query);
    }
    // English documents keep whole sentences.
    for (const p of pairs.filter((x) => x.group.startsWith('pubmedqa:'))) expect(units.has(p.query)).toBe(true);
  });

  it('keep = 1 leaves the query in the passage; keep = 0 never does', () => {
    for (const p of corpusClozePairs(docs, 3, 1, { keep: 1 })) expect(p.passage).toContain(p.query);
    for (const p of corpusClozePairs(docs, 3, 1, { keep: 0 })) expect(p.passage).not.toContain(p.query);
  });
});
