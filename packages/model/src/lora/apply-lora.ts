/**
 * Attaching LoRA adapters to a model's linear layers, merging them into the base weights and back.
 *
 * @packageDocumentation
 */
import { ModelError } from '../error';
import * as tf from '@tensorflow/tfjs-core';
import type { Linear } from '../decoder/linear';
import { LoraAdapter } from './lora-adapter';
import { moduleTarget, resolveLoraConfig, type LoraConfig, type ResolvedLoraConfig } from './lora-config';

/** What {@link applyLora} needs of a model (`LlamaModel` fits). */
export interface LoraTargetModel {
  linears(): Map<string, Linear>;
  adaptersEnabled: boolean;
}

/** Thrown when a LoRA handle is used in a state that does not allow the call (merged, removed, already adapted). */
export class LoraStateError extends ModelError {
  constructor(message: string) {
    super(message);
    this.name = 'LoraStateError';
  }
}

/**
 * LoRA adapters attached to one model, returned by {@link applyLora}.
 *
 * States: *attached* (the adapters add their delta in the forward when the model's `adaptersEnabled` is
 * true), *merged* ({@link LoraHandle.merge}: `W += scale·A·B` and the adapters are detached, so the model
 * runs at base speed with the adapted weights) and *removed* ({@link LoraHandle.remove}).
 */
export class LoraHandle {
  /** The adapters keyed by module name, in the model's module order. */
  readonly adapters: Map<string, LoraAdapter>;
  private mergedState = false;
  private removed = false;

  /** @internal use {@link applyLora} */
  constructor(
    readonly model: LoraTargetModel,
    readonly config: ResolvedLoraConfig,
    private readonly linearByModule: Map<string, Linear>,
    adapters: Map<string, LoraAdapter>,
  ) {
    this.adapters = adapters;
  }

  /** Whether the adapters are merged into the base weights. */
  get merged(): boolean {
    return this.mergedState;
  }

  /** Whether the adapters contribute to the forward (the model's `adaptersEnabled`). */
  get enabled(): boolean {
    return this.model.adaptersEnabled;
  }

  /** The trainable LoRA variables (A then B of each adapter, in module order). */
  trainableVariables(): tf.Variable[] {
    this.assertLive('trainableVariables');
    return [...this.adapters.values()].flatMap((a) => [a.a, a.b]);
  }

  /**
   * The trainable variables under stable names, `<module>.lora_A` (`[in, r]`) and `<module>.lora_B`
   * (`[r, out]`), independent of the engine's variable names (which get `#n` suffixes when two models
   * coexist); pass this to the Trainer as `trainableVariables` so saved state is portable.
   */
  namedVariables(): Map<string, tf.Variable> {
    this.assertLive('namedVariables');
    const out = new Map<string, tf.Variable>();
    for (const [module, a] of this.adapters) {
      out.set(`${module}.lora_A`, a.a);
      out.set(`${module}.lora_B`, a.b);
    }
    return out;
  }

  /** Number of trainable LoRA parameters. */
  parameterCount(): number {
    let n = 0;
    for (const a of this.adapters.values()) n += a.a.size + a.b.size;
    return n;
  }

  /** Turns the adapters on (sets the model's `adaptersEnabled`). */
  enable(): void {
    this.assertLive('enable');
    this.model.adaptersEnabled = true;
  }

  /**
   * Turns the adapters off (sets the model's `adaptersEnabled` to false): the forward is exactly the
   * base model's.
   *
   * @throws {@link LoraStateError} while merged (the base weights hold the update; unmerge first)
   */
  disable(): void {
    this.assertLive('disable');
    if (this.mergedState) throw new LoraStateError('LoraHandle.disable: the adapters are merged into the base weights; call unmerge() first');
    this.model.adaptersEnabled = false;
  }

  /**
   * Adds `scale·A·B` to each adapted weight and detaches the adapters (so they are not applied twice).
   * Idempotent while merged.
   */
  merge(): void {
    this.assertLive('merge');
    if (this.mergedState) return;
    for (const [module, adapter] of this.adapters) {
      const linear = this.linearByModule.get(module)!;
      tf.tidy(() => {
        linear.weight.assign(tf.add(linear.weight, adapter.deltaWeight()));
      });
      linear.adapter = undefined;
    }
    this.mergedState = true;
  }

  /**
   * Subtracts `scale·A·B` from each adapted weight (restoring the base up to float rounding) and
   * re-attaches the adapters. Idempotent while unmerged.
   */
  unmerge(): void {
    this.assertLive('unmerge');
    if (!this.mergedState) return;
    for (const [module, adapter] of this.adapters) {
      const linear = this.linearByModule.get(module)!;
      tf.tidy(() => {
        linear.weight.assign(tf.sub(linear.weight, adapter.deltaWeight()));
      });
      linear.adapter = adapter;
    }
    this.mergedState = false;
  }

  /**
   * The dropout RNG state of every adapter (number of masks drawn), for exact resumption; the Trainer
   * saves it when the handle is passed in its `statefulRngs`.
   */
  getRngState(): Record<string, number> {
    return Object.fromEntries([...this.adapters].map(([m, a]) => [m, a.dropoutCalls]));
  }

  /** Restores {@link LoraHandle.getRngState}. @throws TypeError for a state that is not a module → count record. */
  setRngState(state: unknown): void {
    if (state === null || typeof state !== 'object') throw new TypeError(`LoraHandle.setRngState: state must be a record, got ${String(state)}`);
    for (const [m, a] of this.adapters) {
      const n = (state as Record<string, unknown>)[m];
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
        throw new TypeError(`LoraHandle.setRngState: state[${m}] must be an integer >= 0, got ${JSON.stringify(n)}`);
      }
      a.dropoutCalls = n;
    }
  }

  /**
   * Detaches the adapters (keeping the merged update in the weights when merged) and frees their
   * variables. The handle cannot be used afterwards.
   */
  remove(): void {
    if (this.removed) return;
    for (const [module, adapter] of this.adapters) {
      const linear = this.linearByModule.get(module)!;
      if (linear.adapter === adapter) linear.adapter = undefined;
      adapter.dispose();
    }
    this.removed = true;
  }

  private assertLive(what: string): void {
    if (this.removed) throw new LoraStateError(`LoraHandle.${what}: the adapters have been removed`);
  }
}

/**
 * Attaches a fresh LoRA adapter ({@link LoraAdapter}: A seeded kaiming-uniform-like, B zeros) to every
 * linear layer of `model` whose kind is in `config.targetModules` (`q_proj` → `q`, ..., experts
 * `w1/w3/w2` → `gate/up/down`; never `lm_head` or the MoE router). Because B starts at zero the model's
 * output is unchanged until training. The base weights are not touched; train
 * {@link LoraHandle.namedVariables} only.
 *
 * @param model - a model with `linears()` and `adaptersEnabled` (e.g. `LlamaModel`)
 * @param config - see {@link LoraConfig}
 * @throws LoraConfigError for an invalid config; {@link LoraStateError} when no module matches or a
 *   targeted layer already has an adapter
 */
export function applyLora(model: LoraTargetModel, config: LoraConfig): LoraHandle {
  const resolved = resolveLoraConfig(config);
  const targets = new Set(resolved.targetModules);
  const linears = model.linears();
  const chosen = new Map<string, Linear>();
  for (const [module, linear] of linears) {
    const t = moduleTarget(module);
    if (t === undefined || !targets.has(t)) continue;
    if (linear.adapter !== undefined) throw new LoraStateError(`applyLora: module ${module} already has an adapter; remove it first`);
    chosen.set(module, linear);
  }
  if (chosen.size === 0) {
    throw new LoraStateError(
      `applyLora: no linear module matches targetModules [${resolved.targetModules.join(', ')}] (model modules: ${[...linears.keys()].slice(0, 8).join(', ')}...)`,
    );
  }
  const adapters = new Map<string, LoraAdapter>();
  try {
    for (const [module, linear] of chosen) {
      adapters.set(
        module,
        new LoraAdapter(module, linear.inFeatures, linear.outFeatures, {
          r: resolved.r,
          alpha: resolved.alpha,
          dropout: resolved.dropout,
          seed: resolved.seed,
        }),
      );
    }
  } catch (error) {
    for (const a of adapters.values()) a.dispose();
    throw error;
  }
  for (const [module, adapter] of adapters) chosen.get(module)!.adapter = adapter;
  return new LoraHandle(model, resolved, chosen, adapters);
}
