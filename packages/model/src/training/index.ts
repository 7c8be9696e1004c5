/**
 * Training: AdamW optimizer state, learning-rate schedules, gradient clipping, seeded data order, the loss hook,
 * the trainer's store and the Trainer.
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
export { Trainer } from './trainer';
export type { StatefulRng, StepLog, TrainData, TrainResult, TrainerOptions } from './trainer';
export { TrainerError } from './trainer-error';
export type { ComputeLoss, LossContext, LossResult } from './loss-hook';
export { collate, lmBatchWeight, lmCollator, lmLoss } from './lm-objective';
export type { TrainBatch, TrainExample, TrainableModel } from './lm-objective';
export { MemoryTrainerStore, checkStateName, checkpointName, checkpointStep, sortCheckpoints } from './trainer-store';
export type { TrainerStateFiles, TrainerStore } from './trainer-store';
export { TRAINER_FILES, decodeTrainerState, encodeTrainerState } from './trainer-state';
export type { DecodedTrainerState, NamedFloatData, TrainerStateJson } from './trainer-state';
