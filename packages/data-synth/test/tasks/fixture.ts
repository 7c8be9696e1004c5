/** A small inline knowledge graph for the task tests (built with the package's KnowledgeGraph). */
import { KnowledgeGraph } from '../../src/kg/knowledge-graph';
import type { EntityKind, Predicate } from '../../src/kg/types';
import type { PubMedQARecord } from '../../src/tasks/types';

export function inlineGraph(): KnowledgeGraph {
  const kg = new KnowledgeGraph();
  const ent = (id: string, kind: EntityKind, name: string, extra: { zh?: string; syn?: string[]; def?: string; icd?: string } = {}) =>
    kg.addEntity({
      id,
      kind,
      name,
      language: 'en',
      synonyms: extra.syn ?? [],
      xrefs: {},
      ...(extra.zh ? { names: { zh: [extra.zh] } } : {}),
      ...(extra.def ? { definition: extra.def } : {}),
    });
  const t = (subject: string, predicate: Predicate, object: string, source = 'fixture', literal = false) =>
    kg.addTriple({ subject, predicate, object, source, authority: predicate === 'has_symptom' ? 'C' : 'A', ...(literal ? { objectIsLiteral: true } : {}) });

  ent('D:root', 'disease', 'disease', { zh: '疾病' });
  ent('D:inf', 'disease', 'infectious disease', { zh: '传染病' });
  ent('D:cv', 'disease', 'cardiovascular disease', { zh: '心血管疾病' });
  ent('D:vir', 'disease', 'viral infectious disease', { zh: '病毒性传染病' });
  ent('D:bac', 'disease', 'bacterial infectious disease', { zh: '细菌性传染病' });
  ent('D:par', 'disease', 'parasitic disease', { zh: '寄生虫病' });
  t('D:inf', 'is_a', 'D:root');
  t('D:cv', 'is_a', 'D:root');
  for (const c of ['D:vir', 'D:bac', 'D:par']) t(c, 'is_a', 'D:inf');

  const leaf = (id: string, parent: string, name: string, icd: string, extra: { zh?: string; syn?: string[]; def?: string } = {}) => {
    ent(id, 'disease', name, extra);
    t(id, 'is_a', parent);
    t(id, 'icd10_code', icd, 'fixture', true);
  };
  leaf('D:flu', 'D:vir', 'influenza', 'J11.1', { zh: '流行性感冒', syn: ['flu', 'grippe'], def: 'A viral infectious disease of the respiratory tract caused by influenza viruses.' });
  leaf('D:measles', 'D:vir', 'measles', 'B05.9', { zh: '麻疹', syn: ['rubeola'], def: 'A viral infectious disease that causes fever and a red rash.' });
  leaf('D:mumps', 'D:vir', 'mumps', 'B26.9', { zh: '流行性腮腺炎', syn: ['epidemic parotitis'] });
  leaf('D:rubella', 'D:vir', 'rubella', 'B06.9', { zh: '风疹', syn: ['German measles'] });
  leaf('D:tb', 'D:bac', 'tuberculosis', 'A15.0', { zh: '结核病', syn: ['TB'], def: 'A bacterial infectious disease caused by Mycobacterium tuberculosis.' });
  leaf('D:cholera', 'D:bac', 'cholera', 'A00.9', { zh: '霍乱' });
  leaf('D:tetanus', 'D:bac', 'tetanus', 'A35', { zh: '破伤风', syn: ['lockjaw'] });
  leaf('D:malaria', 'D:par', 'malaria', 'B54', { zh: '疟疾', syn: ['paludism'] });
  leaf('D:giardia', 'D:par', 'giardiasis', 'A07.1', { zh: '贾第虫病', syn: ['lambliasis'] });
  leaf('D:htn', 'D:cv', 'hypertension', 'I10', { zh: '高血压', syn: ['high blood pressure'] });
  leaf('D:hf', 'D:cv', 'heart failure', 'I50.9', { zh: '心力衰竭' });
  leaf('D:cad', 'D:cv', 'coronary artery disease', 'I25.10', { zh: '冠状动脉疾病' });

  // Chinese synonyms as tagged synonym triples; a second other-language name is not taken as a synonym.
  for (const [d, zh] of [['D:flu', '流感'], ['D:tb', '痨病'], ['D:htn', '高血压病']] as const) {
    kg.addTriple({ subject: d, predicate: 'synonym', object: zh, objectIsLiteral: true, objectLanguage: 'zh', source: 'fixture', authority: 'B' });
  }
  kg.addName('D:measles', 'zh', '麻疹病');
  // A disease outside the hierarchy (only random distractors possible).
  ent('D:orphan', 'disease', 'sarcoidosis', { zh: '结节病' });

  const symptoms: Record<string, [string, string]> = {
    'S:fever': ['fever', '发热'],
    'S:cough': ['cough', '咳嗽'],
    'S:rash': ['rash', '皮疹'],
    'S:headache': ['headache', '头痛'],
    'S:diarrhea': ['diarrhea', '腹泻'],
    'S:chest': ['chest pain', '胸痛'],
    'S:dyspnea': ['dyspnea', '呼吸困难'],
    'S:fatigue': ['fatigue', '乏力'],
    'S:glands': ['swollen glands', '腺体肿大'],
    'S:spasm': ['muscle spasm', '肌肉痉挛'],
  };
  for (const [id, [en, zh]] of Object.entries(symptoms)) ent(id, 'symptom', en, { zh });
  const hs: Record<string, string[]> = {
    'D:flu': ['fever', 'cough', 'headache', 'fatigue'],
    'D:measles': ['fever', 'rash', 'cough'],
    'D:mumps': ['fever', 'glands'],
    'D:rubella': ['rash', 'fever'],
    'D:tb': ['cough', 'fever', 'fatigue'],
    'D:cholera': ['diarrhea', 'fatigue'],
    'D:tetanus': ['spasm', 'fever'],
    'D:malaria': ['fever', 'headache'],
    'D:giardia': ['diarrhea', 'fatigue'],
    'D:hf': ['dyspnea', 'fatigue'],
    'D:cad': ['chest', 'dyspnea'],
  };
  for (const [d, ss] of Object.entries(hs)) for (const s of ss) t(d, 'has_symptom', `S:${s === 'chest' ? 'chest' : s}`, 'fixture-symptoms');

  const drugs: Record<string, [string, string?]> = {
    'DB:osel': ['Oseltamivir', '奥司他韦'],
    'DB:zana': ['Zanamivir'],
    'DB:apap': ['Acetaminophen', '对乙酰氨基酚'],
    'DB:inh': ['Isoniazid', '异烟肼'],
    'DB:rif': ['Rifampin'],
    'DB:amox': ['Amoxicillin', '阿莫西林'],
    'DB:cq': ['Chloroquine'],
    'DB:lis': ['Lisinopril'],
    'DB:furo': ['Furosemide'],
    'DB:metro': ['Metronidazole'],
    'DB:doxy': ['Doxycycline'],
    'DB:asa': ['Aspirin'],
    'DB:aten': ['Atenolol'],
    'DB:ibu': ['Ibuprofen'],
  };
  for (const [id, [en, zh]] of Object.entries(drugs)) ent(id, 'drug', en, zh ? { zh } : {});
  const ind: [string, Predicate, string][] = [
    ['DB:osel', 'treats', 'D:flu'],
    ['DB:zana', 'treats', 'D:flu'],
    ['DB:apap', 'symptomatic_relief', 'D:flu'],
    ['DB:amox', 'not_indication', 'D:flu'],
    ['DB:inh', 'treats', 'D:tb'],
    ['DB:rif', 'treats', 'D:tb'],
    ['DB:cq', 'treats', 'D:malaria'],
    ['DB:metro', 'treats', 'D:giardia'],
    ['DB:doxy', 'treats', 'D:cholera'],
    ['DB:lis', 'treats', 'D:htn'],
    ['DB:aten', 'treats', 'D:htn'],
    ['DB:ibu', 'not_indication', 'D:htn'],
    ['DB:furo', 'treats', 'D:hf'],
    ['DB:asa', 'treats', 'D:cad'],
  ];
  for (const [s, p, o] of ind) t(s, p, o, 'fixture-drugs');
  return kg;
}

export const PUBMEDQA_FIXTURE: Record<string, PubMedQARecord> = {
  '111': {
    QUESTION: 'Does influenza vaccination reduce hospitalisation in the elderly?',
    CONTEXTS: ['We studied 1000 elderly adults.', 'Vaccinated adults had fewer hospitalisations.'],
    LABELS: ['METHODS', 'RESULTS'],
    final_decision: 'yes',
    LONG_ANSWER: 'Influenza vaccination was associated with fewer hospitalisations.',
  },
  '222': {
    QUESTION: 'Is aspirin useful for tension headache in children?',
    CONTEXTS: ['A small trial of 40 children.'],
    final_decision: 'maybe',
    LONG_ANSWER: 'The evidence is inconclusive.',
  },
  '333': {
    QUESTION: 'Does coffee cause hypertension?',
    CONTEXTS: ['A cohort of 5000 adults followed for 10 years.'],
    final_decision: 'no',
    LONG_ANSWER: 'Coffee intake was not associated with incident hypertension.',
  },
};
