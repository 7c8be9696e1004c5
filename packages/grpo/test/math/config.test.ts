/** GRPOConfig / DPOConfig: TRL's defaults, resolution, and an error naming the field for every field and rule. */
import { describe, expect, it } from 'vitest';
import { DPO_CONFIG_DEFAULTS, GRPO_CONFIG_DEFAULTS, GrpoConfigError, parseDpoConfig, parseGrpoConfig, resolveRewardWeights } from '../../src/index';

describe('parseGrpoConfig', () => {
  it("resolves TRL's current defaults", () => {
    const c = parseGrpoConfig();
    expect(c).toMatchObject({ beta: 0, epsilon: 0.2, epsilonHigh: 0.2, delta: null, lossType: 'dapo', scaleRewards: 'group', numGenerations: 8, temperature: 1, topP: 1, topK: 0, minP: null, repetitionPenalty: 1, importanceSamplingLevel: 'token', multiObjectiveAggregation: 'sum_then_normalize', maxCompletionLength: 256, numIterations: 1, sapoTemperatureNeg: 1.05, sapoTemperaturePos: 1, topEntropyQuantile: 1, refModelMixupAlpha: 0.6, refModelSyncSteps: 512, maskTruncatedCompletions: false, syncRefModel: false, learningRate: 1e-6 });
    expect(c.generationBatchSize).toBe(8); // per_device_train_batch_size 8 × steps_per_generation (= GA 1)
    expect(c.stepsPerGeneration).toBe(1);
    expect(Object.isFrozen(c)).toBe(true);
    expect(GRPO_CONFIG_DEFAULTS.lossType).toBe('dapo');
  });

  it('resolves scaleRewards booleans, epsilonHigh and the generation batch as TRL __post_init__', () => {
    expect(parseGrpoConfig({ scaleRewards: true }).scaleRewards).toBe('group');
    expect(parseGrpoConfig({ scaleRewards: false }).scaleRewards).toBe('none');
    expect(parseGrpoConfig({ epsilonHigh: 0.28 }).epsilonHigh).toBe(0.28);
    expect(parseGrpoConfig({ generationBatchSize: 32 })).toMatchObject({ generationBatchSize: 32, stepsPerGeneration: 4 });
    expect(parseGrpoConfig({ stepsPerGeneration: 2, perDeviceTrainBatchSize: 4, numGenerations: 4 })).toMatchObject({ generationBatchSize: 8 });
    expect(parseGrpoConfig({ gradientAccumulationSteps: 3, perDeviceTrainBatchSize: 4, numGenerations: 6 })).toMatchObject({ generationBatchSize: 12, stepsPerGeneration: 3 });
  });

  const bad: [Record<string, unknown>, string][] = [
    [{ learningRate: 0 }, 'learningRate'],
    [{ disableDropout: 1 }, 'disableDropout'],
    [{ perDeviceTrainBatchSize: 0 }, 'perDeviceTrainBatchSize'],
    [{ gradientAccumulationSteps: 1.5 }, 'gradientAccumulationSteps'],
    [{ seed: 0.5 }, 'seed'],
    [{ numGenerations: 1 }, 'numGenerations'],
    [{ numGenerationsEval: 0 }, 'numGenerationsEval'],
    [{ maxCompletionLength: 0 }, 'maxCompletionLength'],
    [{ shuffleDataset: 'yes' }, 'shuffleDataset'],
    [{ generationBatchSize: 0 }, 'generationBatchSize'],
    [{ stepsPerGeneration: 0 }, 'stepsPerGeneration'],
    [{ temperature: 0 }, 'temperature'],
    [{ topP: 0 }, 'topP'],
    [{ topP: 1.1 }, 'topP'],
    [{ topK: -1 }, 'topK'],
    [{ minP: 2 }, 'minP'],
    [{ repetitionPenalty: 0 }, 'repetitionPenalty'],
    [{ beta: -0.1 }, 'beta'],
    [{ numIterations: 0 }, 'numIterations'],
    [{ epsilon: 1 }, 'epsilon'],
    [{ epsilonHigh: -1 }, 'epsilonHigh'],
    [{ delta: Number.NaN }, 'delta'],
    [{ sapoTemperatureNeg: 0 }, 'sapoTemperatureNeg'],
    [{ sapoTemperaturePos: -1 }, 'sapoTemperaturePos'],
    [{ importanceSamplingLevel: 'seq' }, 'importanceSamplingLevel'],
    [{ rewardWeights: [] }, 'rewardWeights'],
    [{ rewardWeights: [1, Infinity] }, 'rewardWeights.1'],
    [{ multiObjectiveAggregation: 'sum' }, 'multiObjectiveAggregation'],
    [{ scaleRewards: 'mean' }, 'scaleRewards'],
    [{ lossType: 'ppo' }, 'lossType'],
    [{ maskTruncatedCompletions: null }, 'maskTruncatedCompletions'],
    [{ syncRefModel: 0 }, 'syncRefModel'],
    [{ refModelMixupAlpha: 1.5 }, 'refModelMixupAlpha'],
    [{ refModelSyncSteps: 0 }, 'refModelSyncSteps'],
    [{ topEntropyQuantile: -0.1 }, 'topEntropyQuantile'],
    [{ useBiasCorrectionKl: 'no' }, 'useBiasCorrectionKl'],
    [{ numGeneration: 8 }, 'numGeneration'],
    // cross-field rules
    [{ epsilon: 0.2, epsilonHigh: 0.1 }, 'epsilonHigh'],
    [{ generationBatchSize: 16, stepsPerGeneration: 2 }, 'stepsPerGeneration'],
    [{ generationBatchSize: 12 }, 'generationBatchSize'],
    [{ generationBatchSize: 24, numGenerations: 16 }, 'generationBatchSize'],
    [{ numGenerations: 3 }, 'numGenerations'],
    [{ delta: 1.1 }, 'delta'],
    [{ delta: 2, lossType: 'sapo' }, 'delta'],
    [{ syncRefModel: true }, 'syncRefModel'],
    [{ lossType: 'luspo' }, 'importanceSamplingLevel'],
    [{ lossType: 'cispo', epsilonHigh: 0 }, 'epsilonHigh'],
  ];
  for (const [input, field] of bad) {
    it(`names ${field} for ${JSON.stringify(input)}`, () => {
      let err: unknown;
      try {
        parseGrpoConfig(input as never);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(GrpoConfigError);
      expect((err as GrpoConfigError).field).toBe(field);
      expect((err as Error).message.startsWith(`grpo config.${field}: `)).toBe(true);
    });
  }

  it('gives the messages of the brief', () => {
    expect(() => parseGrpoConfig({ epsilonHigh: 0.1 })).toThrow('grpo config.epsilonHigh: must be >= epsilon (0.2), got 0.1');
    expect(() => parseGrpoConfig({ delta: 1.2 })).toThrow(/grpo config\.delta: must be > 1 \+ epsilon/);
    expect(() => parseGrpoConfig(null as never)).toThrow(/grpo config\.\(root\)/);
  });

  it('accepts the valid cross-field combinations', () => {
    expect(parseGrpoConfig({ lossType: 'cispo', epsilonHigh: 5 }).epsilonHigh).toBe(5); // cispo: the ratio cap, may be < epsilon too
    expect(parseGrpoConfig({ lossType: 'luspo', importanceSamplingLevel: 'sequence' }).lossType).toBe('luspo');
    expect(parseGrpoConfig({ syncRefModel: true, beta: 0.04 }).syncRefModel).toBe(true);
    expect(parseGrpoConfig({ delta: 1.5 }).delta).toBe(1.5);
  });

  it('resolveRewardWeights: ones by default, the length must match', () => {
    expect(resolveRewardWeights(parseGrpoConfig(), 3)).toEqual([1, 1, 1]);
    expect(resolveRewardWeights(parseGrpoConfig({ rewardWeights: [1, 0.5] }), 2)).toEqual([1, 0.5]);
    expect(() => resolveRewardWeights(parseGrpoConfig({ rewardWeights: [1, 0.5] }), 3)).toThrow('grpo config.rewardWeights: has 2 weights but there are 3 reward functions');
    expect(() => resolveRewardWeights(parseGrpoConfig(), 0)).toThrow(GrpoConfigError);
  });
});

describe('parseDpoConfig', () => {
  it("resolves TRL's defaults", () => {
    expect(parseDpoConfig()).toEqual(DPO_CONFIG_DEFAULTS);
    expect(parseDpoConfig({ lossType: 'ipo', beta: 0.5 })).toMatchObject({ lossType: 'ipo', beta: 0.5, labelSmoothing: 0 });
    expect(parseDpoConfig().rpoAlpha).toBeNull(); // TRL rpo_alpha=None: plain DPO
    expect(parseDpoConfig({ rpoAlpha: 1 }).rpoAlpha).toBe(1);
  });
  const bad: [Record<string, unknown>, string][] = [
    [{ beta: 0 }, 'beta'],
    [{ lossType: 'hinge' }, 'lossType'],
    [{ labelSmoothing: 0.5 }, 'labelSmoothing'],
    [{ labelSmoothing: -0.1 }, 'labelSmoothing'],
    [{ rpoAlpha: -1 }, 'rpoAlpha'],
    [{ rpoAlpha: 'one' }, 'rpoAlpha'],
    [{ referenceFree: 1 }, 'referenceFree'],
    [{ learningRate: -1 }, 'learningRate'],
    [{ seed: 'x' }, 'seed'],
    [{ betas: 1 }, 'betas'],
    [{ lossType: 'ipo', labelSmoothing: 0.1 }, 'labelSmoothing'],
  ];
  for (const [input, field] of bad) {
    it(`names ${field} for ${JSON.stringify(input)}`, () => {
      expect(() => parseDpoConfig(input as never)).toThrow(new RegExp(`^dpo config\\.${field}: `));
    });
  }
});
