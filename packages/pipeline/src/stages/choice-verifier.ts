/**
 * The stage-1 verifier of multiple-choice answers: `@quarkmed/verifier`'s hybrid verifier with the multiple-choice
 * rules first and, when they are inconclusive (an answer that names no option's letter or text), the model
 * component: the Disease Ontology resolver, then the learned equivalence judge, against the correct option's text.
 *
 * @packageDocumentation
 */
import type { InstructionSample } from '@quarkmed/data-synth';
import {
  EquivalenceJudge,
  HybridVerifier,
  OntologyVerifier,
  multipleChoiceVerifier,
  type HybridMode,
  type MultipleChoiceReference,
  type VerificationResult,
  type Verifier,
} from '@quarkmed/verifier';

/** A multiple-choice reference with the gold option's text (what the model component compares against). */
export interface ChoiceReference extends MultipleChoiceReference {
  goldText: string;
}

/** The reference of a verifiable multiple-choice sample. */
export function choiceReference(sample: InstructionSample, prompt: string): ChoiceReference | undefined {
  if (sample.reference?.kind !== 'multiple-choice' || !sample.options) return undefined;
  const gold = sample.reference.value;
  const options = Object.fromEntries(sample.options.map((o) => [o.letter, o.text]));
  const goldText = options[gold];
  return goldText === undefined ? undefined : { answer: gold, options, prompt, goldText };
}

/** The model component on the gold option's text: ontology first, the learned judge where it is unsure. */
function optionTextJudge(judge: EquivalenceJudge): Verifier<ChoiceReference> {
  const inner = new HybridVerifier<string>({ rule: new OntologyVerifier(), model: judge });
  return { name: 'option-text-judge', verify: (c: string, ref: ChoiceReference): Promise<VerificationResult> => inner.verify(c, ref.goldText, { prompt: ref.prompt }) };
}

/** The stage-1 verifier in `mode` (`hybrid`, or `rule-only` / `model-only` for the ablations). */
export function choiceVerifier(judge: EquivalenceJudge, mode: HybridMode): HybridVerifier<ChoiceReference> {
  return new HybridVerifier<ChoiceReference>({ rule: multipleChoiceVerifier, model: optionTextJudge(judge), mode });
}
