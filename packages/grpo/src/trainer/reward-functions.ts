/**
 * Reward functions as the GRPO trainer calls them (TRL's `reward_funcs`): each scores a whole batch of
 * completions at once, sync or async (e.g. a remote judge), and returns one `number | null` per completion;
 * `null` (or `NaN`) means "not applicable to this completion", which the aggregation skips (NaN-aware sum).
 *
 * @packageDocumentation
 */
import type { FinishReason } from '@quarkmed/model';
import { RewardFunctionError } from './errors';

/** What a reward function is given: parallel arrays, one entry per completion. */
export interface RewardInput<Example = unknown> {
  /** The prompt text of each completion (repeated G times per prompt). */
  prompts: readonly string[];
  /** The decoded completion text. */
  completions: readonly string[];
  /** The completion's token ids (including a final EOS id when it stopped). */
  completionIds: readonly (readonly number[])[];
  /** The dataset example each completion answers (TRL passes the dataset's other columns as kwargs). */
  examples: readonly Example[];
  /** Why each completion ended (`'stop'`: terminated, `'length'`: truncated at `maxCompletionLength`). */
  finishReasons: readonly FinishReason[];
}

/** A reward function: one `number | null` per completion (`null`: not applicable). May be async. */
export type RewardFn<Example = unknown> = (input: RewardInput<Example>) => ArrayLike<number | null> | Promise<ArrayLike<number | null>>;

/** A named reward function (the name appears in the metrics as `rewards/<name>/mean`). */
export interface NamedRewardFunction<Example = unknown> {
  name: string;
  fn: RewardFn<Example>;
}

/** A reward function given to the trainer: named, or a plain function (named after `fn.name`, else `reward_<i>`). */
export type RewardFunction<Example = unknown> = RewardFn<Example> | NamedRewardFunction<Example>;

/**
 * Names and checks reward functions: plain functions take their `name`, anonymous ones `reward_<i>`; duplicates get
 * a `_<i>` suffix so every metric key is unique.
 *
 * @throws {@link RewardFunctionError} for an entry that is neither a function nor `{ name, fn }`, or an empty list
 */
export function normalizeRewardFunctions<Example>(funcs: readonly RewardFunction<Example>[]): NamedRewardFunction<Example>[] {
  if (!Array.isArray(funcs) || funcs.length === 0) throw new RewardFunctionError('rewardFuncs', 'at least one reward function is required');
  const seen = new Set<string>();
  return funcs.map((f, i) => {
    let named: NamedRewardFunction<Example>;
    if (typeof f === 'function') named = { name: f.name && f.name !== 'fn' ? f.name : `reward_${i}`, fn: f };
    else if (f !== null && typeof f === 'object' && typeof f.fn === 'function' && typeof f.name === 'string' && f.name.length > 0) named = { name: f.name, fn: f.fn };
    else throw new RewardFunctionError(`rewardFuncs[${i}]`, 'must be a function or { name: string, fn: function }');
    let name = named.name;
    if (seen.has(name)) name = `${name}_${i}`;
    seen.add(name);
    return { name, fn: named.fn };
  });
}

/**
 * Runs every reward function over the batch (all of them concurrently, so async judges overlap) and checks the
 * results: `[function][completion]`, `null` for "not applicable" (NaN is read as `null`).
 *
 * @throws {@link RewardFunctionError} naming the function when it throws, or returns the wrong count, or a
 *   value that is neither a finite number nor null/NaN
 */
export async function scoreCompletions<Example>(funcs: readonly NamedRewardFunction<Example>[], input: RewardInput<Example>): Promise<(number | null)[][]> {
  const n = input.completions.length;
  return Promise.all(
    funcs.map(async ({ name, fn }) => {
      let out: ArrayLike<number | null>;
      try {
        out = await fn(input);
      } catch (error) {
        throw new RewardFunctionError(name, `threw: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
      if (out === null || out === undefined || typeof (out as ArrayLike<unknown>).length !== 'number') {
        throw new RewardFunctionError(name, `must return an array of ${n} numbers or nulls, got ${typeof out}`);
      }
      if (out.length !== n) throw new RewardFunctionError(name, `returned ${out.length} rewards for ${n} completions`);
      const row: (number | null)[] = [];
      for (let i = 0; i < n; i++) {
        const v = out[i];
        if (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v))) row.push(null);
        else if (typeof v === 'number' && Number.isFinite(v)) row.push(v);
        else throw new RewardFunctionError(name, `reward of completion ${i} must be a finite number or null, got ${String(v)}`);
      }
      return row;
    }),
  );
}
