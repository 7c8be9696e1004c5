/**
 * The recipe configuration: one zod schema for every stage. Every field has a default, so `{}` is the quickstart's
 * configuration; unknown keys are rejected (a typo is an error naming the key, never silently ignored).
 *
 * @packageDocumentation
 */
import { z } from 'zod';
import { STAGE_NAMES } from './stage-names';

const int = (min: number) => z.number().int().min(min);
const positive = z.number().positive();
/** A checkpoint directory to start a model stage from (ours or a Hugging Face Llama-format one), or null. */
const initCheckpoint = z.string().min(1).nullable().prefault(null);

const grpoSchema = z
  .object({
    numGenerations: int(2).prefault(4),
    maxCompletionLength: int(1).prefault(24),
    temperature: positive.prefault(1),
    topP: z.number().gt(0).max(1).prefault(1),
    beta: z.number().min(0).prefault(0.02),
    learningRate: positive.prefault(2e-4),
    perDeviceTrainBatchSize: int(1).prefault(8),
    lossType: z.enum(['grpo', 'bnpo', 'dr_grpo', 'dapo']).prefault('dapo'),
  })
  .strict();

const modelSchema = z
  .object({
    hiddenSize: int(8).prefault(128),
    numLayers: int(1).prefault(4),
    numHeads: int(1).prefault(4),
    numKvHeads: int(1).prefault(2),
    intermediateSize: int(8).prefault(344),
    maxSeqLen: int(16).prefault(256),
  })
  .strict();

const corpusSchema = z
  .object({
    /** Diseases of the shipped KG subset whose facts become sentences (those with the most facts first; 0 = all). */
    maxDiseases: int(0).prefault(120),
    languages: z.array(z.enum(['en', 'zh'])).min(1).prefault(['en', 'zh']),
    /** Knowledge translation on (KG sentences in the corpus). */
    knowledgeTranslation: z.boolean().prefault(true),
    /** The shipped medical text (PubMedQA abstracts, CMExam explanations). */
    medicalText: z.boolean().prefault(true),
    /** Directory of the medical text; null: the repository's `data/medical-text`. */
    medicalTextDir: z.string().min(1).nullable().prefault(null),
    /** Paragraphs of medical text kept per language (0 = all). */
    maxMedicalParagraphs: int(0).prefault(0),
    /** Fraction of documents held out for the pre-training evaluation loss. */
    heldOutFraction: z.number().gt(0).lt(0.5).prefault(0.05),
  })
  .strict();

const lmStage = (d: { steps: number; batchSize: number; lr: number; checkpointEvery: number }) =>
  z
    .object({
      steps: int(1).prefault(d.steps),
      batchSize: int(1).prefault(d.batchSize),
      lr: positive.prefault(d.lr),
      checkpointEvery: int(1).prefault(d.checkpointEvery),
      initCheckpoint,
    })
    .strict();

const pretrainSchema = lmStage({ steps: 120, batchSize: 8, lr: 3e-3, checkpointEvery: 20 })
  .extend({
    seqLen: int(8).prefault(64),
    /** Also pre-train a baseline without knowledge translation (same steps and seed), for the effect table. */
    ablation: z.boolean().prefault(true),
  })
  .strict();

const iftSchema = lmStage({ steps: 40, batchSize: 8, lr: 1e-3, checkpointEvery: 20 })
  .extend({
    /** Samples per task type of data-synth's registry (all four ability dimensions). */
    countPerTask: int(1).prefault(8),
    languages: z.array(z.enum(['en', 'zh'])).min(1).prefault(['en', 'zh']),
    maxTokens: int(16).prefault(160),
  })
  .strict();

const sftSchema = lmStage({ steps: 24, batchSize: 8, lr: 1e-3, checkpointEvery: 8 })
  .extend({
    /** Cold-start samples: verifiable multiple-choice questions answered in the JSON format RL rewards. */
    samples: int(1).prefault(64),
    maxTokens: int(16).prefault(160),
  })
  .strict();

const rl1Schema = z
  .object({
    steps: int(1).prefault(4),
    prompts: int(2).prefault(32),
    checkpointEvery: int(1).prefault(2),
    formatWeight: z.number().min(0).prefault(0.25),
    verifier: z.enum(['hybrid', 'rule-only', 'model-only']).prefault('hybrid'),
    difficultyFilter: z.object({ enabled: z.boolean().prefault(true), samples: int(2).prefault(4) }).strict().prefault({}),
    /** Epochs of the learned equivalence judge (the hybrid verifier's model component). */
    judgeEpochs: int(1).prefault(3),
    grpo: grpoSchema.prefault({}),
    initCheckpoint,
  })
  .strict();

const rl2Schema = z
  .object({
    steps: int(1).prefault(3),
    prompts: int(4).prefault(32),
    checkpointEvery: int(1).prefault(2),
    /** reasoning:general mix of the prompts (the report's 3:1). */
    mix: z.object({ reasoning: z.number().min(0).prefault(3), general: z.number().min(0).prefault(1) }).strict().prefault({}),
    rewardModel: z
      .object({ steps: int(1).prefault(40), perHead: int(4).prefault(40), hiddenSize: int(8).prefault(32), maxLength: int(8).prefault(64) })
      .strict()
      .prefault({}),
    grpo: grpoSchema.prefault({}),
    initCheckpoint,
  })
  .strict();

const evalSchema = z
  .object({
    /** Held-out knowledge probes (the harness's `buildKnowledgeProbes`, answered as `scoring` says). */
    probes: int(4).prefault(60),
    /** Of the probes, the single-answer multiple-choice ones counted for verifiable accuracy (at most this many). */
    verifiable: int(4).prefault(30),
    /** Labelled completions for the stage-1 reward accuracy (hybrid vs rule-only). */
    rewardProbes: int(4).prefault(120),
    /** BM25 passages over the corpus per question in the retrieval run. */
    retrievalK: int(1).prefault(2),
    /** New tokens per answer (greedy; `scoring: generate` only). */
    maxNewTokens: int(1).prefault(24),
    /**
     * How the harness answers the probes (knowledge probes, RL vs SFT, retrieval vs none): `likelihood` (default)
     * picks the option whose text is most likely under the model after `Answer:` (lm-eval-harness's `acc_norm`:
     * log-probability per UTF-8 byte), so a small model's effects are measurable; `generate` asks for a JSON answer
     * (greedy, `maxNewTokens`) and scores it with the verifier.
     */
    scoring: z.enum(['generate', 'likelihood']).prefault('likelihood'),
  })
  .strict();

/** The schema of a recipe configuration (input: every field optional). */
export const recipeConfigSchema = z
  .object({
    seed: int(0).max(0xffffffff).prefault(1234),
    backend: z.enum(['auto', 'cpu', 'wasm', 'native', 'webgpu', 'tensorflow']).prefault('auto'),
    /** Stages not to run; later stages take the latest earlier output (or their `initCheckpoint`). */
    skip: z.array(z.enum(STAGE_NAMES)).prefault([]),
    model: modelSchema.prefault({}),
    corpus: corpusSchema.prefault({}),
    tokenizer: z.object({ vocabSize: int(260).prefault(2048) }).strict().prefault({}),
    pretrain: pretrainSchema.prefault({}),
    ift: iftSchema.prefault({}),
    sft: sftSchema.prefault({}),
    rl1: rl1Schema.prefault({}),
    rl2: rl2Schema.prefault({}),
    eval: evalSchema.prefault({}),
  })
  .strict();

/** A validated recipe configuration (every field present). */
export type RecipeConfig = z.output<typeof recipeConfigSchema>;
/** What a user writes (every field optional). */
export type RecipeConfigInput = z.input<typeof recipeConfigSchema>;
/** GRPO options of the RL stages. */
export type RecipeGrpoConfig = z.output<typeof grpoSchema>;
