/**
 * The stages in run order, and the pure run plan: which stages run, which are reused from an earlier run
 * (finished, checksums verified by the caller) and which are skipped.
 *
 * @packageDocumentation
 */
import type { RecipeConfig } from '../config/schema';
import { STAGE_NAMES, type StageName } from '../config/stage-names';
import { corpusStage } from './corpus';
import { evalStage } from './evaluate';
import { iftStage } from './ift';
import { pretrainStage } from './pretrain';
import { rl1Stage } from './rl1';
import { rl2Stage } from './rl2';
import { sftStage } from './sft';
import { tokenizerStage } from './tokenizer';
import type { StageDefinition } from './types';

/** Every stage, in run order. */
export const STAGES: readonly StageDefinition[] = [corpusStage, tokenizerStage, pretrainStage, iftStage, sftStage, rl1Stage, rl2Stage, evalStage];

/** The stage called `name`. */
export function stageByName(name: StageName): StageDefinition {
  return STAGES.find((s) => s.name === name)!;
}

/** What happens to one stage in a run. */
export type StageAction = 'run' | 'reuse' | 'skip';

/** One stage of a {@link RunPlan}. */
export interface PlannedStage {
  name: StageName;
  action: StageAction;
  /** Why (for logs and `--dry-run`). */
  reason: string;
  /** The stage's own plan. */
  details: Record<string, unknown>;
}

/** A run plan. */
export type RunPlan = PlannedStage[];

/** Options of {@link planRun}. */
export interface PlanRunOptions {
  /** Stages whose outputs are finished and verified (from the run manifest, for this config). */
  finished: ReadonlySet<StageName>;
  /** Run only this stage (re-run even when finished). */
  only?: StageName;
}

/** The plan of a run (pure). */
export function planRun(config: RecipeConfig, options: PlanRunOptions): RunPlan {
  let dirty = false; // once a stage runs, every later stage runs too (its inputs changed)
  return STAGE_NAMES.map((name) => {
    const details = stageByName(name).plan(config);
    if (options.only !== undefined) {
      return name === options.only
        ? { name, action: 'run' as const, reason: 'requested alone', details }
        : { name, action: options.finished.has(name) ? ('reuse' as const) : ('skip' as const), reason: 'not requested', details };
    }
    if (config.skip.includes(name)) return { name, action: 'skip' as const, reason: 'in skip', details };
    if (options.finished.has(name) && !dirty) return { name, action: 'reuse' as const, reason: 'finished, checksums verified', details };
    const reason = options.finished.has(name) ? 'an earlier stage runs again' : 'not finished';
    dirty = true;
    return { name, action: 'run' as const, reason, details };
  });
}
