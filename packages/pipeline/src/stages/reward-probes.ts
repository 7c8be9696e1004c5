/**
 * Labelled completions for the stage-1 reward accuracy: for held-out multiple-choice questions, the gold letter
 * (correct), a wrong letter (incorrect), the gold option named by a synonym from the knowledge graph (correct) and
 * a distractor option's name (incorrect). A verifier is right when its reward (>= 0.5) agrees with the label.
 *
 * @packageDocumentation
 */
import type { InstructionSample, KnowledgeGraph } from '@quarkmed/data-synth';
import type { Verifier } from '@quarkmed/verifier';
import { choiceReference, type ChoiceReference } from './choice-verifier';
import { answerPrompt } from './instruction-data';

/** One labelled completion. */
export interface RewardProbe {
  completion: string;
  reference: ChoiceReference;
  correct: boolean;
  kind: 'letter' | 'wrong-letter' | 'synonym' | 'distractor-name';
}

/** Builds up to `count` labelled completions from held-out samples (pure). */
export function buildRewardProbes(kg: KnowledgeGraph, samples: readonly InstructionSample[], count: number): RewardProbe[] {
  const out: RewardProbe[] = [];
  for (const s of samples) {
    if (out.length >= count) break;
    const ref = choiceReference(s, answerPrompt(s));
    if (!ref || !s.options) continue;
    const gold = s.options.find((o) => o.letter === ref.answer)!;
    const wrong = s.options.find((o) => o.letter !== ref.answer)!;
    out.push({ completion: JSON.stringify({ answer: gold.letter }), reference: ref, correct: true, kind: 'letter' });
    out.push({ completion: JSON.stringify({ answer: wrong.letter }), reference: ref, correct: false, kind: 'wrong-letter' });
    const synonym = gold.entityId ? kg.entity(gold.entityId)?.synonyms?.find((x) => x.toLowerCase() !== gold.text.toLowerCase()) : undefined;
    if (synonym) out.push({ completion: `Answer: ${synonym}`, reference: ref, correct: true, kind: 'synonym' });
    out.push({ completion: `Answer: ${wrong.text}`, reference: ref, correct: false, kind: 'distractor-name' });
  }
  return out.slice(0, count);
}

/** How many probes `verifier` scores in agreement with their labels. */
export async function rewardAgreement(verifier: Verifier<ChoiceReference>, probes: readonly RewardProbe[]): Promise<number> {
  let ok = 0;
  for (const p of probes) if (((await verifier.verify(p.completion, p.reference)).reward >= 0.5) === p.correct) ok++;
  return ok;
}
