import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Doc } from '@quarkmed/data-synth';
import { curate, translateEntityCards, type CurateReport } from '@quarkmed/data-synth';
import { buildMedicalKg } from '@quarkmed/data-synth/node';

/** The shipped, attributed medical text (see data/medical-text/README.md). */
export const MEDICAL_TEXT_DIR = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..', '..', '..', 'data', 'medical-text');

/** Paragraphs of the shipped English (PubMedQA) and Chinese (CMExam) medical text, as curation documents. */
export function loadMedicalText(dir = MEDICAL_TEXT_DIR): Doc[] {
  const files = [
    { file: 'pubmedqa-abstracts.en.txt', source: 'pubmedqa', language: 'en' as const },
    { file: 'cmexam-explanations.zh.txt', source: 'cmexam', language: 'zh' as const },
  ];
  return files.flatMap(({ file, source, language }) =>
    readFileSync(join(dir, file), 'utf8')
      .split(/\n\s*\n/)
      .map((p) => p.trim())
      .filter((p) => p.length > 0)
      .map((text, i) => ({ id: `${source}-${i}`, text, source, authority: 'C' as const, language })),
  );
}

/** The pre-training corpus of the quickstart and how it was made. */
export interface QuickstartCorpus {
  docs: Doc[];
  report: CurateReport;
  kgStats: { entities: number; triples: number; cards: number };
}

/**
 * Stage-1 data of the recipe, at quickstart scale: the shipped knowledge-graph subset (Disease Ontology, ICD-10-CM,
 * PharmacotherapyDB, disease–symptom pairs, Chinese ICD names) translated into English and Chinese entity cards
 * with seeded templates, plus the shipped medical text, curated (normalisation, quality filters, exact and MinHash
 * near-duplicate removal, authority kept).
 */
export async function buildQuickstartCorpus(seed: number): Promise<QuickstartCorpus> {
  const { kg } = await buildMedicalKg();
  const triples = kg.triples();
  const diseases = kg.entities('disease').map((e) => e.id);
  const cards = [
    ...translateEntityCards(kg, diseases, triples, { language: 'en', seed }),
    ...translateEntityCards(kg, diseases, triples, { language: 'zh', seed }),
  ];
  const kgDocs: Doc[] = cards.map((c, i) => ({
    id: `kg-${c.language}-${i}`,
    text: c.text,
    source: 'kg-translation',
    authority: 'A',
    language: c.language,
    meta: { entityId: c.entityId },
  }));
  const { kept, report } = await curate([...kgDocs, ...loadMedicalText()]);
  return { docs: kept, report, kgStats: { entities: kg.stats().entities, triples: triples.length, cards: cards.length } };
}
