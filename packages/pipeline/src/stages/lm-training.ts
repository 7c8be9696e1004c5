/**
 * Language-model training for the pre-training, instruction and cold-start stages: the model package's `Trainer`
 * with a persistent store, periodic checkpoints and resume from the latest one (so a killed stage continues where
 * it stopped, with the same data order and optimizer state).
 *
 * @packageDocumentation
 */
import { Trainer, cosineWithWarmup, type LlamaModel, type TrainExample } from '@quarkmed/model';
import type { StageContext } from './types';

/** Options of {@link trainLm}. */
export interface TrainLmOptions {
  /** The store's name within the stage (e.g. `main`, `baseline`). */
  name: string;
  steps: number;
  batchSize: number;
  lr: number;
  checkpointEvery: number;
  seed: number;
  /** Held-out examples for the final evaluation loss. */
  evalData?: TrainExample[];
}

/** What {@link trainLm} measured. */
export interface TrainLmResult {
  /** `[step, loss]` of every step, including those before a resume (read back from the store's log). */
  losses: [number, number][];
  evalLoss: number | null;
  resumedFrom: string | null;
}

/** Trains `model` on `examples` (labels -100 are ignored), resuming from the store's latest checkpoint. */
export async function trainLm(ctx: StageContext, model: LlamaModel, examples: TrainExample[], o: TrainLmOptions): Promise<TrainLmResult> {
  const store = ctx.trainerStore(o.name);
  const warmupSteps = Math.max(1, Math.floor(o.steps / 20));
  const trainer = new Trainer({
    model,
    lr: cosineWithWarmup({ warmupSteps, totalSteps: Math.max(o.steps, warmupSteps + 1), peakLr: o.lr, minLr: o.lr / 10 }),
    batchSize: Math.min(o.batchSize, examples.length),
    seed: o.seed,
    store,
    checkpointEvery: o.checkpointEvery,
    onStep: (log) => ctx.progress.step(ctx.stage, log.step, o.steps, { loss: log.loss }),
  });
  let resumedFrom: string | null = null;
  if ((await store.listCheckpoints()).length > 0) {
    resumedFrom = await trainer.resume();
    ctx.progress.event(ctx.stage, 'resumed', { training: o.name, from: resumedFrom, step: trainer.step });
  }
  if (trainer.step < o.steps) await trainer.train(examples, { steps: o.steps - trainer.step });
  const evalLoss = o.evalData && o.evalData.length > 0 ? await trainer.evaluate(o.evalData) : null;
  trainer.dispose();
  return { losses: await loggedLosses(store, o.steps), evalLoss, resumedFrom };
}

/** `[step, loss]` from a store's JSONL log (the last entry of each step wins: a resumed step is logged again). */
export async function loggedLosses(store: { readLog(): Promise<string[]> }, maxStep: number, metric = 'loss'): Promise<[number, number][]> {
  const lines = await store.readLog();
  const byStep = new Map<number, number>();
  for (const line of lines) {
    try {
      const j = JSON.parse(line) as { step?: number; loss?: number; metrics?: Record<string, number> };
      const v = metric === 'loss' ? j.loss : j.metrics?.[metric];
      if (typeof j.step === 'number' && j.step <= maxStep && typeof v === 'number' && Number.isFinite(v)) byStep.set(j.step, v);
    } catch {
      // a torn last line after a kill is not a step
    }
  }
  return [...byStep.entries()].sort((a, b) => a[0] - b[0]);
}
