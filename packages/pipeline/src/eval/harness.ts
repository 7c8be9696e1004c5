/**
 * The evaluation harness: prompts every item (optionally with retrieved passages), asks the model with bounded
 * concurrency, keeps a prediction per item, scores with `@quarkmed/verifier` and reports accuracy with 95% Wilson
 * intervals overall and per subject. `rescore(predictions)` scores a predictions file again without generating;
 * given the predictions of an earlier run (`previous`), `evaluate` reuses every one whose model id and prompt hash
 * still match and generates only the rest.
 *
 * @packageDocumentation
 */
import type { Document, Retriever } from '@quarkmed/rag';
import { EvalModelAbortError } from '../models/model-errors';
import { generationParams, type EvalModel, type GenerationParams } from '../models/eval-model';
import { accuracyReport, type AccuracyReport } from './accuracy';
import { EvalOptionError } from './eval-option-error';
import { PREDICTIONS_VERSION, type Prediction } from './predictions';
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
  /** Generation parameters (default: greedy, `temperature: 0`). */
  params?: GenerationParams;
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
    ...accuracyReport(scores),
  };
}

/**
 * Runs a model on benchmark items and scores the outputs.
 *
 * @throws {@link EvalOptionError} for a bad option; {@link EvalRunError} naming the item when the model fails on
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
  const params: GenerationParams = { temperature: 0, ...generationParams(options.params ?? {}) };
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
        const prompt = buildEvalPrompt(item, docs);
        const hash = await promptHash(prompt.messages);
        const old = previous.get(`${item.id}\u0000${hash}`);
        let output: string;
        if (old && JSON.stringify(old.params) === JSON.stringify(params)) {
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
  const scores = await scoreOutputs(
    predictions.map((p) => ({ item: p.item, output: p.output, prompt: p.prompt.map((m) => m.content).join('\n') })),
    options,
  );
  return { predictions, scores, report: reportOf(predictions, scores), reused };
}

/**
 * Scores predictions again (from a predictions file) without generating: the same scoring as {@link evaluate}.
 *
 * @throws {@link EvalOptionError} for open-ended items without a judge or keywords.
 */
export async function rescore(predictions: readonly Prediction[], options: ScoringOptions = {}): Promise<EvalRun> {
  const list = [...predictions];
  const scores = await scoreOutputs(
    list.map((p) => ({ item: p.item, output: p.output, prompt: p.prompt.map((m) => m.content).join('\n') })),
    options,
  );
  return { predictions: list, scores, report: reportOf(list, scores), reused: list.length };
}
