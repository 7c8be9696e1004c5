/**
 * Instruction data of the recipe from data-synth's task registry: samples split by entity (train for IFT, SFT and
 * RL; test for evaluation), flattened to prompt/response, and encoded for supervised training with the prompt's
 * labels masked.
 *
 * @packageDocumentation
 */
import { generateTasks, splitByEntity, toPromptResponse, type InstructionSample, type KnowledgeGraph, type Language, type SplitName } from '@quarkmed/data-synth';
import { IGNORE_INDEX, type Tokenizer, type TrainExample } from '@quarkmed/model';

/** Options of {@link instructionSamples}. */
export interface InstructionSampleOptions {
  seed: number;
  split: SplitName;
  languages: readonly Language[];
  countPerTask: number;
  /** Only these task names (default: every registered task). */
  tasks?: readonly string[];
}

/** Samples of every registered task type (all four ability dimensions) of one entity split, in every language. */
export function instructionSamples(kg: KnowledgeGraph, o: InstructionSampleOptions): InstructionSample[] {
  const entitySplit = splitByEntity(kg, { seed: o.seed });
  return o.languages.flatMap((language) =>
    generateTasks(kg, { countPerTask: o.countPerTask, seed: o.seed, language, split: { entitySplit, name: o.split }, ...(o.tasks ? { tasks: o.tasks } : {}) }),
  );
}

/** The answer format RL rewards and evaluation reads: one JSON object. */
export const ANSWER_FORMAT = { schema: { type: 'object', required: ['answer'] } } as const;

/** A verifiable sample's prompt asking for the JSON answer format. */
export function answerPrompt(sample: InstructionSample): string {
  const { prompt } = toPromptResponse(sample);
  return `${prompt}\nReply with JSON: {"answer": "<letter>"}\n`;
}

/** The cold-start target: the sample's own explanation as reasoning, then the JSON answer. */
export function coldStartResponse(sample: InstructionSample): string {
  const { response } = toPromptResponse(sample);
  const answer = sample.reference?.kind === 'multiple-choice' ? sample.reference.value : response;
  return `<think>${response.slice(0, 160)}</think>\n${JSON.stringify({ answer })}`;
}

/** Whether a sample has a single multiple-choice reference (verifiable by the multiple-choice verifier). */
export function isVerifiableChoice(sample: InstructionSample): boolean {
  return sample.reference?.kind === 'multiple-choice' && !sample.reference.value.includes(',');
}

/**
 * Encodes prompt + response + EOS with the prompt's labels masked (`IGNORE_INDEX`); the prompt is cut from the
 * left so that at most `maxTokens` remain and the response keeps at least half of them.
 */
export function supervisedExample(tokenizer: Tokenizer, prompt: string, response: string, maxTokens: number): TrainExample {
  const eos = tokenizer.eosTokenId ?? 0;
  const r = [...tokenizer.encode(response), eos].slice(0, Math.ceil(maxTokens / 2));
  const p = [...tokenizer.encode(prompt)].slice(-(maxTokens - r.length));
  return { inputIds: [...p, ...r], labels: [...p.map(() => IGNORE_INDEX), ...r] };
}

/** Whether `prompt` leaves room for `newTokens` in the model's context. */
export function fitsContext(tokenizer: Pick<Tokenizer, 'encode'>, prompt: string, newTokens: number, maxSeqLen: number): boolean {
  return tokenizer.encode(prompt).length + newTokens <= maxSeqLen;
}
