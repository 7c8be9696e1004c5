import { describe, expect, it } from 'vitest';
import { IssueCollector, KnowledgeGraph, chapterOf, loadIcd10cm, readIcd10cmChapters, readIcd10cmOrder, splitLines } from '../../src/kg/index';

const TAB = [
  'order_number\ticd10cm_code\tvalid_billing_code\ticd10cm_short_description\ticd10cm_long_description\tpoa_exempt\tchronic_indicator\r',
  '1\tA00\t0\tCholera\tCholera\t\t\r',
  '2\tA000\t1\tCholera due to Vib cholerae 01, biovar cholerae\tCholera due to Vibrio cholerae 01, biovar cholerae\tN\tA\r',
  '3\tA009\t1\tCholera, unspecified\tCholera, unspecified\tN\tA\r',
  '4\tE11\t0\tType 2 diabetes mellitus\tType 2 diabetes mellitus\t\t\r',
  '5\tE119\t1\tType 2 diabetes mellitus without complications\tType 2 diabetes mellitus without complications\tN\tC\r',
  '6\tE11\t0\tdup\tdup\t\t\r',
  '7\t1234\t1\tbad code\tbad code\t\t\r',
  '8\tE118\t2\tbad flag\tbad flag\t\t\r',
  '9\tE117\r',
  '10\tE1165\t1\tT2DM w hyperglycemia\tType 2 diabetes mellitus with hyperglycemia\tN\tC\r',
];

const pad = (s: string, n: number): string => s.padEnd(n, ' ');
const FIXED = [
  `00001 ${pad('A00', 7)} 0 ${pad('Cholera', 60)} Cholera`,
  `00002 ${pad('A000', 7)} 1 ${pad('Cholera due to Vibrio cholerae 01, biovar cholerae', 60)} Cholera due to Vibrio cholerae 01, biovar cholerae`,
  'garbage line',
  `00004 ${pad('A009', 7)} 1 ${pad('Cholera, unspecified', 60)} Cholera, unspecified`,
];

describe('ICD-10-CM order file', () => {
  it('reads the tab layout, reporting malformed rows at their line', async () => {
    const issues = new IssueCollector('order.tsv');
    const recs = [];
    for await (const r of readIcd10cmOrder(TAB, issues)) recs.push(r);
    expect(recs.map((r) => [r.line, r.code, r.billable])).toEqual([
      [2, 'A00', false],
      [3, 'A000', true],
      [4, 'A009', true],
      [5, 'E11', false],
      [6, 'E119', true],
      [11, 'E1165', true],
    ]);
    expect(recs[1]).toMatchObject({ shortTitle: 'Cholera due to Vib cholerae 01, biovar cholerae', longTitle: 'Cholera due to Vibrio cholerae 01, biovar cholerae', poaExempt: 'N', chronic: 'A' });
    expect(issues.issues.map((i) => [i.line, i.message])).toEqual([
      [7, 'duplicate code E11'],
      [8, 'icd10cm_code "1234" is not an ICD-10-CM code'],
      [9, 'valid_billing_code must be 0 or 1, got "2"'],
      [10, 'expected at least 5 tab-separated fields, got 2'],
    ]);
  });

  it('reads the fixed-width layout', async () => {
    const issues = new IssueCollector('order.txt');
    const recs = [];
    for await (const r of readIcd10cmOrder(FIXED, issues)) recs.push(r);
    expect(recs.map((r) => [r.code, r.billable, r.shortTitle])).toEqual([
      ['A00', false, 'Cholera'],
      ['A000', true, 'Cholera due to Vibrio cholerae 01, biovar cholerae'],
      ['A009', true, 'Cholera, unspecified'],
    ]);
    expect(issues.issues.map((i) => i.line)).toEqual([3]);
  });

  it('loads code entities with hierarchy, chapters and dotted ids; xref lookup ignores the dot', async () => {
    const { chapters, issues } = await readIcd10cmChapters(splitLines('chapter_num\tchapter_abbr\tchapter_desc\tcode_start\tcode_end\n1\tINF\tCertain infectious and parasitic diseases\tA00\tB99\n4\tMETAB\tEndocrine, nutritional and metabolic diseases\tE00\tE89\nx\tbad\n'));
    expect(issues.map((i) => i.line)).toEqual([4]);
    expect(chapterOf('E11.9', chapters)?.num).toBe(4);
    const kg = new KnowledgeGraph();
    const r = await loadIcd10cm(kg, TAB, { chapters, source: 'icd' });
    expect(r.issues).toHaveLength(4);
    const e = kg.entity('ICD10CM:E11.9');
    expect(e).toMatchObject({ kind: 'code', name: 'Type 2 diabetes mellitus without complications', attributes: { billable: true, chapter: 4 } });
    expect(kg.parents('ICD10CM:E11.65')).toEqual(['ICD10CM:E11']); // E116 not loaded: nearest loaded prefix
    expect(kg.ancestors('ICD10CM:E11.9')).toEqual(['ICD10CM:E11', 'ICD10CM_CHAPTER:4']);
    expect(kg.siblings('ICD10CM:E11.9')).toEqual(['ICD10CM:E11.65']);
    expect(kg.siblings('ICD10CM:A00.0')).toEqual(['ICD10CM:A00.9']);
    for (const q of ['E11.9', 'E119', 'e11.9', ' E119 ']) expect(kg.byXref('ICD10CM', q).map((x) => x.id)).toEqual(['ICD10CM:E11.9']);
    expect(kg.byXref('icd-10-cm', 'E119').map((x) => x.id)).toEqual(['ICD10CM:E11.9']);
  });
});
