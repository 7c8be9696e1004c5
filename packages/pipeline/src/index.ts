export { PipelineError } from './error';

// pipeline-eval: benchmark loaders, prompts, scoring, accuracy with Wilson CIs, predictions, evaluation models
export type { BenchmarkName, EvalItem, ChoiceItem, YesNoMaybeItem, OpenItem, ItemSource } from './eval/types';
export { EvalDataError } from './eval/eval-data-error';
export { EvalOptionError } from './eval/eval-option-error';
export { readTextInput, type TextInput } from './eval/text-input';
export { readJsonRecords, detectJsonLayout, type JsonRecord, type JsonLayout } from './eval/json-records';
export { readCsvRows, type CsvRow } from './eval/csv-records';
export type { LoaderOptions } from './eval/record-source';
export { loadMedQA, type MedQAOptions } from './eval/loaders/medqa';
export { loadMedMCQA, type MedMCQAOptions } from './eval/loaders/medmcqa';
export { loadCMExam } from './eval/loaders/cmexam';
export { loadCNMLEQA } from './eval/loaders/cnmleqa';
export { loadPubMedQA } from './eval/loaders/pubmedqa';
export { loadMMLU, MMLU_MEDICAL_SUBJECTS, type MMLUOptions } from './eval/loaders/mmlu';
export { loadMedBullets, type MedBulletsOptions } from './eval/loaders/medbullets';
export { loadCMBClin } from './eval/loaders/cmb-clin';
export { BENCHMARKS, benchmarkNames, benchmarkEntry, loadBenchmark, type BenchmarkEntry, type LoadBenchmarkOptions } from './eval/benchmarks';
export { buildKnowledgeProbes, PROBE_TASKS, type KnowledgeProbeOptions } from './eval/knowledge-probes';
export { buildEvalPrompt, answerInstruction, questionBlock, type EvalPromptParts } from './eval/prompt';
export { promptHash, sha256Hex } from './eval/prompt-hash';
export { wilsonInterval, Z_95, type Interval } from './eval/wilson';
export { scoreOutputs, type ScoringOptions, type ItemScore, type ScoringInput } from './eval/scoring';
export { accuracyReport, type AccuracyCell, type AccuracyReport } from './eval/accuracy';
export { serializePredictions, parsePredictions, PREDICTIONS_VERSION, type Prediction, type PredictionPassage } from './eval/predictions';
export {
  buildLikelihoodPrompt,
  likelihoodContinuations,
  likelihoodChoice,
  likelihoodValue,
  scoreLikelihood,
  ANSWER_STEM,
  type ScoringMode,
  type LikelihoodMetric,
  type LikelihoodContinuation,
  type LikelihoodOption,
  type LikelihoodRecord,
} from './eval/likelihood';
export { evaluate, rescore, EvalRunError, type EvaluateOptions, type EvalReport, type EvalRun } from './eval/harness';
export { formatReportTable } from './eval/report-table';
export { toMessages, generationParams, type ContinuationScore, type EvalScoreOptions, type EvalModel, type EvalMessage, type EvalPrompt, type EvalGenerateOptions, type GenerationParams } from './models/eval-model';
export { EvalModelError, EvalModelConfigError, EvalModelHttpError, EvalModelRequestError, EvalModelResponseError, EvalModelAbortError } from './models/model-errors';
export { LocalModel, LocalModelInputError, type LocalModelOptions } from './models/local-model';
export { OpenAICompatibleModel, type OpenAICompatibleModelOptions, type OpenAIClientStats } from './models/openai-compatible-model';
export { MemoryAnswerCache, answerCacheKey, type AnswerCache } from './models/answer-cache';
export { ConcurrencyLimit } from './models/concurrency-limit';
export { Backoff, parseRetryAfter, isRetryableStatus, type BackoffOptions } from './models/retry-policy';

// pipeline-recipe: the recipe config, stages (pure plans + runs on a context), effects and the HTML report
export { recipeConfigSchema, type RecipeConfig, type RecipeConfigInput, type RecipeGrpoConfig } from './config/schema';
export { parseRecipeConfig, parseRecipeConfigText, parseConfigDocument, mergeConfig } from './config/parse';
export { RecipeConfigError } from './config/config-error';
export { SCALES, SCALE_NAMES, withScale, type ScaleName } from './config/scales';
export { STAGE_NAMES, MODEL_STAGES, isStageName, type StageName } from './config/stage-names';
export { STAGES, stageByName, planRun, type RunPlan, type PlannedStage, type StageAction, type PlanRunOptions } from './stages/registry';
export { StageError } from './stages/stage-error';
export { stageSeed } from './stages/seeds';
export type { StageContext, StageDefinition, StageOutput, StageFile, StageProgress, StageTrainerStore, Curve } from './stages/types';
export type { EvalResults } from './stages/evaluate';
export { wilson, difference, type Accuracy, type Difference } from './report/interval';
export { computeEffects, formatEffectsTable, effectRows, type Effect } from './report/effects';
export { renderReportHtml, type ReportData, type PlotLibrary } from './report/html';
