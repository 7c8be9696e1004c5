/**
 * Training: AdamW optimizer state, learning-rate schedules, gradient clipping, seeded data order and the Trainer.
 *
 * @packageDocumentation
 */
export { cosineWithWarmup, constantLr } from './schedule';
export type { CosineWithWarmupOptions, LrSchedule } from './schedule';
export { clipByGlobalNorm, globalNorm } from './clip';
export type { ClipResult, GradList } from './clip';
export { AdamWOptimizer, OptimizerStateError } from './optimizer';
export type { AdamWConfig } from './optimizer';
export { DataOrder, epochPermutation } from './data-order';
export type { DataOrderState } from './data-order';
export { Mulberry32, mixSeed } from './rng';
export { IGNORE_INDEX, TRAINER_FILES, Trainer, TrainerError, collate } from './trainer';
export type {
  StatefulRng,
  StepLog,
  TrainBatch,
  TrainData,
  TrainExample,
  TrainResult,
  TrainableModel,
  TrainerOptions,
  TrainerStateJson,
} from './trainer';
