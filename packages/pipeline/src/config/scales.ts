/**
 * Named scales: overrides applied under a user's configuration. `quickstart` is the default (no overrides); `tiny`
 * is CI's end-to-end run (a minute); `small` and `base` run bigger models longer (GPU backend recommended).
 *
 * @packageDocumentation
 */
import { RecipeConfigError } from './config-error';
import { mergeConfig } from './parse';
import type { RecipeConfigInput } from './schema';

/** The scale names. */
export const SCALE_NAMES = ['tiny', 'quickstart', 'small', 'base'] as const;
/** One of {@link SCALE_NAMES}. */
export type ScaleName = (typeof SCALE_NAMES)[number];

const grpoTiny = { numGenerations: 2, maxCompletionLength: 8, perDeviceTrainBatchSize: 4 };

/** The overrides of each scale. */
export const SCALES: Readonly<Record<ScaleName, RecipeConfigInput>> = {
  tiny: {
    model: { hiddenSize: 32, numLayers: 1, numHeads: 2, numKvHeads: 1, intermediateSize: 64, maxSeqLen: 384 },
    corpus: { maxDiseases: 12, maxMedicalParagraphs: 12, languages: ['en'] },
    tokenizer: { vocabSize: 512 },
    pretrain: { steps: 6, batchSize: 4, seqLen: 32, checkpointEvery: 2 },
    ift: { steps: 4, batchSize: 4, countPerTask: 1, languages: ['en'], checkpointEvery: 2, maxTokens: 64 },
    sft: { steps: 4, batchSize: 4, samples: 8, checkpointEvery: 2, maxTokens: 64 },
    rl1: { steps: 2, prompts: 4, checkpointEvery: 1, judgeEpochs: 1, difficultyFilter: { enabled: false }, grpo: grpoTiny },
    rl2: { steps: 2, prompts: 4, checkpointEvery: 1, rewardModel: { steps: 2, perHead: 4, hiddenSize: 16, maxLength: 32 }, grpo: grpoTiny },
    eval: { probes: 8, verifiable: 4, rewardProbes: 8, maxNewTokens: 6 },
  },
  quickstart: {},
  small: {
    model: { hiddenSize: 256, numLayers: 6, numHeads: 8, numKvHeads: 4, intermediateSize: 688, maxSeqLen: 512 },
    corpus: { maxDiseases: 0 },
    tokenizer: { vocabSize: 4096 },
    pretrain: { steps: 2000, batchSize: 16, seqLen: 128, checkpointEvery: 100 },
    ift: { steps: 600, countPerTask: 60, checkpointEvery: 100 },
    sft: { steps: 200, samples: 400, checkpointEvery: 50 },
    rl1: { steps: 60, prompts: 256, checkpointEvery: 10, grpo: { numGenerations: 8, maxCompletionLength: 48 } },
    rl2: { steps: 40, prompts: 256, checkpointEvery: 10, rewardModel: { steps: 150, perHead: 120, hiddenSize: 64 }, grpo: { numGenerations: 8, maxCompletionLength: 48 } },
    eval: { probes: 400, verifiable: 200, rewardProbes: 400 },
  },
  base: {
    model: { hiddenSize: 512, numLayers: 8, numHeads: 8, numKvHeads: 4, intermediateSize: 1376, maxSeqLen: 1024 },
    corpus: { maxDiseases: 0 },
    tokenizer: { vocabSize: 8192 },
    pretrain: { steps: 10000, batchSize: 32, seqLen: 256, checkpointEvery: 500 },
    ift: { steps: 3000, countPerTask: 200, checkpointEvery: 250 },
    sft: { steps: 600, samples: 2000, checkpointEvery: 100 },
    rl1: { steps: 300, prompts: 1024, checkpointEvery: 25, grpo: { numGenerations: 8, maxCompletionLength: 96 } },
    rl2: { steps: 200, prompts: 1024, checkpointEvery: 25, rewardModel: { steps: 400, perHead: 400, hiddenSize: 128 }, grpo: { numGenerations: 8, maxCompletionLength: 96 } },
    eval: { probes: 1000, verifiable: 600, rewardProbes: 1000 },
  },
};

/**
 * The configuration input of `scale` with `input` applied over it (the user's keys win).
 *
 * @throws {@link RecipeConfigError} (key `scale`) for an unknown scale name
 */
export function withScale(scale: string, input: unknown = {}): Record<string, unknown> {
  if (!(SCALE_NAMES as readonly string[]).includes(scale)) {
    throw new RecipeConfigError(undefined, [{ path: 'scale', message: `must be one of ${SCALE_NAMES.join(', ')}, got ${JSON.stringify(scale)}` }]);
  }
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return input as Record<string, unknown>;
  return mergeConfig(SCALES[scale as ScaleName] as Record<string, unknown>, input as Record<string, unknown>);
}
