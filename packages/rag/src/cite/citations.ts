/**
 * Citation checking: which `[n]` citations of an answer point at passages that were given and support the claim
 * that cites them.
 *
 * Support is lexical and documented as such: a claim (the answer sentence carrying the citation, citations removed)
 * is supported by passage n when at least `minOverlap` of the claim's distinct terms — stemmed English words
 * without stop words, and CJK character bigrams — occur in the passage. It catches citations to the wrong passage
 * and invented content; it cannot judge paraphrase or entailment (use a judge model from `@quarkmed/verifier` for that).
 */
import { createAnalyzer, type TextAnalyzer } from '../analysis/analyzer';
import { splitSentences } from '../chunk/sentences';
import type { NumberedPassage } from '../prompt/rag-prompt';
import { checkNumber } from '../validation/checks';
import { RagArgumentError } from '../validation/rag-argument-error';

/** One answer sentence with its citations and, per citation, the share of its terms found in that passage. */
export interface CitedClaim {
  text: string;
  citations: number[];
  overlap: Record<number, number>;
}

/** The verdict of {@link checkCitations}. */
export interface CitationReport {
  /** Every distinct passage number cited, in order of first citation. */
  cited: number[];
  /** Cited, given, and supporting at least one claim that cites it. */
  supported: number[];
  /** Cited and given, but supporting no claim that cites it. */
  unsupported: number[];
  /** Cited but not among the passages given (e.g. `[7]` with five passages). */
  notGiven: number[];
  /** Sentences with at least one citation. */
  claims: CitedClaim[];
  /** Sentences with terms but no citation. */
  uncitedClaims: string[];
  /** At least one citation, every citation given and supported. */
  ok: boolean;
}

/** `[3]`, `[1, 2]`, `[1][2]`, `[2-4]`, `【3】`, `[1，2]`. */
const CITATION = /[[【]\s*(\d+(?:\s*(?:[,，、]|[-–~～])\s*\d+)*)\s*[\]】]/g;

/** The citation numbers in `text`, in order (ranges expanded, at most 100 numbers per range). */
export function parseCitations(text: string): number[] {
  const out: number[] = [];
  for (const m of text.matchAll(CITATION)) {
    for (const part of m[1]!.split(/\s*[,，、]\s*/)) {
      const range = /^(\d+)\s*[-–~～]\s*(\d+)$/.exec(part);
      if (range) {
        const a = Number(range[1]);
        const b = Number(range[2]);
        for (let n = a; n <= b && n - a < 100; n++) out.push(n);
      } else out.push(Number(part));
    }
  }
  return out;
}

let defaultAnalyzer: TextAnalyzer | undefined;

/**
 * Checks the citations of `answer` against the numbered `passages` it was given; see the file comment.
 *
 * @param options.minOverlap - share of a claim's terms a passage must contain to support it, in (0, 1]. Default 0.5.
 * @throws {@link RagArgumentError} for a non-string answer, passages that are not numbered, or a bad `minOverlap`.
 */
export function checkCitations(answer: string, passages: readonly NumberedPassage[], options: { minOverlap?: number } = {}): CitationReport {
  if (typeof answer !== 'string') throw new RagArgumentError('answer', 'must be a string');
  if (!Array.isArray(passages)) throw new RagArgumentError('passages', 'must be the numbered passages of the prompt');
  const minOverlap = checkNumber('options.minOverlap', options.minOverlap ?? 0.5, Number.MIN_VALUE, 1);
  const analyzer = (defaultAnalyzer ??= createAnalyzer({ cjk: { ngrams: [2] } }));
  const byNumber = new Map<number, Set<string>>();
  passages.forEach((p, i) => {
    if (!Number.isInteger(p?.n) || p.n < 1 || typeof p.text !== 'string') throw new RagArgumentError(`passages[${i}]`, 'must be {n, text, document}');
    byNumber.set(p.n, new Set(analyzer.analyze(p.text)));
  });
  const claims: CitedClaim[] = [];
  const uncitedClaims: string[] = [];
  const cited: number[] = [];
  const supported = new Set<number>();
  let previous = '';
  let previousUncited = false;
  for (const span of splitSentences(answer)) {
    const sentence = answer.slice(span.start, span.end);
    const citations = [...new Set(parseCitations(sentence))];
    const claim = sentence.replace(CITATION, ' ');
    const terms = [...new Set(analyzer.analyze(claim))];
    if (citations.length === 0) {
      if (terms.length > 0) uncitedClaims.push(sentence);
      previousUncited = terms.length > 0;
      previous = claim;
      continue;
    }
    const overlap: Record<number, number> = {};
    for (const n of citations) {
      if (!cited.includes(n)) cited.push(n);
      const passage = byNumber.get(n);
      if (!passage) continue;
      // A sentence that is only a citation ("[2]") claims nothing of its own: it supports the previous claim's words.
      const own = terms.length > 0 ? terms : [...new Set(analyzer.analyze(previous))];
      const share = own.length === 0 ? 0 : own.filter((t) => passage.has(t)).length / own.length;
      overlap[n] = share;
      if (share >= minOverlap) supported.add(n);
    }
    claims.push({ text: sentence, citations, overlap });
    if (terms.length > 0) previous = claim;
    else if (previousUncited) uncitedClaims.pop(); // "Claim. [2]": the claim is cited after all
    previousUncited = false;
  }
  const notGiven = cited.filter((n) => !byNumber.has(n));
  const unsupported = cited.filter((n) => byNumber.has(n) && !supported.has(n));
  return {
    cited,
    supported: cited.filter((n) => supported.has(n)),
    unsupported,
    notGiven,
    claims,
    uncitedClaims,
    ok: cited.length > 0 && notGiven.length === 0 && unsupported.length === 0,
  };
}
