/**
 * `DPOConfig`: the loss options of Hugging Face TRL's `DPOConfig` in camelCase with TRL's defaults
 * (`beta` 0.1, `loss_type` 'sigmoid', `label_smoothing` 0, `reference_free` false, `rpo_alpha` None, `learning_rate`
 * 1e-6), for the two losses implemented here (sigmoid, IPO), validated with zod by {@link parseDpoConfig}.
 *
 * @packageDocumentation
 */
import { z } from 'zod';
import { GrpoConfigError } from './config-error';
import { configErrorFromZod } from './zod-issue';

/** The DPO losses implemented (TRL `loss_type` 'sigmoid' and 'ipo'). */
export type DpoLossType = 'sigmoid' | 'ipo';

/** The resolved DPO configuration. */
export interface DPOConfig {
  /** β: temperature of the implicit reward (sigmoid) / regularisation (IPO: target margin 1/(2β)). */
  beta: number;
  /** Which loss. */
  lossType: DpoLossType;
  /** Conservative-DPO label smoothing ε in [0, 0.5): the probability that a preference label is flipped (sigmoid only). */
  labelSmoothing: number;
  /** Ignore the reference model: implicit reference with log-prob 0 (TRL `reference_free`). */
  referenceFree: boolean;
  /**
   * RPO's α (TRL `rpo_alpha`; Pang et al. 2024): adds α times the mean negative log-likelihood of the chosen
   * completions' tokens to the loss, which keeps DPO from pushing the chosen completions down together with the
   * rejected ones they share tokens with. `null` (TRL's `None`, the default): plain DPO. The RPO paper uses 1.
   */
  rpoAlpha: number | null;
  /** Learning rate for AdamW (TRL DPOConfig default 1e-6). */
  learningRate: number;
  /** Seed of every random choice (pair building, data order). */
  seed: number;
}

/** What {@link parseDpoConfig} accepts: any subset of {@link DPOConfig}. */
export type DPOConfigInput = Partial<DPOConfig>;

/** TRL's DPOConfig defaults for these fields. */
export const DPO_CONFIG_DEFAULTS: Readonly<DPOConfig> = Object.freeze({
  beta: 0.1,
  lossType: 'sigmoid',
  labelSmoothing: 0,
  referenceFree: false,
  rpoAlpha: null,
  learningRate: 1e-6,
  seed: 42,
});

const schema = z.strictObject({
  beta: z.number({ error: 'must be a finite number' }).gt(0, 'must be > 0'),
  lossType: z.enum(['sigmoid', 'ipo'], { error: "must be one of 'sigmoid', 'ipo'" }),
  labelSmoothing: z.number({ error: 'must be a finite number' }).min(0, 'must be in [0, 0.5)').lt(0.5, 'must be in [0, 0.5)'),
  referenceFree: z.boolean({ error: 'must be a boolean' }),
  rpoAlpha: z.number({ error: 'must be a finite number or null' }).min(0, 'must be >= 0').nullable(),
  learningRate: z.number({ error: 'must be a finite number' }).gt(0, 'must be > 0'),
  seed: z.number({ error: 'must be an integer' }).int('must be an integer'),
});

/**
 * Validates and resolves a DPO configuration (TRL's defaults for absent fields).
 *
 * @throws {@link GrpoConfigError} naming the field, e.g. `dpo config.beta: must be > 0`; label smoothing with
 * IPO is rejected (`dpo config.labelSmoothing`): the IPO loss has no label-smoothed form.
 */
export function parseDpoConfig(input: DPOConfigInput = {}): Readonly<DPOConfig> {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new GrpoConfigError('dpo config', '(root)', 'must be an object of options');
  }
  const given = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
  const parsed = schema.safeParse({ ...DPO_CONFIG_DEFAULTS, ...given });
  if (!parsed.success) throw configErrorFromZod('dpo config', parsed.error);
  const c = parsed.data;
  if (c.lossType === 'ipo' && c.labelSmoothing > 0) {
    throw new GrpoConfigError('dpo config', 'labelSmoothing', `applies to lossType 'sigmoid' only, got ${c.labelSmoothing} with 'ipo'`);
  }
  return Object.freeze(c);
}
