/**
 * A small inline knowledge graph for the translation tests (names from the Disease Ontology, DrugBank and
 * PharmacotherapyDB; Chinese names from ICD-10 Chinese editions). Independent of the KnowledgeGraph class.
 */
import type { Entity, Predicate, Triple } from '../../src/kg/types';
import type { TranslateKg } from '../../src/translate';

function ent(id: string, kind: Entity['kind'], name: string, zh: string | undefined, extra: Partial<Entity> = {}): Entity {
  return { id, kind, name, language: 'en', synonyms: [], xrefs: {}, ...(zh ? { names: { zh: [zh] } } : {}), ...extra };
}

export const ENTITIES: Entity[] = [
  ent('DOID:9352', 'disease', 'type 2 diabetes mellitus', '2型糖尿病', {
    synonyms: ['non-insulin-dependent diabetes mellitus', 'adult-onset diabetes'],
    xrefs: { ICD10CM: ['E11'] },
    definition: 'A diabetes mellitus that is characterized by high blood sugar, insulin resistance, and relative lack of insulin.',
  }),
  ent('DOID:9351', 'disease', 'diabetes mellitus', '糖尿病', { xrefs: { ICD10CM: ['E08-E13'] } }),
  ent('DOID:1498', 'disease', 'cholera', '霍乱', { xrefs: { ICD10CM: ['A00'] } }),
  ent('DOID:0050338', 'disease', 'primary bacterial infectious disease', '原发性细菌性传染病'),
  ent('DOID:8469', 'disease', 'influenza', '流行性感冒', { synonyms: ['flu'] }),
  ent('DOID:8398', 'disease', 'osteoarthritis', '骨关节炎'),
  ent('DOID:10652', 'disease', "Alzheimer's disease", '阿尔茨海默病'),
  ent('DB00331', 'drug', 'Metformin', '二甲双胍'),
  ent('DB01050', 'drug', 'Ibuprofen', '布洛芬'),
  ent('DB01060', 'drug', 'Amoxicillin', '阿莫西林'),
  ent('DB00843', 'drug', 'Donepezil', '多奈哌齐'),
  ent('DB01016', 'drug', 'Glyburide', undefined),
  ent('SYMP:0000570', 'symptom', 'polyuria', '多尿'),
  ent('SYMP:0000613', 'symptom', 'fever', '发热'),
  ent('SYMP:0000599', 'symptom', 'cough', '咳嗽'),
  ent('DOID:0000000', 'disease', 'obsolete disease term', '废弃术语', { obsolete: true }),
];

export const BY_ID = new Map(ENTITIES.map((e) => [e.id, e]));

/** The minimal fake graph the translator needs. */
export const KG: TranslateKg = { entity: (id) => BY_ID.get(id) };

function t(subject: string, predicate: Predicate, object: string, extra: Partial<Triple> = {}): Triple {
  return { subject, predicate, object, source: 'test', authority: 'A', ...extra };
}

/** One triple per predicate that renders in English. */
export const EN_TRIPLES: Record<Predicate, Triple> = {
  is_a: t('DOID:9352', 'is_a', 'DOID:9351', { source: 'doid.obo' }),
  synonym: t('DOID:9352', 'synonym', 'non-insulin-dependent diabetes mellitus', { objectIsLiteral: true, objectLanguage: 'en', source: 'doid.obo' }),
  icd10_code: t('DOID:9352', 'icd10_code', 'E11', { objectIsLiteral: true, source: 'doid.obo' }),
  has_symptom: t('DOID:8469', 'has_symptom', 'SYMP:0000613', { source: 'disease-symptom.tsv', authority: 'B' }),
  treats: t('DB00331', 'treats', 'DOID:9352', { source: 'pharmacotherapydb' }),
  symptomatic_relief: t('DB01050', 'symptomatic_relief', 'DOID:8398', { source: 'pharmacotherapydb' }),
  not_indication: t('DB01060', 'not_indication', 'DOID:8469', { source: 'pharmacotherapydb' }),
  definition: t(
    'DOID:9352',
    'definition',
    'A diabetes mellitus that is characterized by high blood sugar, insulin resistance, and relative lack of insulin.',
    { objectIsLiteral: true, objectLanguage: 'en', source: 'doid.obo' },
  ),
  translation: t('DOID:1498', 'translation', '霍乱', { objectIsLiteral: true, objectLanguage: 'zh', source: 'icd10_cn' }),
};

/** One triple per predicate that renders in Chinese. */
export const ZH_TRIPLES: Record<Predicate, Triple> = {
  ...EN_TRIPLES,
  synonym: t('DOID:9352', 'synonym', '非胰岛素依赖型糖尿病', { objectIsLiteral: true, objectLanguage: 'zh', source: 'manual' }),
  icd10_code: t('DOID:1498', 'icd10_code', 'ICD10CM:A00.9', { source: 'icd10cm_order_FY2022' }),
  definition: t('DOID:1498', 'definition', '由霍乱弧菌引起的急性肠道传染病。', { objectIsLiteral: true, objectLanguage: 'zh', source: 'manual', authority: 'C' }),
};

/** A richer triple set about type 2 diabetes, for entity cards and selection. */
export const T2DM_TRIPLES: Triple[] = [
  EN_TRIPLES.definition,
  EN_TRIPLES.is_a,
  EN_TRIPLES.synonym,
  t('DOID:9352', 'synonym', 'adult-onset diabetes', { objectIsLiteral: true, objectLanguage: 'en', source: 'doid.obo' }),
  EN_TRIPLES.icd10_code,
  t('DOID:9352', 'has_symptom', 'SYMP:0000570', { source: 'disease-symptom.tsv', authority: 'B' }),
  EN_TRIPLES.treats,
  t('DB01016', 'treats', 'DOID:9352', { source: 'pharmacotherapydb', authority: 'C' }),
  t('DOID:9352', 'translation', '2型糖尿病', { objectIsLiteral: true, objectLanguage: 'zh', source: 'icd10_cn' }),
];
