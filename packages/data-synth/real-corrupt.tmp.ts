import { buildMedicalKg } from './src/kg/build';
import { translateTriples, backTranslationFilterSync, lexiconForTriples, type Sentence } from './src/translate';
import type { Triple } from './src/kg/types';
import { mulberry32, pick } from './src/random';
const { kg } = await buildMedicalKg();
const all = kg.triples();
const lex = lexiconForTriples(kg, all, kg.entities());
const rand = mulberry32(5);
const byKind = new Map<string, string[]>();
for (const e of kg.entities()) { const a = byKind.get(e.kind) ?? []; a.push(e.id); byKind.set(e.kind, a); }
const literalsByPred = new Map<string, string[]>();
for (const t of all) if (t.objectIsLiteral) { const a = literalsByPred.get(t.predicate) ?? []; a.push(t.object); literalsByPred.set(t.predicate, a); }
const flip: Record<string, string> = { treats: 'not_indication', symptomatic_relief: 'not_indication', not_indication: 'treats' };
for (const language of ['en', 'zh'] as const) {
  const out: Sentence[] = [];
  const kinds: string[] = [];
  for (const t of all) {
    // swap object
    let corrupt: Triple;
    if (t.objectIsLiteral) corrupt = { ...t, object: pick(literalsByPred.get(t.predicate)!, rand) };
    else corrupt = { ...t, object: pick(byKind.get(kg.entity(t.object)!.kind)!, rand) };
    if (corrupt.object !== t.object) {
      for (const s of translateTriples(kg, [corrupt], { language, seed: out.length, allowMixedLanguage: true })) { out.push({ ...s, triple: t }); kinds.push('swap:' + t.predicate); }
    }
    if (flip[t.predicate]) {
      for (const s of translateTriples(kg, [{ ...t, predicate: flip[t.predicate] as Triple['predicate'] }], { language, seed: out.length, allowMixedLanguage: true })) { out.push({ ...s, triple: t }); kinds.push('flip:' + t.predicate); }
    }
    if (t.predicate === 'is_a' || t.predicate === 'has_symptom') {
      for (const s of translateTriples(kg, [{ ...t, subject: t.object, object: t.subject }], { language, seed: out.length, allowMixedLanguage: true })) { out.push({ ...s, triple: t }); kinds.push('dir:' + t.predicate); }
    }
  }
  const r = backTranslationFilterSync(kg, out, { lexicon: lex });
  const keptIdx = new Set(r.kept);
  const falseKeeps: Record<string, number> = {}; const total: Record<string, number> = {};
  out.forEach((s, i) => { total[kinds[i]!] = (total[kinds[i]!] ?? 0) + 1; if (keptIdx.has(s)) falseKeeps[kinds[i]!] = (falseKeeps[kinds[i]!] ?? 0) + 1; });
  console.log(language, 'corrupted', out.length, 'falsely kept', r.report.kept, JSON.stringify(r.report.reasons));
  console.log(' totals', JSON.stringify(total));
  console.log(' false keeps', JSON.stringify(falseKeeps));
  let n = 0;
  for (const s of r.kept) { if (n++ > 15) break; console.log('   KEPT', s.text, '|', s.triple.subject, s.triple.predicate, s.triple.object); }
}
