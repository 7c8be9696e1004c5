/**
 * The cross-check of formats that give the answer twice (a letter and the option's text, or a letter and an index):
 * the two must name the same option.
 *
 * @packageDocumentation
 */
import { readAnswerLetters, type AnswerReading, type Options } from '../choice-fields';
import type { RecordReader } from '../record-reader';

/**
 * The gold letters from the first present of `primary` fields, checked against every present `secondary` field.
 *
 * @throws {@link EvalDataError} naming the field when an answer is missing, malformed, or the two disagree.
 */
export function crossCheckedAnswer(
  r: RecordReader,
  options: Options,
  primary: ReadonlyArray<{ field: string; how?: AnswerReading }>,
  secondary: ReadonlyArray<{ field: string; how?: AnswerReading }> = [],
): string[] {
  const all = [...primary, ...secondary];
  const present = primary.filter((p) => r.has(p.field));
  const main = present[0];
  if (!main) throw r.error(`missing answer (expected ${primary.map((p) => JSON.stringify(p.field)).join(' or ')})`, primary[0]?.field);
  const letters = readAnswerLetters(r, main.field, r.value[main.field], options, main.how);
  for (const other of all) {
    if (other === main || !r.has(other.field)) continue;
    const v = r.value[other.field];
    if (typeof v === 'string' && v.trim() === '') continue;
    const o = readAnswerLetters(r, other.field, v, options, other.how);
    if (o.join('') !== letters.join('')) {
      throw r.error(`disagrees with ${JSON.stringify(main.field)} (${o.join('')} vs ${letters.join('')})`, other.field);
    }
  }
  return letters;
}
