import { describe, expect, it } from 'vitest';
import { KnowledgeGraph, loadDiseaseSymptoms, loadIcd10Cn, loadIcd10cm, loadObo, loadPharmacotherapyDb, splitLines } from '../../src/kg/index';

async function base(): Promise<KnowledgeGraph> {
  const kg = new KnowledgeGraph();
  await loadIcd10cm(kg, ['order_number\ticd10cm_code\tvalid_billing_code\ticd10cm_short_description\ticd10cm_long_description', '1\tA00\t0\tCholera\tCholera', '2\tE11\t0\tType 2 diabetes mellitus\tType 2 diabetes mellitus', '3\tE119\t1\tT2DM\tType 2 diabetes mellitus without complications']);
  await loadObo(kg, splitLines('[Term]\nid: DOID:9352\nname: type 2 diabetes mellitus\nxref: ICD10CM:E11\n\n[Term]\nid: DOID:1498\nname: cholera\nxref: ICD10CM:A00.9\n'));
  return kg;
}

describe('PharmacotherapyDB', () => {
  it('maps DM/SYM/NOT to treats/symptomatic_relief/not_indication and reports bad rows', async () => {
    const kg = await base();
    const tsv = [
      'doid_id\tdrugbank_id\tdisease\tdrug\tcategory\tn_curators\tn_resources',
      'DOID:9352\tDB00331\ttype 2 diabetes mellitus\tMetformin\tDM\t1\t4',
      'DOID:9352\tDB00945\ttype 2 diabetes mellitus\tAspirin\tSYM\t1\t1',
      'DOID:9352\tDB01050\ttype 2 diabetes mellitus\tIbuprofen\tNOT\t1\t1',
      'DOID:9352\tXX1\ttype 2 diabetes mellitus\tBad\tDM\t1\t1',
      'DOID:9352\tDB00002\ttype 2 diabetes mellitus\tOdd\tMAYBE\t1\t1',
      'DOID:9352\tDB00003\ttoo few',
    ];
    const r = await loadPharmacotherapyDb(kg, tsv, { file: 'ind.tsv' });
    expect(r.issues.map((i) => i.line)).toEqual([5, 6, 7]);
    expect(r.issues[0]?.message).toMatch(/drugbank_id/);
    expect(r.issues[1]?.message).toMatch(/category must be DM, SYM or NOT/);
    expect(kg.triples({ object: 'DOID:9352' }).map((t) => [t.subject, t.predicate, t.authority])).toEqual([
      ['DB00331', 'treats', 'B'],
      ['DB00945', 'symptomatic_relief', 'B'],
      ['DB01050', 'not_indication', 'B'],
    ]);
    expect(kg.entity('DB00331')).toMatchObject({ kind: 'drug', name: 'Metformin' });
    expect(kg.entities('drug')).toHaveLength(3);
  });
});

describe('disease–symptom pairs', () => {
  it('adds has_symptom triples and symptom entities; checks ids', async () => {
    const kg = await base();
    const r = await loadDiseaseSymptoms(kg, ['disease_id\tdisease_label\tsymptom_id\tsymptom_label', 'DOID:9352\ttype 2 diabetes mellitus\tSYMP:0000686\tpolyuria', 'DOID:9352\ttype 2 diabetes mellitus\tSYMP:X\tbad', 'DOID:1498\tcholera\tSYMP:0000570\tdiarrhea']);
    expect(r.issues).toEqual([{ file: '<input>', line: 3, message: 'symptom_id must look like SYMP:0000001, got "SYMP:X"' }]);
    expect(kg.triples({ subject: 'DOID:9352', predicate: 'has_symptom' }).map((t) => t.object)).toEqual(['SYMP:0000686']);
    expect(kg.entity('SYMP:0000570')).toMatchObject({ kind: 'symptom', name: 'diarrhea' });
    expect(kg.triples({ predicate: 'has_symptom' })[0]?.authority).toBe('C');
    expect(kg.byName('Diarrhea').map((e) => e.id)).toEqual(['SYMP:0000570']);
  });
});

describe('ICD-10 Chinese names', () => {
  it('attaches names.zh and translation triples to the code and exact-xref diseases', async () => {
    const kg = await base();
    const r = await loadIcd10Cn(kg, ['code\tdisease', 'A00\t霍乱', 'E11\t非胰岛素依赖型糖尿病', 'D63*\t分类于他处的慢性疾病引起的贫血', 'Z9\t坏', 'B01\t', 'X99\t无匹配'], { file: 'cn.tsv' });
    expect(r.issues.map((i) => [i.line, i.message])).toEqual([
      [5, 'code must be a 3-character ICD-10 code, got "Z9"'],
      [6, 'empty Chinese name for B01'],
    ]);
    expect(r.skipped).toBe(2); // D63 and X99 are not in this graph
    expect(kg.entity('ICD10CM:A00')?.names?.zh).toEqual(['霍乱']);
    // cholera's DO xref is A00.9, not the category: no Chinese name for the disease
    expect(kg.entity('DOID:1498')?.names?.zh).toBeUndefined();
    expect(kg.entity('DOID:9352')?.names?.zh).toEqual(['非胰岛素依赖型糖尿病']);
    expect(kg.triples({ subject: 'DOID:9352', predicate: 'translation' })).toEqual([
      { subject: 'DOID:9352', predicate: 'translation', object: '非胰岛素依赖型糖尿病', objectIsLiteral: true, objectLanguage: 'zh', source: 'icd10_cn', authority: 'C' },
    ]);
    expect(kg.byName('霍乱').map((e) => e.id)).toEqual(['ICD10CM:A00']);
  });
});
