/**
 * The adapter from `@quarkmed/verifier` to reward functions: any `Verifier` (rule verifiers, judges, hybrid and
 * remote judges) becomes a reward function, a data-synth sample's reference is checked through the verifier
 * registry, and the format reward scores a completion's structure.
 *
 * @packageDocumentation
 */
import { formatReward, verifySample, type FormatSpec, type SampleLike, type VerifierFactoryOptions, type Verifier } from '@quarkmed/verifier';
import { RewardFunctionError } from './errors';
import type { NamedRewardFunction, RewardInput } from './reward-functions';

/** Options of {@link verifierReward}. */
export interface VerifierRewardOptions<Example, Ref> {
  /** The reference of an example; `null`/`undefined` makes the reward "not applicable" (`null`) for it. */
  referenceOf: (example: Example) => Ref | null | undefined;
  /** The metric name (default: the verifier's `name`). */
  name?: string;
}

/**
 * A reward function that scores each completion with a verifier against its example's reference
 * (`VerificationResult.reward`). Async verifiers (remote judges) run concurrently over the batch.
 *
 * @example `verifierReward(multipleChoiceVerifier, { referenceOf: (ex) => ex.reference })`
 */
export function verifierReward<Example, Ref>(verifier: Verifier<Ref>, options: VerifierRewardOptions<Example, Ref>): NamedRewardFunction<Example> {
  if (!verifier || typeof verifier.verify !== 'function') throw new RewardFunctionError(options?.name ?? 'verifier', 'verifier must have verify(completion, reference)');
  if (typeof options?.referenceOf !== 'function') throw new RewardFunctionError(options?.name ?? verifier.name, 'options.referenceOf must be a function');
  const name = options.name ?? verifier.name;
  return {
    name,
    fn: async ({ completions, examples }: RewardInput<Example>) =>
      Promise.all(
        completions.map(async (c, i) => {
          const ref = options.referenceOf(examples[i]!);
          if (ref === null || ref === undefined) return null;
          return (await verifier.verify(c, ref)).reward;
        }),
      ),
  };
}

/**
 * A reward function for examples that carry a `@quarkmed/data-synth` sample (`{ reference: { kind, value }, options? }`):
 * the registry picks the verifier of the reference's kind. Examples without a reference score `null`.
 *
 * @param options - `name` of the reward (default `verifier`); `sampleOf`, the sample of an example (default: the
 *   example itself); `factory`, options of the verifiers the registry builds
 */
export function sampleReward<Example>(
  options: { name?: string; sampleOf?: (example: Example) => SampleLike | undefined; factory?: VerifierFactoryOptions } = {},
): NamedRewardFunction<Example> {
  const sampleOf = options.sampleOf ?? ((e: Example) => e as unknown as SampleLike);
  return {
    name: options.name ?? 'verifier',
    fn: async ({ completions, examples }: RewardInput<Example>) =>
      Promise.all(
        completions.map(async (c, i) => {
          const s = sampleOf(examples[i]!);
          if (!s?.reference) return null;
          return (await verifySample(c, s, options.factory)).reward;
        }),
      ),
  };
}

/** The verifier package's format reward (sections and/or a JSON schema) as a reward function (in [0, 1]). */
export function formatRewardFunction<Example = unknown>(spec: FormatSpec, name = 'format'): NamedRewardFunction<Example> {
  if (!spec || (!(spec.sections?.length) && !spec.schema)) throw new RewardFunctionError(name, 'spec needs sections or a schema');
  return { name, fn: ({ completions }: RewardInput<Example>) => completions.map((c) => formatReward(c, spec).reward) };
}
