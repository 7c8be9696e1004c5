/**
 * Stage `corpus`: the pre-training corpus. A subset of the shipped knowledge graph (the first `maxDiseases`
 * diseases by id and every fact touching them) translated into English and Chinese entity cards with data-synth's
 * seeded templates, plus the shipped medical text, curated (normalisation, quality filters, exact and MinHash
 * near-duplicate removal). With `pretrain.ablation` it also writes the corpus without knowledge translation.
 *
 * @packageDocumentation
 */
import { curate, translateEntityCards, type Doc, type KnowledgeGraph, type Triple } from '@quarkmed/data-synth';
import type { RecipeConfig } from '../config/schema';
import { StageError } from './stage-error';
import type { StageContext, StageDefinition, StageOutput } from './types';

/** The diseases and facts of the KG subset the recipe uses (pure, deterministic). */
export function selectKgSubset(kg: KnowledgeGraph, maxDiseases: number): { diseases: string[]; triples: Triple[] } {
  // importance (the report's selection criterion): diseases with the most facts first, ties by id
  const degree = new Map<string, number>();
  for (const t of kg.triples()) {
    degree.set(t.subject, (degree.get(t.subject) ?? 0) + 1);
    if (!t.objectIsLiteral) degree.set(t.object, (degree.get(t.object) ?? 0) + 1);
  }
  const all = kg
    .entities('disease')
    .map((e) => e.id)
    .sort((a, b) => (degree.get(b) ?? 0) - (degree.get(a) ?? 0) || (a < b ? -1 : a > b ? 1 : 0));
  const diseases = maxDiseases === 0 ? all : all.slice(0, maxDiseases);
  const keep = new Set(diseases);
  const triples = kg.triples().filter((t) => keep.has(t.subject) || (!t.objectIsLiteral && keep.has(t.object)));
  return { diseases, triples };
}

/** Documents as JSON lines. */
export function docsToJsonl(docs: readonly Doc[]): string {
  return docs.map((d) => JSON.stringify(d)).join('\n') + (docs.length > 0 ? '\n' : '');
}

/** Parses {@link docsToJsonl}'s output. */
export function docsFromJsonl(text: string): Doc[] {
  return text
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as Doc);
}

function plan(config: RecipeConfig): Record<string, unknown> {
  const c = config.corpus;
  return {
    knowledgeTranslation: c.knowledgeTranslation,
    languages: c.languages,
    maxDiseases: c.maxDiseases === 0 ? 'all' : c.maxDiseases,
    medicalText: c.medicalText,
    baselineCorpus: config.pretrain.ablation && c.knowledgeTranslation,
  };
}

async function run(ctx: StageContext): Promise<StageOutput> {
  const c = ctx.config.corpus;
  if (!c.knowledgeTranslation && !c.medicalText) throw new StageError('corpus', 'corpus.knowledgeTranslation and corpus.medicalText are both false: the corpus would be empty');
  const kg = await ctx.knowledgeGraph();
  const { diseases, triples } = selectKgSubset(kg, c.maxDiseases);
  const kgDocs: Doc[] = [];
  if (c.knowledgeTranslation) {
    for (const language of c.languages) {
      translateEntityCards(kg, diseases, triples, { language, seed: ctx.seed }).forEach((card, i) =>
        kgDocs.push({ id: `kg-${language}-${i}`, text: card.text, source: 'kg-translation', authority: 'A', language, meta: { entityId: card.entityId } }),
      );
    }
  }
  let textDocs: Doc[] = [];
  if (c.medicalText) {
    const all = (await ctx.medicalText(c.medicalTextDir)).filter((d) => d.language === undefined || (c.languages as string[]).includes(d.language));
    textDocs = c.maxMedicalParagraphs === 0 ? all : c.languages.flatMap((l) => all.filter((d) => d.language === l).slice(0, c.maxMedicalParagraphs));
  }
  const main = await curate([...kgDocs, ...textDocs]);
  if (main.kept.length < 2) throw new StageError('corpus', `only ${main.kept.length} documents survive curation; raise corpus.maxDiseases or enable corpus.medicalText`);
  ctx.progress.event('corpus', 'curated', { input: main.report.input, kept: main.report.kept, kgCards: kgDocs.length, medicalText: textDocs.length });
  const files: StageOutput['files'] = { 'corpus.jsonl': docsToJsonl(main.kept), 'subset.json': JSON.stringify({ diseases }) };
  const metrics: StageOutput['metrics'] = {
    diseases: diseases.length,
    triples: triples.length,
    kgCards: kgDocs.length,
    medicalParagraphs: textDocs.length,
    documents: main.kept.length,
    dropped: main.report.input - main.report.kept,
  };
  if (ctx.config.pretrain.ablation && c.knowledgeTranslation && c.medicalText) {
    const base = await curate(textDocs);
    files['corpus-no-kg.jsonl'] = docsToJsonl(base.kept);
    metrics.baselineDocuments = base.kept.length;
  }
  return { files, metrics };
}

/** The `corpus` stage. */
export const corpusStage: StageDefinition = {
  name: 'corpus',
  description: 'KG subset -> EN/ZH sentences + shipped medical text, curated',
  inputs: [],
  plan,
  run,
};
