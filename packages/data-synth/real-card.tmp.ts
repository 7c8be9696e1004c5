import { buildMedicalKg } from './src/kg/build';
import { translateEntityCard, selectEntities, DEFAULT_SELECTION } from './src/translate';
const { kg } = await buildMedicalKg();
const all = kg.triples();
const ids = kg.entities('disease').map(e => e.id);
const sel = selectEntities(kg, ids, all, { importance: { minDegree: 6, requireIcdCode: true }, completeness: { requireDefinition: true, requireNameIn: ['zh'] } });
console.log(sel.report);
for (const id of sel.selected.slice(0, 3)) {
  console.log(translateEntityCard(kg, id, all, { language: 'en', seed: 1 })?.text);
  console.log(translateEntityCard(kg, id, all, { language: 'zh', seed: 1 })?.text);
  console.log(translateEntityCard(kg, id, all, { language: 'zh', seed: 1, allowMixedLanguage: true })?.text);
}
