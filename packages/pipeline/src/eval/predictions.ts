/**
 * Predictions files: one JSON line per answered question with everything needed to score it again without
 * generating — the item (question, options, gold), the model id, the prompt sent and its hash, the generation
 * parameters, the retrieved passages, and the raw output. `rescore` reads them back (see `harness.ts`).
 *
 * A prediction of `scoring: 'likelihood'` also records `scoring` and `likelihood` (the metric and every option's
 * continuation, log-probability, token and byte count); its `output` is the picked option's key (`B`, `yes`) and
 * its `params` are empty (nothing was generated). A line without `scoring` is a generated answer.
 *
 * @packageDocumentation
 */
import { z } from 'zod';
import { EvalDataError } from './eval-data-error';
import { readJsonRecords } from './json-records';
import { readTextInput, type TextInput } from './text-input';
import type { EvalMessage, GenerationParams } from '../models/eval-model';
import type { LikelihoodRecord, ScoringMode } from './likelihood';
import type { BenchmarkName, EvalItem } from './types';

/** Version of the predictions format. */
export const PREDICTIONS_VERSION = 1;

/** A passage that was in the prompt. */
export interface PredictionPassage {
  n: number;
  id?: string;
  source?: string;
}

/** One answered question. */
export interface Prediction {
  v: typeof PREDICTIONS_VERSION;
  benchmark: BenchmarkName;
  itemId: string;
  modelId: string;
  /** SHA-256 of the prompt messages (`promptHash`). */
  promptHash: string;
  prompt: EvalMessage[];
  params: GenerationParams;
  /** The passages of a retrieval-augmented prompt; null without retrieval. */
  retrieval: { passages: PredictionPassage[] } | null;
  /** The raw model output (likelihood scoring: the picked option's key). */
  output: string;
  item: EvalItem;
  /** How the item was answered (absent: `generate`). */
  scoring?: ScoringMode;
  /** The per-option scores of `scoring: 'likelihood'`. */
  likelihood?: LikelihoodRecord;
}

const source = z.object({ file: z.string(), line: z.number().int().nonnegative() });
const base = {
  id: z.string().min(1),
  benchmark: z.enum(['medqa-usmle-4', 'medqa-usmle-5', 'medmcqa', 'cmexam', 'cnmleqa', 'pubmedqa', 'mmlu-medical', 'medbullets', 'cmb-clin', 'knowledge-probes']),
  language: z.enum(['en', 'zh']),
  question: z.string().min(1),
  subject: z.string().optional(),
  context: z.string().optional(),
  source,
};
const itemSchema = z.discriminatedUnion('kind', [
  z.object({
    ...base,
    kind: z.literal('multiple-choice'),
    options: z.record(z.string().regex(/^[A-Z]$/), z.string()),
    answer: z.array(z.string().regex(/^[A-Z]$/)).min(1),
    responseType: z.enum(['single', 'multiple']),
  }),
  z.object({ ...base, kind: z.literal('yes-no-maybe'), answer: z.enum(['yes', 'no', 'maybe']) }),
  z.object({ ...base, kind: z.literal('open'), answer: z.string().min(1) }),
]);
const predictionSchema = z.object({
  v: z.literal(PREDICTIONS_VERSION),
  benchmark: base.benchmark,
  itemId: z.string().min(1),
  modelId: z.string().min(1),
  promptHash: z.string().regex(/^[0-9a-f]{64}$/),
  prompt: z.array(z.object({ role: z.enum(['system', 'user', 'assistant']), content: z.string() })).min(1),
  params: z.object({
    maxTokens: z.number().int().positive().optional(),
    temperature: z.number().nonnegative().optional(),
    topP: z.number().positive().max(1).optional(),
    seed: z.number().int().optional(),
    stop: z.array(z.string()).optional(),
  }),
  retrieval: z.object({ passages: z.array(z.object({ n: z.number().int().positive(), id: z.string().optional(), source: z.string().optional() })) }).nullable(),
  output: z.string(),
  item: itemSchema,
  scoring: z.enum(['generate', 'likelihood']).optional(),
  likelihood: z
    .object({
      metric: z.enum(['acc', 'acc_norm']),
      options: z
        .array(z.object({ key: z.string().min(1), continuation: z.string().min(1), logProb: z.number(), tokens: z.number().int().positive(), bytes: z.number().int().positive() }))
        .min(2),
    })
    .optional(),
});

/** Predictions as JSON Lines (one line per prediction, in order, `\n`-terminated). */
export function serializePredictions(predictions: readonly Prediction[]): string {
  return predictions.map((p) => `${JSON.stringify(p)}\n`).join('');
}

/**
 * Reads a predictions file.
 *
 * @param input - the file's text or bytes.
 * @param file - the name used in errors.
 * @throws {@link EvalDataError} with file, line and field for a line that is not a valid prediction, or an
 * `itemId` that does not match its item.
 */
export function parsePredictions(input: TextInput, file = '<predictions>'): Prediction[] {
  const text = readTextInput(input, file);
  return readJsonRecords(text, file, 'jsonl').map(({ value, line }) => {
    const r = predictionSchema.safeParse(value);
    if (!r.success) {
      const issue = r.error.issues[0]!;
      throw new EvalDataError(file, line, issue.message, issue.path.join('.') || undefined);
    }
    const p = r.data as Prediction;
    if (p.item.id !== p.itemId) throw new EvalDataError(file, line, `is ${JSON.stringify(p.itemId)} but the item's id is ${JSON.stringify(p.item.id)}`, 'itemId');
    if ((p.scoring === 'likelihood') !== (p.likelihood !== undefined)) {
      throw new EvalDataError(file, line, p.likelihood === undefined ? 'is required when scoring is likelihood' : 'is only allowed with scoring: likelihood', 'likelihood');
    }
    return p;
  });
}
