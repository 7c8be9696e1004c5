/**
 * Fact renderer backed by the template bank of `src/translate/` (several phrasings per predicate, chosen by seed
 * and triple), for passages and explanations in the instruction tasks.
 *
 * @packageDocumentation
 */
import type { Language, Triple } from '../kg/types';
import { translateTriples } from '../translate/template-translator';
import type { TranslateKg } from '../translate/types';
import type { FactRenderer } from './types';

/**
 * A {@link FactRenderer} that phrases each triple with the knowledge-translation template bank. It returns
 * `undefined` for triples the bank cannot render (the task generator then falls back to its fixed phrasing).
 *
 * @param kg - entity lookup (the knowledge graph).
 * @param seed - phrasing seed.
 */
export function templateRenderer(kg: TranslateKg, seed: number): FactRenderer {
  return (t: Triple, language: Language) => translateTriples(kg, [t], { language, seed })[0]?.text;
}
