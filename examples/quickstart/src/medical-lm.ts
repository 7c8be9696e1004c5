import { initBackend } from '@quarkmed/tensor-kernels';
import type { BackendChoice, BackendName } from '@quarkmed/tensor-kernels';
import {
  BpeTokenizer,
  LlamaModel,
  Trainer,
  cosineWithWarmup,
  generate,
  trainBpe,
  type LlamaConfig,
  type TrainExample,
} from '@quarkmed/model';
import { saveCheckpoint } from '@quarkmed/model/node';
import { saveTokenizer } from '@quarkmed/model/node';
import { ProgressReporter } from './progress';
import { buildQuickstartCorpus } from './corpus';

/** Options of {@link runMedicalLm}. */
export interface MedicalLmOptions {
  backend?: BackendName | 'auto';
  steps?: number;
  batch?: number;
  seq?: number;
  vocabSize?: number;
  lr?: number;
  seed?: number;
  model?: Partial<LlamaConfig>;
  prompts?: string[];
  maxNewTokens?: number;
  /** Where the checkpoint and tokenizer are written (atomically); nothing is written when absent. */
  outDir?: string;
  reporter?: ProgressReporter;
}

/** What {@link runMedicalLm} measured and produced. */
export interface MedicalLmResult {
  backend: BackendChoice;
  parameters: number;
  losses: number[];
  evalLoss: number;
  tokensPerSecond: number;
  samples: { prompt: string; text: string }[];
}

/** Cuts the token stream of every paragraph (joined by EOS) into windows of `seq` tokens. */
function windows(ids: number[], seq: number): TrainExample[] {
  const out: TrainExample[] = [];
  for (let i = 0; i + seq <= ids.length; i += seq) out.push({ inputIds: ids.slice(i, i + seq) });
  return out;
}

/**
 * The main job while the pipeline package does not exist: initialise the default backend; build the pre-training
 * corpus with @quarkmed/data-synth (the shipped knowledge-graph subset translated into English and Chinese entity
 * cards, plus the shipped medical text, curated); train a byte-level BPE tokenizer and a small Llama-style model on
 * it, evaluate on held-out documents and generate with a KV cache, reporting loss, throughput and samples.
 */
export async function runMedicalLm(options: MedicalLmOptions = {}): Promise<MedicalLmResult> {
  const reporter = options.reporter ?? new ProgressReporter();
  const seed = options.seed ?? 1234;
  const steps = options.steps ?? 200;
  const batch = options.batch ?? 8;
  const seq = options.seq ?? 128;
  const backend = await initBackend(options.backend ?? 'auto', { log: false });
  reporter.event('backend', { name: backend.name, reason: backend.reason });

  const corpus = await buildQuickstartCorpus(seed);
  reporter.event('corpus', {
    ...corpus.kgStats,
    documents: corpus.report.input,
    kept: corpus.report.kept,
    dropped: corpus.report.dropped,
    bySource: corpus.report.bySource,
  });
  const paragraphs = corpus.docs.map((d) => d.text);
  const heldOut = paragraphs.filter((_, i) => i % 20 === 0);
  const train = paragraphs.filter((_, i) => i % 20 !== 0);
  const t0 = performance.now();
  const tok: BpeTokenizer = trainBpe(train, { vocabSize: options.vocabSize ?? 2048 });
  reporter.event('tokenizer', { vocabSize: tok.vocabSize, trainSeconds: (performance.now() - t0) / 1000 });

  const eos = tok.eosTokenId ?? 0;
  const encodeAll = (ps: string[]) => ps.flatMap((p) => [...tok.encode(p), eos]);
  const config: LlamaConfig = {
    vocabSize: tok.vocabSize,
    hiddenSize: 128,
    numLayers: 4,
    numHeads: 4,
    numKvHeads: 2,
    intermediateSize: 344,
    maxSeqLen: Math.max(seq, 256),
    eosTokenId: eos,
    ...options.model,
  };
  const model = new LlamaModel(config, { seed });
  reporter.event('model', { ...config, parameters: model.parameterCount() });

  const peakLr = options.lr ?? 3e-3;
  let tokens = 0;
  let seconds = 0;
  let last = performance.now();
  const trainer = new Trainer({
    model,
    lr: cosineWithWarmup({ warmupSteps: Math.max(1, Math.floor(steps / 20)), totalSteps: steps, peakLr, minLr: peakLr / 10 }),
    batchSize: batch,
    seed,
    onStep: (log) => {
      const now = performance.now();
      const dt = (now - last) / 1000;
      last = now;
      if (log.step > 1) {
        tokens += log.numItems;
        seconds += dt;
      }
      reporter.step({ step: log.step, steps, loss: log.loss, tokensPerSecond: log.numItems / dt });
    },
  });
  const result = await trainer.train(windows(encodeAll(train), seq), { steps });
  const evalLoss = await trainer.evaluate(windows(encodeAll(heldOut), seq));
  reporter.event('eval', { heldOutDocuments: heldOut.length, loss: evalLoss, perplexity: Math.exp(evalLoss) });

  const prompts = options.prompts ?? ['The patients with', '患者'];
  const generated = await generate(model, prompts, {
    tokenizer: tok,
    maxNewTokens: options.maxNewTokens ?? 40,
    temperature: 0.7,
    topP: 0.9,
    seed,
  });
  const samples = generated.map((g, i) => ({ prompt: prompts[i], text: g.text }));
  for (const s of samples) reporter.event('sample', s);

  if (options.outDir !== undefined) {
    await saveCheckpoint(options.outDir, model);
    await saveTokenizer(tok, options.outDir);
    reporter.event('saved', { dir: options.outDir });
  }
  const out: MedicalLmResult = {
    backend,
    parameters: model.parameterCount(),
    losses: result.losses,
    evalLoss,
    tokensPerSecond: seconds > 0 ? tokens / seconds : 0,
    samples,
  };
  model.dispose();
  return out;
}
