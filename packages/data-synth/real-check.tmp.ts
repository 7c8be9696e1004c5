import { buildMedicalKg } from './src/kg/build';
import { translateTriples, backTranslationFilterSync, lexiconForTriples } from './src/translate';
const { kg } = await buildMedicalKg();
const all = kg.triples();
console.log('entities', kg.size, 'triples', all.length, kg.stats().triplesByPredicate);
const lex = lexiconForTriples(kg, all, kg.entities());
for (const language of ['en', 'zh'] as const) {
  for (const allowMixedLanguage of [false, true]) {
    const t0 = Date.now();
    const s = translateTriples(kg, all, { language, seed: 1, allowMixedLanguage });
    const t1 = Date.now();
    const r = backTranslationFilterSync(kg, s, { lexicon: lex });
    const t2 = Date.now();
    console.log(language, allowMixedLanguage, 'sentences', s.length, `${t1-t0}ms`, 'bt', `${t2-t1}ms`, JSON.stringify(r.report));
    const byPred: Record<string, number> = {};
    for (const d of r.dropped) byPred[d.sentence.triple.predicate] = (byPred[d.sentence.triple.predicate] ?? 0) + 1;
    console.log('  dropped by predicate', byPred);
    for (const d of r.dropped.slice(0, 12)) console.log('  ', d.reason, '|', d.sentence.text, '|', d.sentence.triple.subject, d.sentence.triple.object);
  }
}
