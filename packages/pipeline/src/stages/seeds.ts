/**
 * Per-stage seeds derived from the run's seed, so re-running one stage alone draws the same random choices.
 *
 * @packageDocumentation
 */
import { deriveSeed } from '@quarkmed/data-synth';
import type { StageName } from '../config/stage-names';

/** The seed of `stage` (and an optional purpose within it) under the run seed. */
export function stageSeed(seed: number, stage: StageName, purpose = ''): number {
  return deriveSeed(seed, `quarkmed:${stage}:${purpose}`) >>> 0;
}
