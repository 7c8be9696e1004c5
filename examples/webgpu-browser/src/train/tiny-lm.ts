/**
 * The training job of the train page: a byte-level BPE tokenizer (`trainBpe`) and a tiny Llama (`LlamaModel`)
 * trained with `@quarkmed/model`'s `Trainer` on the English records of the shipped corpus (PubMedQA abstracts,
 * MIT), windows of `seqLen + 1` tokens, AdamW with warmup + cosine decay. Every random choice is seeded, so a
 * backend gives the same curve run after run.
 *
 * @packageDocumentation
 */
import { LlamaModel, Trainer, cosineWithWarmup, trainBpe, type StepLog, type TrainBatch, type TrainExample } from '@quarkmed/model';
import { BrowserExampleError } from '../app-error';
import type { CorpusRecord } from '../corpus-index';

/** Settings of the job (all have defaults in {@link DEFAULT_TINY_LM}). */
export interface TinyLmSettings {
  /** English records used as training text. */
  records: number;
  vocabSize: number;
  hiddenSize: number;
  numLayers: number;
  seqLen: number;
  batchSize: number;
  /** Steps the learning-rate schedule spans (the Start button runs up to this many). */
  steps: number;
  peakLr: number;
  seed: number;
}

/** The defaults: about 0.1M parameters, fast enough for a software WebGPU adapter. */
export const DEFAULT_TINY_LM: Readonly<TinyLmSettings> = {
  records: 40,
  vocabSize: 384,
  hiddenSize: 64,
  numLayers: 2,
  seqLen: 48,
  batchSize: 8,
  steps: 60,
  peakLr: 0.01,
  seed: 1,
};

/** A prepared job. */
export interface TinyLm {
  model: LlamaModel;
  trainer: Trainer<TrainBatch, TrainExample, LlamaModel>;
  examples: TrainExample[];
  vocabSize: number;
  parameters: number;
  trainingTokens: number;
}

/**
 * Builds the tokenizer, the model, the examples and the trainer.
 *
 * @throws {@link BrowserExampleError} when the corpus has fewer English records than asked, or too little text
 *   for one batch of windows
 */
export function prepareTinyLm(corpus: readonly CorpusRecord[], settings: TinyLmSettings, onStep: (log: StepLog) => void): TinyLm {
  const text = corpus.filter((r) => r.language === 'en').slice(0, settings.records).map((r) => r.text);
  if (text.length < settings.records) throw new BrowserExampleError(`the corpus has ${text.length} English records; the training job asks for ${settings.records}`);
  const tokenizer = trainBpe(text, { vocabSize: settings.vocabSize });
  const eos = tokenizer.eosTokenId;
  if (eos === undefined) throw new BrowserExampleError('the trained tokenizer has no EOS token');
  const stream = text.flatMap((t) => [...tokenizer.encode(t), eos]);
  const width = settings.seqLen + 1;
  const examples: TrainExample[] = [];
  for (let at = 0; at + width <= stream.length; at += width) examples.push({ inputIds: stream.slice(at, at + width) });
  if (examples.length < settings.batchSize) throw new BrowserExampleError(`${stream.length} tokens make ${examples.length} windows of ${width}, fewer than one batch of ${settings.batchSize}`);
  const heads = Math.max(1, settings.hiddenSize / 16);
  const model = new LlamaModel(
    {
      vocabSize: tokenizer.vocabSize,
      hiddenSize: settings.hiddenSize,
      numLayers: settings.numLayers,
      numHeads: heads,
      numKvHeads: Math.max(1, heads / 2),
      intermediateSize: Math.round((settings.hiddenSize * 8) / 3),
      maxSeqLen: width,
    },
    { seed: settings.seed },
  );
  const trainer = new Trainer({
    model,
    lr: cosineWithWarmup({ warmupSteps: Math.max(1, Math.round(settings.steps / 10)), totalSteps: settings.steps, peakLr: settings.peakLr, minLr: settings.peakLr / 10 }),
    batchSize: settings.batchSize,
    seed: settings.seed,
    onStep,
  });
  return { model, trainer, examples, vocabSize: tokenizer.vocabSize, parameters: model.parameterCount(), trainingTokens: examples.length * width };
}
