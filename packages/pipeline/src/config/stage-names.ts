/**
 * The stages of the QuarkMed recipe, in the order they run.
 *
 * @packageDocumentation
 */

/** Stage names in run order. */
export const STAGE_NAMES = ['corpus', 'tokenizer', 'pretrain', 'ift', 'sft', 'rl1', 'rl2', 'eval'] as const;

/** One of {@link STAGE_NAMES}. */
export type StageName = (typeof STAGE_NAMES)[number];

/** Stages that produce a model checkpoint (so they can be started from a given checkpoint). */
export const MODEL_STAGES: readonly StageName[] = ['pretrain', 'ift', 'sft', 'rl1', 'rl2'];

/** Whether `name` is a stage name. */
export function isStageName(name: string): name is StageName {
  return (STAGE_NAMES as readonly string[]).includes(name);
}
