/**
 * Text analysis for BM25: mixed English/Chinese text is split into CJK runs and words; words are lower-cased,
 * stop words dropped and stemmed (Porter, the `stemmer` package, which runs in browsers); CJK runs become
 * overlapping character n-grams (default unigrams + bigrams) plus, by default, the words of the built-in
 * `Intl.Segmenter` (ICU's dictionary segmenter, in Node and every current browser).
 *
 * The defaults were chosen on validation pseudo-queries cut from the CMExam explanations, never on a benchmark
 * question (`scripts/tune-retrieval.ts`, k1 = 1.2, b = 0.75): MRR@10 0.6216 with unigrams + bigrams, 0.6257 with
 * bigrams alone, 0.6321 adding the segmenter's words (R@1 0.535, 0.540, 0.545).
 */
import { stemmer } from 'stemmer';
import { checkInteger } from '../validation/checks';
import { RagArgumentError } from '../validation/rag-argument-error';
import { ENGLISH_STOP_WORDS } from './english-stop-words';
import { isCjkRun, TOKEN_PATTERN } from './script';

/** Turns text into index terms. Must be deterministic: the same text always gives the same terms. */
export interface Analyzer {
  analyze(text: string): string[];
}

/** How CJK runs become terms (n-grams, segmenter words or both). */
export interface CjkAnalysisOptions {
  /**
   * Lengths of overlapping character n-grams, each 1–8 (`[2]`: `急性喉炎` → `急性 性喉 喉炎`). A run shorter than
   * the shortest length gives itself. Default `[1, 2]` (see the file comment); `[]` for none.
   */
  ngrams?: readonly number[];
  /**
   * Words from `Intl.Segmenter(locale, {granularity: 'word'})`, as terms of their own (never colliding with
   * n-grams). Default true (see the file comment); a runtime without `Intl.Segmenter` must pass false. ICU's
   * dictionary can differ between runtimes, so an index queried elsewhere may see a few words split differently;
   * the n-grams are unaffected.
   */
  segmenter?: boolean;
  /** Locale of the segmenter. Default `zh`. */
  locale?: string;
}

/** Options of {@link createAnalyzer} (serialisable: a sparse index stores them with its terms). */
export interface AnalyzerOptions {
  /** Drop English stop words (the Snowball list). Default true. */
  stopWords?: boolean;
  /** Porter-stem English words. Default true. */
  stem?: boolean;
  cjk?: CjkAnalysisOptions;
}

/** Prefix of CJK n-gram terms, so that they never collide with segmenter words. */
const GRAM = '\u0001';

/** The analyzer for mixed English/Chinese text; see the file comment and {@link AnalyzerOptions}. */
export class TextAnalyzer implements Analyzer {
  readonly options: Required<Omit<AnalyzerOptions, 'cjk'>> & { cjk: Required<CjkAnalysisOptions> };
  private readonly segmenter: Intl.Segmenter | undefined;
  private readonly stemCache = new Map<string, string>();

  /** @throws {@link RagArgumentError} when no CJK term kind is enabled or `Intl.Segmenter` is missing. */
  constructor(options: AnalyzerOptions = {}) {
    const cjk = { ngrams: [1, 2] as readonly number[], segmenter: true, locale: 'zh', ...options.cjk };
    if (!Array.isArray(cjk.ngrams)) throw new RagArgumentError('options.cjk.ngrams', 'must be an array of n-gram lengths');
    cjk.ngrams.forEach((n, i) => checkInteger(`options.cjk.ngrams[${i}]`, n, 1));
    if (cjk.ngrams.some((n) => n > 8)) throw new RagArgumentError('options.cjk.ngrams', 'n-gram lengths must be at most 8');
    if (new Set(cjk.ngrams).size !== cjk.ngrams.length) throw new RagArgumentError('options.cjk.ngrams', 'has a repeated length');
    if (cjk.ngrams.length === 0 && !cjk.segmenter) {
      throw new RagArgumentError('options.cjk', 'give at least one n-gram length or enable the segmenter');
    }
    if (typeof cjk.locale !== 'string' || cjk.locale.length === 0) throw new RagArgumentError('options.cjk.locale', 'must be a BCP 47 tag');
    if (cjk.segmenter && typeof Intl.Segmenter !== 'function') {
      throw new RagArgumentError('options.cjk.segmenter', 'Intl.Segmenter is not available in this runtime (pass cjk: { segmenter: false })');
    }
    this.options = { stopWords: options.stopWords ?? true, stem: options.stem ?? true, cjk: { ...cjk, ngrams: [...cjk.ngrams].sort((a, b) => a - b) } };
    this.segmenter = cjk.segmenter ? new Intl.Segmenter(cjk.locale, { granularity: 'word' }) : undefined;
  }

  analyze(text: string): string[] {
    const out: string[] = [];
    const normal = text.normalize('NFKC').toLowerCase();
    for (const m of normal.matchAll(TOKEN_PATTERN)) {
      const token = m[0];
      if (isCjkRun(token)) this.cjkTerms(token, out);
      else this.wordTerm(token, out);
    }
    return out;
  }

  private wordTerm(word: string, out: string[]): void {
    const w = word.replace(/’/g, "'");
    if (this.options.stopWords && ENGLISH_STOP_WORDS.has(w)) return;
    if (!this.options.stem || /\d/.test(w)) {
      out.push(w);
      return;
    }
    let s = this.stemCache.get(w);
    if (s === undefined) {
      s = stemmer(w.replace(/'s$/, ''));
      if (this.stemCache.size < 100_000) this.stemCache.set(w, s);
    }
    out.push(s);
  }

  private cjkTerms(run: string, out: string[]): void {
    const chars = [...run];
    const { ngrams } = this.options.cjk;
    if (ngrams.length > 0 && chars.length < ngrams[0]!) out.push(GRAM + run);
    for (const n of ngrams) {
      for (let i = 0; i + n <= chars.length; i++) out.push(GRAM + chars.slice(i, i + n).join(''));
    }
    if (this.segmenter) for (const s of this.segmenter.segment(run)) if (s.isWordLike) out.push(s.segment);
  }
}

/** A {@link TextAnalyzer} with the given options (defaults: stop words, stemming, CJK unigrams + bigrams + segmenter words). */
export function createAnalyzer(options: AnalyzerOptions = {}): TextAnalyzer {
  return new TextAnalyzer(options);
}
