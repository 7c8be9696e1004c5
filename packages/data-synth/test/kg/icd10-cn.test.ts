/**
 * ICD-10 Chinese names go to the ICD-10-CM category always, and to a cross-referenced Disease Ontology disease
 * only when the mapping is unambiguous (see `loadIcd10Cn`): no grouping term named after one of its members.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ICD10_CN_MIN_TITLE_SIMILARITY, titleSimilarity, titleTokens } from '../../src/kg/icd10-cn';
import { KnowledgeGraph, loadIcd10Cn, loadIcd10cm, loadObo, splitLines } from '../../src/kg/index';
import { buildMedicalKg } from '../../src/node/index';

const ICD_HEADER = 'order_number\ticd10cm_code\tvalid_billing_code\ticd10cm_short_description\ticd10cm_long_description';
const ICD_ROWS: [string, string][] = [
  ['A94', 'Unspecified arthropod-borne viral fever'],
  ['B05', 'Measles'],
  ['B34', 'Viral infection of unspecified site'],
  ['B54', 'Unspecified malaria'],
  ['E10', 'Type 1 diabetes mellitus'],
  ['E11', 'Type 2 diabetes mellitus'],
  ['G20', 'Parkinson disease'],
  ['I70', 'Atherosclerosis'],
  ['M32', 'Systemic lupus erythematosus (SLE)'],
];
const OBO = `[Term]
id: DOID:934
name: viral infectious disease
xref: ICD10CM:A94
xref: ICD10CM:B34

[Term]
id: DOID:8622
name: measles
is_a: DOID:934
xref: ICD10CM:B05
xref: ICD10CM:B05.9

[Term]
id: DOID:12365
name: malaria
xref: ICD10CM:B54

[Term]
id: DOID:9351
name: diabetes mellitus
xref: ICD10CM:E08-E13
xref: ICD10CM:E11

[Term]
id: DOID:9352
name: type 2 diabetes mellitus
is_a: DOID:9351
xref: ICD10CM:E11

[Term]
id: DOID:9744
name: type 1 diabetes mellitus
is_a: DOID:9351
xref: ICD10CM:E10

[Term]
id: DOID:14330
name: Parkinson's disease
xref: ICD10CM:G20

[Term]
id: DOID:99901
name: Parkinson disease
is_a: DOID:14330
xref: ICD10CM:G20

[Term]
id: DOID:2349
name: arteriosclerosis
xref: ICD10CM:I70

[Term]
id: DOID:1936
name: atherosclerosis
is_a: DOID:2349
xref: ICD10CM:I25.1
xref: ICD10CM:I70

[Term]
id: DOID:9074
name: systemic lupus erythematosus
xref: ICD10CM:M32
`;
const CN = [
  'code\tdisease',
  'A94\t未特指的节肢动物媒介的病毒性发热',
  'B05\t麻疹',
  'B34\t未特指部位的病毒性感染',
  'B54\t未特指的疟疾',
  'E10\t胰岛素依赖型糖尿病',
  'E11\t非胰岛素依赖型糖尿病',
  'G20\t帕金森病',
  'I70\t动脉粥样硬化',
  'M32\t系统性红斑狼疮',
];

async function graph(withIcd = true): Promise<KnowledgeGraph> {
  const kg = new KnowledgeGraph();
  if (withIcd) await loadIcd10cm(kg, [ICD_HEADER, ...ICD_ROWS.map(([c, t], i) => `${i + 1}\t${c}\t0\t${t}\t${t}`)]);
  await loadObo(kg, splitLines(OBO), { kind: 'disease' });
  return kg;
}

const zh = (kg: KnowledgeGraph, id: string): string[] | undefined => kg.entity(id)?.names?.zh;

/** Every DO disease whose Chinese names overlap those of an `is_a` parent. */
function sharedWithParent(kg: KnowledgeGraph): string[] {
  const out: string[] = [];
  for (const d of kg.entities('disease')) {
    const own = d.names?.zh ?? [];
    for (const p of kg.parents(d.id)) if (own.some((n) => (kg.entity(p)?.names?.zh ?? []).includes(n))) out.push(`${d.id} ~ ${p}`);
  }
  return out;
}

describe('titleTokens / titleSimilarity', () => {
  it('normalises case, function words, disease/disorder, possessives and plurals', () => {
    expect([...titleTokens("Parkinson's Disease")]).toEqual(['parkinson']);
    expect([...titleTokens('Viral infections of unspecified site')]).toEqual(['viral', 'infection', 'unspecified', 'site']);
    expect([...titleTokens('Sickle-cell disorders')]).toEqual(['sickle', 'cell']);
    expect(titleSimilarity('type 2 diabetes mellitus', 'Type 2 diabetes mellitus')).toBe(1);
    expect(titleSimilarity("Parkinson's disease", 'Parkinson disease')).toBe(1);
  });

  it('gives the Dice coefficient of the token sets', () => {
    expect(titleSimilarity('diabetes mellitus', 'Type 2 diabetes mellitus')).toBeCloseTo(4 / 6, 12);
    expect(titleSimilarity('viral infectious disease', 'Unspecified arthropod-borne viral fever')).toBeCloseTo(2 / 7, 12);
    expect(titleSimilarity('malaria', 'Unspecified malaria')).toBeCloseTo(2 / 3, 12);
    expect(titleSimilarity('measles', 'cholera')).toBe(0);
    expect(titleSimilarity('', 'Measles')).toBe(0);
    expect(titleSimilarity('of the', 'of the')).toBe(0);
    // the default threshold rejects "one specifying word short" of a short title
    expect(titleSimilarity('mitral valve disease', 'Rheumatic mitral valve diseases')).toBeLessThan(ICD10_CN_MIN_TITLE_SIMILARITY);
  });
});

describe('loadIcd10Cn attaches a category name to a DO disease only when unambiguous', () => {
  let kg: KnowledgeGraph;
  beforeAll(async () => {
    kg = await graph();
    const r = await loadIcd10Cn(kg, CN, { file: 'cn.tsv' });
    expect(r.issues).toEqual([]);
    expect(r.skipped).toBe(0); // every category is in the graph
  });

  it('always names the ICD-10-CM categories', () => {
    for (const line of CN.slice(1)) {
      const [code, name] = line.split('\t') as [string, string];
      expect(zh(kg, `ICD10CM:${code}`), code).toEqual([name]);
    }
  });

  it('does not name a grouping term after one of its members (measles’ parent, diabetes mellitus)', () => {
    expect(zh(kg, 'DOID:934')).toBeUndefined(); // viral infectious disease: A94 and B34
    expect(kg.triples({ subject: 'DOID:934', predicate: 'translation' })).toEqual([]);
    expect(zh(kg, 'DOID:9351')).toBeUndefined(); // diabetes mellitus: E08-E13 and E11
    expect(kg.byName('非胰岛素依赖型糖尿病').map((e) => e.id).sort()).toEqual(['DOID:9352', 'ICD10CM:E11']);
  });

  it('names unambiguous diseases', () => {
    expect(zh(kg, 'DOID:8622')).toEqual(['麻疹']); // measles: B05 (+ its subcode B05.9)
    expect(zh(kg, 'DOID:9352')).toEqual(['非胰岛素依赖型糖尿病']);
    expect(zh(kg, 'DOID:9744')).toEqual(['胰岛素依赖型糖尿病']);
    expect(zh(kg, 'DOID:9074')).toEqual(['系统性红斑狼疮']); // matched without the "(SLE)"
    expect(kg.triples({ subject: 'DOID:9352', predicate: 'translation' })).toEqual([
      { subject: 'DOID:9352', predicate: 'translation', object: '非胰岛素依赖型糖尿病', objectIsLiteral: true, objectLanguage: 'zh', source: 'icd10_cn', authority: 'C' },
    ]);
  });

  it('skips residual categories, titles that disagree, and diseases beyond one category', () => {
    expect(zh(kg, 'DOID:12365')).toBeUndefined(); // malaria ↔ "Unspecified malaria"
    expect(zh(kg, 'DOID:2349')).toBeUndefined(); // arteriosclerosis ↔ "Atherosclerosis": titles disagree
    expect(zh(kg, 'DOID:1936')).toBeUndefined(); // atherosclerosis: I70 and I25.1
  });

  it('on a tie keeps only the most general disease', () => {
    expect(zh(kg, 'DOID:14330')).toEqual(['帕金森病']);
    expect(zh(kg, 'DOID:99901')).toBeUndefined();
  });

  it('never gives a parent and its child the same Chinese name', () => {
    expect(sharedWithParent(kg)).toEqual([]);
  });

  it('names no disease without the ICD-10-CM category to check the title against', async () => {
    const bare = await graph(false);
    const r = await loadIcd10Cn(bare, CN);
    expect(r.skipped).toBe(CN.length - 1);
    expect(r.triples).toBe(0);
    expect(bare.entities('disease').filter((e) => e.names?.zh)).toEqual([]);
  });

  it('takes the threshold as an option', async () => {
    const loose = await graph();
    await loadIcd10Cn(loose, CN, { minTitleSimilarity: 0.2 });
    expect(zh(loose, 'DOID:2349')).toBeUndefined(); // 0 overlap still fails
    const strict = await graph();
    await loadIcd10Cn(strict, ['code\tdisease', 'E11\t非胰岛素依赖型糖尿病', 'B05\t麻疹'], { minTitleSimilarity: 1.01 });
    expect(zh(strict, 'DOID:9352')).toBeUndefined();
    expect(zh(strict, 'ICD10CM:E11')).toEqual(['非胰岛素依赖型糖尿病']);
  });
});

function checkShipped(kg: KnowledgeGraph): void {
  expect(sharedWithParent(kg)).toEqual([]);
  // no two DO diseases share a Chinese name from this source
  const owner = new Map<string, string>();
  for (const d of kg.entities('disease')) {
    for (const n of d.names?.zh ?? []) {
      expect(owner.get(n), `${n}: ${owner.get(n)} and ${d.id}`).toBeUndefined();
      owner.set(n, d.id);
    }
  }
  expect(zh(kg, 'DOID:934')).toBeUndefined();
  expect(zh(kg, 'DOID:9351')).toBeUndefined();
  expect(zh(kg, 'DOID:9352')).toEqual(['非胰岛素依赖型糖尿病']);
  expect(zh(kg, 'DOID:9744')).toEqual(['胰岛素依赖型糖尿病']);
  expect(zh(kg, 'DOID:8622')).toEqual(['麻疹']);
  expect(zh(kg, 'ICD10CM:A94')).toEqual(['未特指的节肢动物媒介的病毒性发热']);
  expect(zh(kg, 'ICD10CM:E11')).toEqual(['非胰岛素依赖型糖尿病']);
  // e.g. AIDS (B20, child of HIV disease, B20) and nephritis (N05, N08) got their relatives' names before
  expect(zh(kg, 'DOID:635')).toBeUndefined();
  expect(zh(kg, 'DOID:10952')).toBeUndefined();
}

describe('Chinese names in the shipped subset', () => {
  it('are unambiguous: measles’ parent and diabetes mellitus unnamed, T1DM/T2DM/measles named', async () => {
    const { kg, issues } = await buildMedicalKg();
    expect(issues).toEqual([]);
    checkShipped(kg);
    expect(kg.entities('disease').filter((e) => e.names?.zh).length).toBeGreaterThan(50);
  });
});

const KG_DIR = join(__dirname, '../../../../../shared/data/kg');
describe.skipIf(!existsSync(join(KG_DIR, 'icd10_cn/disease.csv')))('Chinese names in the full data (../shared/data/kg)', () => {
  it('are unambiguous', async () => {
    const { kg } = await buildMedicalKg({ dir: KG_DIR, sources: ['icd10cmChapters', 'icd10cm', 'do', 'icd10cn'] });
    checkShipped(kg);
  }, 60_000);
});
