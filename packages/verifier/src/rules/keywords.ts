/**
 * Keyword / test-ordering verification with synonym lists, required and forbidden items, recall-based reward.
 *
 * Each item is a concept: a canonical name plus synonyms (inline `['CT', 'computed tomography']`, or from the
 * `synonyms` map keyed by canonical name). A concept is mentioned when any of its names occurs in the answer part
 * (reasoning removed), case-insensitively, NFKC-normalised, at word boundaries for Latin names (substring for CJK
 * names), with light English inflection: a plural `-s`/`-es` (`troponins`), `-y` → `-ies` (`biopsies`), and the
 * possessive (`troponin's`, `troponins'`) also count. A mention is **negated** when a negation ("no", "not", "without", "avoid", "do not", "unnecessary",
 * "rather than", "instead of", 不, 无需, 不需要, 避免, 禁用) occurs in the same clause within 40 characters before
 * it; a negated mention of a required item does not count and a negated mention of a forbidden item is not a
 * violation. Negation after the term ("CT is not needed", "MRI is unnecessary", "CT已排除", "CT不需要") counts too
 * (the shared negation cues of `cues.ts`).
 *
 * The answer policy (`answer-policy.ts`) applies. **Hedging** here means offering a test only as an alternative
 * to a different one ("CT or MRI", "CT/MRI", "either CT or MRI", CT或MRI): such a mention does not count for a
 * required concept (ordering "CT or MRI" orders neither), while a forbidden concept in a hedge still counts as
 * mentioned. Alternatives that are names of the same concept ("CT or computed tomography", "ECG/EKG") are not a
 * hedge. Mentions inside quoted passages or text copied from the prompt (`prompt`) do not count, nor does a
 * mention in a **question** (a clause ending with a question mark: "Which test (ECG, troponin?) first?", "ECG?"):
 * a required concept only asked about is not ordered, while a forbidden one still counts as mentioned.
 *
 * reward = max(0, recall − forbiddenPenalty × forbidden hits), recall = mentioned required / required
 * (1 when nothing is required); verdict `correct` at 1, `incorrect` at 0, else `partial`.
 *
 * @packageDocumentation
 */
import type { VerificationResult, Verifier } from '../types';
import { excludedRanges, inQuestion, isNegatedAfter, withPrompt, type ClauseMemo } from './answer-policy';
import { HEDGE_WORD } from './cues';
import { answerText, inRanges, type Range } from './text';
import { expectObject, VerifierArgumentError } from '../argument-error';

/** A concept: its canonical name, or `[canonical, ...synonyms]`. */
export type KeywordItem = string | readonly string[];

/** The reference of a keyword question. */
export interface KeywordReference {
  /** Concepts that should be mentioned. */
  required: readonly KeywordItem[];
  /** Concepts that must not be mentioned (un-negated). */
  forbidden?: readonly KeywordItem[];
  /** Canonical name → synonyms, merged with inline synonyms. */
  synonyms?: Readonly<Record<string, readonly string[]>>;
  /** Subtracted from recall per forbidden concept mentioned (default 1: any forbidden mention gives 0). */
  forbiddenPenalty?: number;
  /** Detect negated mentions (default true). */
  negation?: boolean;
  /** The prompt: mentions in lines copied from it do not count. */
  prompt?: string;
}

const ALT_AFTER_RE = new RegExp(`[ \\t]*(?:${HEDGE_WORD}|/)[ \\t]*`, 'iy');
const ALT_BEFORE_RE = new RegExp(`(?:${HEDGE_WORD}|/)[ \\t]*$`, 'i');

/** Whether the mention at `[i, e)` is an alternative to something that is not one of `names` ("CT or MRI"). */
function hedgedAt(text: string, i: number, e: number, names: readonly string[]): boolean {
  ALT_AFTER_RE.lastIndex = e;
  const a = ALT_AFTER_RE.exec(text);
  if (a) {
    const rest = text.slice(e + a[0].length, e + a[0].length + 80);
    if (rest.trim().length > 0 && !names.some((n) => rest.startsWith(n))) return true;
  }
  const before = text.slice(Math.max(0, i - 80), i);
  const b = ALT_BEFORE_RE.exec(before);
  if (b) {
    const prev = before.slice(0, b.index).trimEnd();
    if (prev.length > 0 && !/[.;!?\n。；！？:：,，]$/.test(prev) && !names.some((n) => prev.endsWith(n))) return true;
  }
  return false;
}

const NEG_RE =
  /(?:\b(?:no|not|without|avoid|avoiding|don't|do not|never|unnecessary|unneeded|rather than|instead of|neither|nor)\b|不|无需|无须|不需要|避免|禁用|禁止|不必)/i;
const CLAUSE_BREAK = /[.;!?\n。；！？]/;

function norm(s: string): string {
  return s.normalize('NFKC').toLowerCase();
}
function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** The names of a concept (normalised, unique, non-empty). */
function namesOf(item: KeywordItem, synonyms?: Readonly<Record<string, readonly string[]>>): string[] {
  const list = typeof item === 'string' ? [item] : [...item];
  const canonical = list[0] ?? '';
  const extra = synonyms?.[canonical] ?? [];
  return [...new Set([...list, ...extra].map((s) => norm(String(s)).trim()).filter((s) => s.length > 0))];
}

function isLetterCode(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/**
 * Light English inflection after a Latin name ending in a letter at `e`: plural `-s` / `-es` (`troponins`,
 * `biopsies` is covered by the `-ies` variant of the name, see {@link inflectedNames}); the possessive (`'s`,
 * `s'`) already ends the word at the apostrophe. Returns the end of the inflected word, or -1 when the word goes on.
 */
function inflectionEnd(text: string, e: number, name: string): number {
  if (!isLetterCode(name.charCodeAt(name.length - 1))) return -1;
  for (const suffix of ['s', 'es']) {
    if (text.startsWith(suffix, e)) {
      const k = e + suffix.length;
      if (k >= text.length || !isWordChar(text.charCodeAt(k))) return k;
    }
  }
  return -1;
}

/** A name plus its `-ies` plural when it ends in consonant + `y` (`biopsy` → `biopsies`). */
function inflectedNames(names: readonly string[]): string[] {
  const out = [...names];
  for (const n of names) {
    if (n.length >= 3 && n.endsWith('y') && !/[aeiou]/.test(n[n.length - 2]!) && isLetterCode(n.charCodeAt(n.length - 2))) {
      const v = n.slice(0, -1) + 'ies';
      if (!out.includes(v)) out.push(v);
    }
  }
  return out;
}

/**
 * Whether the text mentions one of `names`: 'yes', 'hedged' (only as an alternative to something else),
 * 'questioned' (only in questions), 'negated' (only negated mentions) or 'no'. Mentions starting inside
 * `excluded` ranges are skipped.
 */
export function findMention(
  text: string,
  names: readonly string[],
  negation = true,
  excluded: readonly Range[] = [],
): 'yes' | 'hedged' | 'questioned' | 'negated' | 'no' {
  let negated = false;
  let hedged = false;
  let questioned = false;
  const clause: ClauseMemo = {};
  for (const name of inflectedNames(names)) {
    const latinStart = isWordChar(name.charCodeAt(0));
    const latinEnd = isWordChar(name.charCodeAt(name.length - 1));
    for (let i = text.indexOf(name); i >= 0; i = text.indexOf(name, i + 1)) {
      if (latinStart && i > 0 && isWordChar(text.charCodeAt(i - 1))) continue;
      const e = i + name.length;
      if (latinEnd && e < text.length && isWordChar(text.charCodeAt(e)) && inflectionEnd(text, e, name) < 0) continue;
      if (excluded.length > 0 && inRanges(excluded, i)) continue;
      const wordEnd = latinEnd && e < text.length && isWordChar(text.charCodeAt(e)) ? inflectionEnd(text, e, name) : e;
      if (negation && isNegatedAfter(text, wordEnd)) {
        negated = true;
        continue;
      }
      if (negation) {
        let s = Math.max(0, i - 40);
        const window = text.slice(s, i);
        let cut = -1;
        for (let k = window.length - 1; k >= 0; k--) {
          if (CLAUSE_BREAK.test(window[k]!)) {
            cut = k;
            break;
          }
        }
        s = cut + 1;
        if (NEG_RE.test(window.slice(s))) {
          negated = true;
          continue;
        }
      }
      if (hedgedAt(text, i, wordEnd, names)) {
        hedged = true;
        continue;
      }
      if (inQuestion(text, wordEnd, clause)) {
        questioned = true;
        continue;
      }
      return 'yes';
    }
  }
  return hedged ? 'hedged' : questioned ? 'questioned' : negated ? 'negated' : 'no';
}

/** Checks a concept list: an array of names or of `[canonical, ...synonyms]` arrays of strings. */
function checkItems(items: unknown, field: 'required' | 'forbidden'): void {
  if (!Array.isArray(items)) throw new VerifierArgumentError(field, `expected an array of concepts, got ${items === null ? 'null' : typeof items}`);
  items.forEach((item: unknown, i) => {
    const ok = typeof item === 'string' || (Array.isArray(item) && item.every((n) => typeof n === 'string'));
    if (!ok) throw new VerifierArgumentError(`${field}[${i}]`, `expected a name or an array of names, got ${JSON.stringify(item)?.slice(0, 60)}`);
  });
}

/**
 * Verifies that a completion mentions the required concepts and not the forbidden ones.
 *
 * @throws {@link VerifierArgumentError} naming the field: `required` / `forbidden` (or an item, `required[2]`) when
 *   not a list of names, `synonyms` when malformed, `forbiddenPenalty` when negative.
 */
export function verifyKeywords(completion: string, ref: KeywordReference): VerificationResult {
  expectObject(ref, 'ref', 'a keyword reference');
  checkItems(ref.required, 'required');
  if (ref.forbidden !== undefined) checkItems(ref.forbidden, 'forbidden');
  if (ref.synonyms !== undefined) {
    expectObject(ref.synonyms, 'synonyms', 'a canonical name → synonyms');
    for (const [k, v] of Object.entries(ref.synonyms)) {
      if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new VerifierArgumentError(`synonyms.${k}`, `expected an array of names, got ${JSON.stringify(v)?.slice(0, 60)}`);
    }
  }
  const penalty = ref.forbiddenPenalty ?? 1;
  if (!(penalty >= 0)) throw new VerifierArgumentError('forbiddenPenalty', `expected ≥ 0, got ${penalty}`);
  const negation = ref.negation ?? true;
  const text = typeof completion === 'string' ? norm(answerText(completion)) : '';
  const excluded = excludedRanges(text, typeof ref.prompt === 'string' ? { prompt: norm(ref.prompt) } : {});
  const hedgedRequired: string[] = [];
  const questionedRequired: string[] = [];
  const found: string[] = [];
  const missing: string[] = [];
  const negatedRequired: string[] = [];
  for (const item of ref.required) {
    const names = namesOf(item, ref.synonyms);
    const label = names[0] ?? '';
    const m = names.length ? findMention(text, names, negation, excluded) : 'no';
    if (m === 'yes') found.push(label);
    else {
      missing.push(label);
      if (m === 'negated') negatedRequired.push(label);
      if (m === 'hedged') hedgedRequired.push(label);
      if (m === 'questioned') questionedRequired.push(label);
    }
  }
  const violations: string[] = [];
  for (const item of ref.forbidden ?? []) {
    const names = namesOf(item, ref.synonyms);
    const m = names.length ? findMention(text, names, negation, excluded) : 'no';
    if (m === 'yes' || m === 'hedged' || m === 'questioned') violations.push(names[0]!);
  }
  const total = ref.required.length;
  const recall = total === 0 ? 1 : found.length / total;
  const reward = Math.max(0, recall - penalty * violations.length);
  const verdict = reward >= 1 ? 'correct' : reward <= 0 ? 'incorrect' : 'partial';
  const parts = [`${found.length}/${total} required`];
  if (missing.length) parts.push(`missing: ${missing.join(', ')}`);
  if (negatedRequired.length) parts.push(`negated: ${negatedRequired.join(', ')}`);
  if (hedgedRequired.length) parts.push(`hedged (only as an alternative): ${hedgedRequired.join(', ')}`);
  if (questionedRequired.length) parts.push(`only asked about: ${questionedRequired.join(', ')}`);
  if (violations.length) parts.push(`forbidden: ${violations.join(', ')}`);
  return {
    reward,
    verdict,
    evidence: parts.join('; '),
    source: 'rule',
    details: { recall, found, missing, negated: negatedRequired, hedged: hedgedRequired, questioned: questionedRequired, forbidden: violations },
  };
}

/** A {@link Verifier} (the context's `prompt` fills the reference's, see `withPrompt`) for keyword / test-ordering answers. */
export const keywordsVerifier: Verifier<KeywordReference> = {
  name: 'keywords',
  verify: (completion, ref, context) => verifyKeywords(completion, withPrompt(ref, context)),
};
