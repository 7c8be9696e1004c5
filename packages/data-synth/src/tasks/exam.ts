/**
 * Exam-style multiple choice: plausible distractors drawn from the is_a hierarchy (siblings first, then cousins,
 * random entities of the same kind only when the hierarchy has too few), options shuffled with the seed and the
 * answer letter recorded.
 *
 * @packageDocumentation
 */
import { TaskError } from './errors';
import type { EntityKind, Language } from '../kg/types';
import { type Rand, shuffle } from '../random';
import type { GraphView } from './graph';
import type { ChoiceOption } from './types';

/** Where a distractor came from. */
export type DistractorTier = 'sibling' | 'cousin' | 'relative' | 'related' | 'random';

/** Candidate ids of one tier, or a function computing them only when the earlier tiers run short. */
export type TierCandidates = readonly string[] | (() => readonly string[]);

/** A chosen distractor. */
export interface Distractor {
  id: string;
  text: string;
  tier: DistractorTier;
}

/** Options of {@link pickDistractors} and {@link hierarchyDistractors}. */
export interface DistractorOptions {
  /** How many distractors to return (at most). */
  count: number;
  /** Language of the option texts; candidates with no name in it are skipped. */
  language: Language;
  rand: Rand;
  /** Ids that must never be distractors (the answer is always excluded). */
  exclude?: Iterable<string>;
  /** Option texts that must not be reused (e.g. the answer text); compared case-insensitively. */
  excludeTexts?: Iterable<string>;
  /** Extra filter on candidate ids (e.g. "is not indicated for the disease"). */
  accept?: (id: string) => boolean;
  /** Kind of random fallback entities; no random fallback when omitted. */
  fallbackKind?: EntityKind;
  /** Maps a candidate id to its option text; defaults to the entity name in `language`. */
  text?: (id: string) => string | undefined;
}

/**
 * Draws distractors from ordered candidate tiers: every candidate of the first tier (in seeded random order) before
 * any of the second, and so on; a random tier of entities of `fallbackKind` is used only when the tiers run out.
 * Distractors are distinct from each other, from the excluded ids and from the excluded texts.
 *
 * @param graph - the graph view.
 * @param tiers - candidate tiers, e.g. `[['sibling', siblings], ['cousin', cousins]]`; a tier may be a function,
 *   evaluated only when needed.
 * @param opts - see {@link DistractorOptions}.
 */
export function pickDistractors(
  graph: GraphView,
  tiers: ReadonlyArray<readonly [DistractorTier, TierCandidates]>,
  opts: DistractorOptions,
): Distractor[] {
  if (!Number.isInteger(opts.count) || opts.count < 0) {
    throw new TaskError(`pickDistractors: count must be a non-negative integer, got ${opts.count}`);
  }
  const text = opts.text ?? ((id: string) => graph.name(id, opts.language));
  const excluded = new Set(opts.exclude ?? []);
  const usedTexts = new Set([...(opts.excludeTexts ?? [])].map((s) => s.toLowerCase()));
  const out: Distractor[] = [];
  const tryAdd = (id: string, tier: DistractorTier): void => {
    if (out.length >= opts.count || excluded.has(id)) return;
    if (opts.accept && !opts.accept(id)) return;
    const t = text(id);
    if (!t || usedTexts.has(t.toLowerCase())) return;
    excluded.add(id);
    usedTexts.add(t.toLowerCase());
    out.push({ id, text: t, tier });
  };
  for (const [tier, ids] of tiers) {
    if (out.length >= opts.count) break;
    const list = typeof ids === 'function' ? ids() : ids;
    for (const id of shuffle([...new Set(list)].sort(), opts.rand)) tryAdd(id, tier);
  }
  if (out.length < opts.count && opts.fallbackKind) {
    const pool = graph.entities(opts.fallbackKind).map((e) => e.id);
    // Draw lazily: a handful of random probes first, then a full shuffled pass if needed.
    for (let probes = 0; probes < 8 * opts.count && out.length < opts.count && pool.length > 0; probes++) {
      tryAdd(pool[Math.floor(opts.rand() * pool.length)] as string, 'random');
    }
    if (out.length < opts.count) for (const id of shuffle(pool, opts.rand)) tryAdd(id, 'random');
  }
  return out;
}

/**
 * More distant relatives of `id` of the same kind, nearest first: descendants (up to `depth + 1` levels) of its
 * ancestors at distance 3..`maxUp`, excluding the entity, its ancestors and descendants, siblings and cousins.
 * Used after siblings and cousins, before any random fallback.
 */
export function relatives(graph: GraphView, id: string, maxUp = 4, limit = 200): string[] {
  const kind = graph.entity(id)?.kind;
  const skip = new Set([id, ...graph.siblings(id), ...graph.cousins(id), ...graph.ancestors(id), ...graph.descendants(id, 4)]);
  const out: string[] = [];
  let level = graph.parents(id);
  for (let up = 2; up <= maxUp && level.length > 0 && out.length < limit; up++) {
    level = [...new Set(level.flatMap((p) => graph.parents(p)))].sort();
    for (const a of level) {
      for (const d of graph.descendants(a, up + 1)) {
        if (skip.has(d) || (kind && graph.entity(d)?.kind !== kind)) continue;
        skip.add(d);
        out.push(d);
      }
    }
  }
  return out.slice(0, limit);
}

/**
 * Distractors for an answer entity: its siblings in the is_a hierarchy (same parent), then its cousins, then more
 * distant relatives ({@link relatives}), then (only when those are too few and `fallbackKind` is given) random
 * entities of that kind.
 *
 * @param graph - the graph view.
 * @param answerId - the correct entity; never returned.
 * @param opts - see {@link DistractorOptions}.
 */
export function hierarchyDistractors(graph: GraphView, answerId: string, opts: DistractorOptions): Distractor[] {
  const answerText = (opts.text ?? ((id: string) => graph.name(id, opts.language)))(answerId);
  return pickDistractors(
    graph,
    [
      ['sibling', graph.siblings(answerId)],
      ['cousin', graph.cousins(answerId)],
      ['relative', () => relatives(graph, answerId)],
    ],
    {
      ...opts,
      exclude: [answerId, ...(opts.exclude ?? [])],
      excludeTexts: [...(answerText ? [answerText] : []), ...(opts.excludeTexts ?? [])],
    },
  );
}

/** Option letters. */
export const LETTERS = 'ABCDEFGHIJ';

/** A shuffled multiple-choice question. */
export interface MultipleChoice {
  options: ChoiceOption[];
  /** Letter of the correct option. */
  answer: string;
}

/**
 * Shuffles the answer among the distractors with `rand` and letters the options.
 *
 * @param answer - the correct option.
 * @param distractors - the wrong options.
 * @param rand - the generator.
 * @throws TaskError when there are more than 10 options or two option texts are equal.
 */
export function buildMultipleChoice(
  answer: { text: string; entityId?: string },
  distractors: ReadonlyArray<{ text: string; id?: string }>,
  rand: Rand,
): MultipleChoice {
  const all = [
    { text: answer.text, entityId: answer.entityId, correct: true },
    ...distractors.map((d) => ({ text: d.text, entityId: d.id, correct: false })),
  ];
  if (all.length > LETTERS.length) {
    throw new TaskError(`buildMultipleChoice: at most ${LETTERS.length} options, got ${all.length}`);
  }
  const seen = new Set<string>();
  for (const o of all) {
    const k = o.text.trim().toLowerCase();
    if (seen.has(k)) throw new TaskError(`buildMultipleChoice: duplicate option text "${o.text}"`);
    seen.add(k);
  }
  const shuffled = shuffle(all, rand);
  let answerLetter = '';
  const options: ChoiceOption[] = shuffled.map((o, i) => {
    const letter = LETTERS[i] as string;
    if (o.correct) answerLetter = letter;
    return o.entityId !== undefined ? { letter, text: o.text, entityId: o.entityId } : { letter, text: o.text };
  });
  return { options, answer: answerLetter };
}

/** Formats options one per line as `A. text`. */
export function formatOptions(options: readonly ChoiceOption[]): string {
  return options.map((o) => `${o.letter}. ${o.text}`).join('\n');
}
