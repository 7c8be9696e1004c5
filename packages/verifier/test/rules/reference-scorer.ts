/**
 * OUR STAND-IN for QuarkMed's published exam scorer (`evaluation/evaluate.py` in Quark-Medical/QuarkMed). That
 * repository has no licence, so nothing is copied: this is a TypeScript re-implementation of the behaviour the
 * script is known to have, fact by fact:
 *
 * 1. The completion is split on a blank line (`\n\n`) only; the chunk read is the last one. (Which chunk the
 *    script reads is our assumption: every fact below holds for the last chunk, and no case here depends on it
 *    otherwise.) So reasoning followed by a single newline and the JSON, or `<think>…</think>` + `\n` + JSON, is
 *    one chunk: the whole string.
 * 2. `json.loads` on the chunk. If it fails, a regex fallback: `"answer":`, exactly one character, `"`, then a
 *    greedy capture up to the last `"` on that line (no DOTALL; the first match in the chunk). So the compact
 *    `"answer":"B"` is read only when the chunk is valid JSON as a whole, and `"answer": "B", "why": "x"` captures
 *    `B", "why": "x`.
 * 3. A JSON object gives its `answer` (missing: taken as `None` — an assumption); a list of answer objects gives
 *    the concatenation of their answers; any other JSON value (a bare string such as `"B"`, a number) raises
 *    `ValueError`.
 * 4. `None` (`{"answer": null}`, or no regex match) counts as invalid, without a crash. A list value is joined
 *    when it has more than one element, else its first element is taken (`[]` raises `IndexError`); a value that
 *    is not a string (`{"answer": 5}`) raises `TypeError` in the normalisation.
 * 5. Normalisation removes `、`, `"`, `,`, `|` and whitespace, then sorts the characters by code point; the result
 *    is compared with the gold answer **raw** (so gold answers with a trailing space never match).
 */

/** A crash of the reference scorer, with the Python exception it would raise. */
export class ReferenceScorerCrash extends Error {
  constructor(readonly pythonError: 'TypeError' | 'IndexError' | 'ValueError', message: string) {
    super(`${pythonError}: ${message}`);
    this.name = 'ReferenceScorerCrash';
  }
}

/** What the reference scorer does with one completion: 1, 0, or `'invalid'` (its `None`). */
export type ReferenceScore = 0 | 1 | 'invalid';

const REGEX_FALLBACK = /"answer":."(.*)"/;

function normalise(v: unknown): string {
  if (typeof v !== 'string') throw new ReferenceScorerCrash('TypeError', `expected string, got ${v === null ? 'NoneType' : typeof v}`);
  return [...v.replace(/[、",|\s]/g, '')].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).join('');
}

/**
 * Scores one completion the way the published script does (see the module documentation).
 *
 * @throws {@link ReferenceScorerCrash} where the script crashes.
 */
export function referenceScore(completion: string, gold: string): ReferenceScore {
  const chunks = completion.split('\n\n');
  const chunk = chunks[chunks.length - 1]!;
  let ans: unknown;
  let parsed: unknown;
  let isJson = true;
  try {
    parsed = JSON.parse(chunk);
  } catch {
    isJson = false;
  }
  if (isJson) {
    if (Array.isArray(parsed)) {
      ans = parsed.map((item) => {
        if (item === null || typeof item !== 'object' || Array.isArray(item)) throw new ReferenceScorerCrash('TypeError', 'list item is not an object');
        return normalise((item as { answer?: unknown }).answer);
      }).join('');
    } else if (parsed !== null && typeof parsed === 'object') {
      ans = (parsed as { answer?: unknown }).answer ?? null;
    } else {
      throw new ReferenceScorerCrash('ValueError', `the chunk is JSON but not an object: ${chunk.slice(0, 20)}`);
    }
  } else {
    const m = REGEX_FALLBACK.exec(chunk);
    ans = m ? m[1]! : null;
  }
  if (ans === null) return 'invalid';
  if (Array.isArray(ans)) {
    if (ans.length > 1) ans = ans.map(normalise).join('');
    else if (ans.length === 0) throw new ReferenceScorerCrash('IndexError', 'list index out of range');
    else ans = ans[0];
  }
  return normalise(ans) === gold ? 1 : 0;
}
