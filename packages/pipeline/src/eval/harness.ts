/**
 * The evaluation harness: prompts every item (optionally with retrieved passages), asks the model with bounded
 * concurrency, keeps a prediction per item, scores with `@quarkmed/verifier` and reports accuracy with 95% Wilson
 * intervals overall and per subject. `rescore(predictions)` scores a predictions file again without generating;
 * given the predictions of an earlier run (`previous`), `evaluate` reuses every one whose model id and prompt hash
 * still match and generates only the rest.
 *
 * `scoring: 'likelihood'` answers each item without generating: the option whose continuation the model finds most
 * likely (`EvalModel.scoreContinuations`; see `likelihood.ts` for the prompt, the continuations and `acc` /
 * `acc_norm`). Its predictions record every option's score, so `rescore` picks the same options again.
 *
 * @packageDocumentation
 */
import type { Document, Retriever } from '@quarkmed/rag';
import { EvalModelAbortError, EvalModelError } from '../models/model-errors';
import { generationParams, type ContinuationScore, type EvalModel, type GenerationParams } from '../models/eval-model';
import { accuracyReport, type AccuracyReport } from './accuracy';
import { EvalOptionError } from './eval-option-error';
import { PREDICTIONS_VERSION, type Prediction } from './predictions';
import {
  buildLikelihoodPrompt,
  likelihoodChoice,
  likelihoodContinuations,
  scoreLikelihood,
  type LikelihoodContinuation,
  type LikelihoodMetric,
  type LikelihoodRecord,
  type ScoringMode,
} from './likelihood';
import { buildEvalPrompt } from './prompt';
import { promptHash } from './prompt-hash';
import { scoreOutputs, type ItemScore, type ScoringOptions } from './scoring';
import type { EvalItem } from './types';
import { PipelineError } from '../error';

/** Options of {@link evaluate}. */
export interface EvaluateOptions extends ScoringOptions {
  items: readonly EvalItem[];
  model: EvalModel;
  /** Retrieval: passages for each question from this retriever are packaged into the prompt. */
  retriever?: Retriever;
  /** Most passages per prompt (default: all the retriever returns). */
  maxPassages?: number;
  /** Evaluate only the first `limit` items. */
  limit?: number;
  /** Questions in flight at once (default 1). */
  concurrency?: number;
  /** Generation parameters (default: greedy, `temperature: 0`; unused by likelihood scoring). */
  params?: GenerationParams;
  /**
   * `generate` (default): the model's generated answer, parsed and scored by the verifier; `likelihood`: the option
   * with the highest log-likelihood under the model (needs `model.scoreContinuations`; single-response multiple
   * choice and yes/no/maybe items only).
   */
  scoring?: ScoringMode;
  /** Likelihood scoring's ranking: `acc_norm` (default, log-probability per UTF-8 byte) or `acc` (summed). */
  likelihoodMetric?: LikelihoodMetric;
  /** Likelihood scoring's multiple-choice continuation: the option's `text` (default) or its `letter`. */
  likelihoodContinuation?: LikelihoodContinuation;
  /** Predictions of an earlier run to reuse (same item, model id and prompt hash). */
  previous?: readonly Prediction[];
  /** Called after each prediction (done = finished so far). */
  onPrediction?: (prediction: Prediction, done: number, total: number) => void;
  signal?: AbortSignal;
}

/** The report of one run. */
export interface EvalReport extends AccuracyReport {
  /** The benchmark of the items (`mixed` when they come from several). */
  benchmark: string;
  modelId: string;
  retrieval: boolean;
  /** How the items were answered (`mixed` when predictions of both modes are scored together). */
  scoring: ScoringMode | 'mixed';
}

/** The result of {@link evaluate} and {@link rescore}. */
export interface EvalRun {
  predictions: Prediction[];
  scores: ItemScore[];
  report: EvalReport;
  /** Predictions reused from `previous` (not generated again). */
  reused: number;
}

/** A failure of the run at one item (the cause is the model's error). */
export class EvalRunError extends PipelineError {
  constructor(
    readonly itemId: string,
    options: { cause: unknown },
  ) {
    super(`item ${itemId}: ${options.cause instanceof Error ? options.cause.message : String(options.cause)}`, options);
  }
}

function checkPositiveInt(name: string, v: number | undefined): void {
  if (v !== undefined && (!Number.isInteger(v) || v < 1)) throw new EvalOptionError(name, `must be a positive integer, got ${String(v)}`);
}

function passageInfo(docs: readonly Document[]): Prediction['retrieval'] {
  return {
    passages: docs.map((d, i) => ({
      n: i + 1,
      ...(typeof d.metadata?.id === 'string' ? { id: d.metadata.id } : {}),
      ...(typeof d.metadata?.source === 'string' ? { source: d.metadata.source } : {}),
    })),
  };
}

function reportOf(predictions: readonly Prediction[], scores: ItemScore[]): EvalReport {
  const benchmarks = [...new Set(predictions.map((p) => p.benchmark))];
  const models = [...new Set(predictions.map((p) => p.modelId))];
  return {
    benchmark: benchmarks.length === 1 ? benchmarks[0]! : benchmarks.length === 0 ? 'none' : 'mixed',
    modelId: models.length === 1 ? models[0]! : models.length === 0 ? 'none' : 'mixed',
    retrieval: predictions.length > 0 && predictions.every((p) => p.retrieval !== null),
    scoring: predictions.every((p) => (p.scoring ?? 'generate') === 'generate') ? 'generate' : predictions.every((p) => p.scoring === 'likelihood') ? 'likelihood' : 'mixed',
    ...accuracyReport(scores),
  };
}

/** Scores predictions: likelihood ones from their recorded option scores, generated ones by the verifier. */
async function scorePredictions(predictions: readonly Prediction[], options: ScoringOptions): Promise<ItemScore[]> {
  const out: ItemScore[] = new Array(predictions.length);
  const generated: number[] = [];
  predictions.forEach((p, i) => {
    if (p.likelihood) out[i] = scoreLikelihood(p.item, p.likelihood);
    else generated.push(i);
  });
  const scores = await scoreOutputs(
    generated.map((i) => {
      const p = predictions[i]!;
      return { item: p.item, output: p.output, prompt: p.prompt.map((m) => m.content).join('\n') };
    }),
    options,
  );
  generated.forEach((i, k) => (out[i] = scores[k]!));
  return out;
}

function sameContinuations(a: readonly { key: string; continuation: string }[], b: readonly { key: string; continuation: string }[]): boolean {
  return a.length === b.length && a.every((x, i) => x.key === b[i]!.key && x.continuation === b[i]!.continuation);
}

/**
 * Runs a model on benchmark items and scores the outputs.
 *
 * @throws {@link EvalOptionError} for a bad option (naming `scoring` for likelihood scoring with a model without
 * `scoreContinuations`, e.g. `OpenAICompatibleModel`, or with an item it cannot answer); {@link EvalRunError} naming the item when the model fails on
 * it (a failed request is never scored as a wrong answer); the model's abort error when `signal` aborts.
 */
export async function evaluate(options: EvaluateOptions): Promise<EvalRun> {
  if (!Array.isArray(options.items)) throw new EvalOptionError('items', 'must be an array of items');
  if (!options.model || typeof options.model.generate !== 'function') throw new EvalOptionError('model', 'must be an EvalModel');
  checkPositiveInt('limit', options.limit);
  checkPositiveInt('concurrency', options.concurrency);
  checkPositiveInt('maxPassages', options.maxPassages);
  const items = options.limit !== undefined ? options.items.slice(0, options.limit) : [...options.items];
  const ids = new Set<string>();
  for (const it of items) {
    if (ids.has(it.id)) throw new EvalOptionError('items', `duplicate item id ${JSON.stringify(it.id)}`);
    ids.add(it.id);
  }
  const scoring = options.scoring ?? 'generate';
  if (scoring !== 'generate' && scoring !== 'likelihood') throw new EvalOptionError('scoring', `must be generate or likelihood, got ${String(scoring)}`);
  const metric = options.likelihoodMetric ?? 'acc_norm';
  if (metric !== 'acc' && metric !== 'acc_norm') throw new EvalOptionError('likelihoodMetric', `must be acc or acc_norm, got ${String(metric)}`);
  const contMode = options.likelihoodContinuation ?? 'text';
  if (contMode !== 'text' && contMode !== 'letter') throw new EvalOptionError('likelihoodContinuation', `must be text or letter, got ${String(contMode)}`);
  const likelihood = scoring === 'likelihood';
  if (likelihood) {
    if (typeof options.model.scoreContinuations !== 'function') {
      throw new EvalOptionError('scoring', `likelihood scoring needs a model that exposes log-probabilities (scoreContinuations); ${options.model.id} does not (e.g. an OpenAICompatibleModel: use scoring 'generate')`);
    }
    for (const it of items) likelihoodContinuations(it, contMode);
  }
  const params: GenerationParams = likelihood ? {} : { temperature: 0, ...generationParams(options.params ?? {}) };
  const modelId = options.model.id;
  const previous = new Map<string, Prediction>();
  for (const p of options.previous ?? []) if (p.modelId === modelId) previous.set(`${p.itemId}\u0000${p.promptHash}`, p);
  const predictions: Prediction[] = new Array(items.length);
  let next = 0;
  let done = 0;
  let reused = 0;
  let failure: unknown;
  const concurrency = options.concurrency ?? 1;
  const worker = async (): Promise<void> => {
    while (failure === undefined) {
      const i = next++;
      if (i >= items.length) return;
      const item = items[i]!;
      try {
        options.signal?.throwIfAborted();
        let docs: Document[] = [];
        if (options.retriever) {
          docs = await options.retriever.invoke(item.question, options.signal ? { signal: options.signal } : {});
          if (options.maxPassages !== undefined) docs = docs.slice(0, options.maxPassages);
        }
        const prompt = likelihood ? buildLikelihoodPrompt(item, docs) : buildEvalPrompt(item, docs);
        const hash = await promptHash(prompt.messages);
        const old = previous.get(`${item.id}\u0000${hash}`);
        let output: string;
        let record: LikelihoodRecord | undefined;
        if (likelihood) {
          const conts = likelihoodContinuations(item, contMode);
          let scores: readonly ContinuationScore[];
          if (old?.likelihood && sameContinuations(old.likelihood.options, conts)) {
            scores = old.likelihood.options;
            reused++;
          } else {
            scores = await options.model.scoreContinuations!(prompt.messages, conts.map((c) => c.continuation), options.signal ? { signal: options.signal } : {});
            if (!Array.isArray(scores) || scores.length !== conts.length || scores.some((s) => !Number.isFinite(s?.logProb) || !(s.bytes > 0) || !(s.tokens > 0))) {
              throw new EvalModelError(`${modelId}: scoreContinuations gave ${Array.isArray(scores) ? scores.length : 'no'} scores for ${conts.length} continuations, or a score without a finite logProb and positive tokens and bytes`);
            }
          }
          record = { metric, options: conts.map((c, k) => ({ key: c.key, continuation: c.continuation, logProb: scores[k]!.logProb, tokens: scores[k]!.tokens, bytes: scores[k]!.bytes })) };
          output = likelihoodChoice(record).key;
        } else if (old && !old.likelihood && JSON.stringify(old.params) === JSON.stringify(params)) {
          output = old.output;
          reused++;
        } else {
          output = await options.model.generate(prompt.messages, { ...params, ...(options.signal ? { signal: options.signal } : {}) });
        }
        const p: Prediction = {
          v: PREDICTIONS_VERSION,
          benchmark: item.benchmark,
          itemId: item.id,
          modelId,
          promptHash: hash,
          prompt: prompt.messages,
          params,
          retrieval: options.retriever ? passageInfo(docs) : null,
          output,
          item,
          ...(record ? { scoring: 'likelihood' as const, likelihood: record } : {}),
        };
        predictions[i] = p;
        done++;
        options.onPrediction?.(p, done, items.length);
      } catch (e) {
        if (failure === undefined) failure = e instanceof EvalModelAbortError || (options.signal?.aborted ?? false) ? e : new EvalRunError(item.id, { cause: e });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(1, items.length)) }, worker));
  if (failure !== undefined) throw failure;
  const scores = await scorePredictions(predictions, options);
  return { predictions, scores, report: reportOf(predictions, scores), reused };
}

/**
 * Scores predictions again (from a predictions file) without generating: the same scoring as {@link evaluate}
 * (likelihood predictions: the option their recorded scores pick under their recorded metric).
 *
 * @throws {@link EvalOptionError} for open-ended items without a judge or keywords, or naming `likelihood` for
 * recorded options that are not the item's.
 */
export async function rescore(predictions: readonly Prediction[], options: ScoringOptions = {}): Promise<EvalRun> {
  const list = [...predictions];
  const scores = await scorePredictions(list, options);
  return { predictions: list, scores, report: reportOf(list, scores), reused: list.length };
}
