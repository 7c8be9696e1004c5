/**
 * DPO pairs built from G sampled completions per prompt: the best against the worst reward (the report's
 * DPO-vs-GRPO comparison). Groups whose best and worst rewards are equal give no pair; ties for best or worst are
 * broken with a seeded generator.
 *
 * @packageDocumentation
 */
import { mulberry32 } from '@quarkmed/model';
import { GrpoInputError } from '../math/input-error';

/** One preference pair, by completion index (row of the batch). */
export interface PreferencePair {
  /** Prompt group index (rows group·G … group·G + G − 1). */
  group: number;
  /** Row of the chosen (highest-reward) completion. */
  chosen: number;
  /** Row of the rejected (lowest-reward) completion. */
  rejected: number;
  /** Its reward. */
  chosenReward: number;
  /** Its reward. */
  rejectedReward: number;
}

/** What {@link buildPreferencePairs} returns. */
export interface PreferencePairs {
  /** One pair per group with a reward spread, in group order. */
  pairs: PreferencePair[];
  /** Groups without a pair: all scorable rewards equal, or fewer than two scorable completions. */
  skippedGroups: number[];
}

/**
 * Best-vs-worst pairs from rewards of G completions per prompt (contiguous groups). `null` rewards (unscorable)
 * take no part. Among equal best (or worst) rewards the generator seeded with `seed` picks one, so the same
 * inputs and seed always give the same pairs.
 *
 * @throws {@link GrpoInputError} for a length that is not a multiple of G, a non-finite reward or a bad seed
 */
export function buildPreferencePairs(rewards: ReadonlyArray<number | null>, numGenerations: number, seed: number): PreferencePairs {
  if (!Number.isInteger(numGenerations) || numGenerations < 2) throw new GrpoInputError('numGenerations', `must be an integer >= 2, got ${numGenerations}`);
  if (!Array.isArray(rewards) || rewards.length === 0 || rewards.length % numGenerations !== 0) {
    throw new GrpoInputError('rewards', `must be a non-empty array whose length is a multiple of numGenerations (${numGenerations})`);
  }
  if (!Number.isFinite(seed)) throw new GrpoInputError('seed', `must be a finite number, got ${seed}`);
  rewards.forEach((r, i) => {
    if (r !== null && (typeof r !== 'number' || !Number.isFinite(r))) throw new GrpoInputError(`rewards.${i}`, `must be a finite number or null, got ${String(r)}`);
  });
  const rng = mulberry32(seed);
  const pairs: PreferencePair[] = [];
  const skippedGroups: number[] = [];
  for (let q = 0; q < rewards.length / numGenerations; q++) {
    const rows: number[] = [];
    for (let r = 0; r < numGenerations; r++) if (rewards[q * numGenerations + r] !== null) rows.push(q * numGenerations + r);
    const values = rows.map((i) => rewards[i] as number);
    const best = Math.max(...values);
    const worst = Math.min(...values);
    if (rows.length < 2 || best === worst) {
      skippedGroups.push(q);
      continue;
    }
    const pick = (target: number): number => {
      const tied = rows.filter((i) => rewards[i] === target);
      return tied.length === 1 ? tied[0]! : tied[Math.floor(rng() * tied.length)]!;
    };
    const chosen = pick(best);
    const rejected = pick(worst);
    pairs.push({ group: q, chosen, rejected, chosenReward: best, rejectedReward: worst });
  }
  return { pairs, skippedGroups };
}
