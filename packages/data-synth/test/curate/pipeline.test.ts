import { describe, expect, it } from 'vitest';
import { CurateInputError } from '../../src/curate/errors';
import { curate, type Doc } from '../../src/curate/pipeline';
import { changeWords, shippedParagraphs } from './helpers';

const en = shippedParagraphs('pubmedqa-abstracts.en.txt');
const zh = shippedParagraphs('cmexam-explanations.zh.txt');

function docs(): Doc[] {
  const out: Doc[] = [];
  en.slice(0, 30).forEach((text, i) => out.push({ id: `en-${i}`, text, source: 'pubmedqa', authority: 'B', meta: { pmidIndex: i } }));
  zh.slice(0, 30).forEach((text, i) => out.push({ id: `zh-${i}`, text, source: 'cmexam', authority: 'C', language: 'zh' }));
  // An exact duplicate (up to width/spacing) from a lower-authority source, listed first.
  out.unshift({ id: 'dup-exact', text: `  ${en[3]!.toUpperCase()}\u200B `, source: 'web', authority: 'E' });
  // A near duplicate of en[5] from a higher-authority source, listed after it.
  out.push({ id: 'dup-near', text: changeWords(en[5]!, 2, 1), source: 'guideline', authority: 'A' });
  out.push({ id: 'short', text: 'Too short.', source: 'web', authority: 'E' });
  out.push({ id: 'empty', text: ' \u200B ', source: 'web', authority: 'E' });
  out.push({ id: 'de', text: 'Die Cholera ist eine Infektionskrankheit des Dünndarms, verursacht durch das Bakterium Vibrio cholerae.', source: 'web', authority: 'D' });
  return out;
}

describe('curate', () => {
  it('normalises, filters, deduplicates and reports counts per stage, source and authority', async () => {
    const input = docs();
    const { kept, report } = await curate(input);
    expect(report.input).toBe(input.length);
    expect(report.dropped.empty).toBe(1);
    expect(report.dropped['min-chars']).toBe(1);
    expect(report.dropped.language).toBe(1);
    expect(report.dropped['exact-duplicate']).toBe(1);
    expect(report.dropped['near-duplicate']).toBe(1);
    expect(report.kept).toBe(60);
    expect(kept.length).toBe(60);
    // Authority decides which duplicate stays: the B original over the E copy, the A rewrite over the B original.
    const ids = kept.map((d) => d.id);
    expect(ids).toContain('en-3');
    expect(ids).not.toContain('dup-exact');
    expect(ids).toContain('dup-near');
    expect(ids).not.toContain('en-5');
    expect(report.examples).toEqual([
      { dropped: 'dup-exact', keptInstead: 'en-3', reason: 'exact-duplicate' },
      expect.objectContaining({ dropped: 'en-5', keptInstead: 'dup-near', reason: 'near-duplicate' }),
    ]);
    expect(report.bySource.pubmedqa).toEqual({ input: 30, kept: 29 });
    expect(report.bySource.web).toEqual({ input: 4, kept: 0 });
    expect(report.byAuthority.A).toEqual({ input: 1, kept: 1 });
    expect(report.byLanguage.zh!.kept).toBe(30);
    expect(report.nearDedup).toMatchObject({ clusters: 1, params: { bands: 14, rows: 9 }, threshold: 0.8 });
  });

  it('carries metadata through, fills the detected language and keeps input order', async () => {
    const { kept } = await curate(docs());
    const e0 = kept.find((d) => d.id === 'en-0')!;
    expect(e0).toMatchObject({ source: 'pubmedqa', authority: 'B', language: 'en', meta: { pmidIndex: 0 } });
    const order = kept.map((d) => d.id);
    expect(order.indexOf('en-0')).toBeLessThan(order.indexOf('zh-0'));
    expect(order[order.length - 1]).toBe('dup-near');
  });

  it("keep: 'first' keeps the earliest duplicate whatever its authority", async () => {
    const { kept } = await curate(docs(), { keep: 'first' });
    const ids = kept.map((d) => d.id);
    expect(ids).toContain('dup-exact');
    expect(ids).not.toContain('en-3');
    expect(ids).toContain('en-5');
    expect(ids).not.toContain('dup-near');
  });

  it('accepts an async iterable and stages can be turned off', async () => {
    async function* gen(): AsyncGenerator<Doc> {
      for (const d of docs()) yield d;
    }
    const { report } = await curate(gen(), { quality: false, nearDedup: false, exactDedup: false });
    expect(report.kept).toBe(report.input - 1); // only the empty text goes
    expect(report.nearDedup).toBeUndefined();
  });

  it('is deterministic', async () => {
    const a = await curate(docs(), { nearDedup: { seed: 5, threshold: 0.7 } });
    const b = await curate(docs(), { nearDedup: { seed: 5, threshold: 0.7 } });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });

  it('rejects a malformed document naming its index and field', async () => {
    await expect(curate([{ id: 'x', text: 'hello there', source: 's', authority: 'Z' as 'A' }])).rejects.toThrow(CurateInputError);
    await expect(curate([{ id: 'x', text: 3 as unknown as string, source: 's', authority: 'A' }])).rejects.toThrow(/docs\[0\] \(x\)\.text must be a string/);
  });
});
