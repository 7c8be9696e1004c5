/**
 * OUR RECONSTRUCTION of "QuarkMed's published scorer" from the description in issue 5 — not its code.
 *
 * Described behaviour that is right: a JSON object `{"answer": "AC"}` with letters in any order separated by
 * nothing, commas or `、`; fenced JSON after reasoning; a list value; multiple-response questions need the exact
 * letter set for full credit.
 *
 * Described failures, reproduced by a straightforward implementation of that behaviour:
 * - JSON after reasoning without a fence: the whole text is given to `JSON.parse` → throws;
 * - `<think>` blocks: the first fenced block is used, so a draft inside the reasoning wins, and unfenced JSON
 *   after `</think>` throws as above;
 * - `"A/C"`, full-width commas (`，`): only `,` and `、` are removed → compares `A/C` → wrong;
 * - lowercase letters: compared case-sensitively → wrong;
 * - the option's text instead of its letter: no mapping → wrong;
 * - a number or `null` as the value: `.replace` on a non-string → throws TypeError;
 * - an empty list: takes the single element of a one-element list → `undefined.replace` → throws;
 * - trailing spaces in gold answers: the gold is not trimmed → never equal.
 *
 * @returns 1 or 0; throws where the reconstructed scorer crashes.
 */
export function referenceScore(completion: string, gold: string): number {
  const fence = /```(?:json)?\s*\n([\s\S]*?)```/.exec(completion);
  const body = fence ? fence[1]! : completion.trim();
  const obj = JSON.parse(body) as { answer: unknown };
  let ans = obj.answer as unknown;
  if (Array.isArray(ans)) ans = ans.length > 1 ? ans.join('') : ans[0];
  const letters = (ans as string).replace(/[,、]/g, '').split('').sort().join('');
  const want = gold.split('').sort().join('');
  return letters === want ? 1 : 0;
}
