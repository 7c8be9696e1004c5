/** Numbered passage lists for the retrieval tasks (relevant facts mixed with distractor facts, seeded order). */
import { shuffle } from '../random';
import type { Triple } from '../kg/types';
import type { TaskContext } from './types';

/** A passage list with the 1-based numbers of the relevant passages. */
export interface PassageSet {
  passages: { n: number; text: string; triple: Triple; relevant: boolean }[];
  relevantNumbers: number[];
}

/**
 * Renders relevant and distractor facts as passages, drops any that cannot be rendered or duplicate another's text,
 * shuffles them with `ctx.rand` and numbers them from 1.
 */
export function buildPassages(ctx: TaskContext, relevant: readonly Triple[], distractors: readonly Triple[]): PassageSet | null {
  const seen = new Set<string>();
  const items: { text: string; triple: Triple; relevant: boolean }[] = [];
  for (const [list, rel] of [[relevant, true], [distractors, false]] as const) {
    for (const t of list) {
      const text = ctx.render(t, ctx.language);
      if (!text || seen.has(text)) continue;
      seen.add(text);
      items.push({ text, triple: t, relevant: rel });
    }
  }
  if (!items.some((i) => i.relevant) || !items.some((i) => !i.relevant)) return null;
  const passages = shuffle(items, ctx.rand).map((p, i) => ({ ...p, n: i + 1 }));
  return { passages, relevantNumbers: passages.filter((p) => p.relevant).map((p) => p.n) };
}

/** `[1] text` lines. */
export function formatPassages(set: PassageSet): string {
  return set.passages.map((p) => `[${p.n}] ${p.text}`).join('\n');
}
