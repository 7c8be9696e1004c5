/**
 * AdamW optimizer state (first and second moments per variable and the step count) updated with the
 * fused `adamw` op of `@quarkmed/tensor-kernels`, and serialisable to named tensors.
 *
 * @packageDocumentation
 */
import { ModelError } from '../error';
import * as tf from '@tensorflow/tfjs-core';
import { adamw } from '@quarkmed/tensor-kernels';

/** Hyper-parameters of {@link AdamWOptimizer} (torch.optim.AdamW names; defaults as torch). */
export interface AdamWConfig {
  /** Default 0.9. */
  beta1?: number;
  /** Default 0.999. */
  beta2?: number;
  /** Default 1e-8. */
  eps?: number;
  /** Decoupled weight decay (default 0.01), applied to the variables `decay` selects. */
  weightDecay?: number;
  /**
   * Which variables get weight decay. Default: those of rank >= 2 (matrices and embeddings), so norm
   * weights (and biases) are not decayed, as in the Hugging Face Trainer.
   */
  decay?: (name: string, variable: tf.Variable) => boolean;
}

/** Thrown when saved optimizer state does not fit the variables (names the key and the shapes). */
export class OptimizerStateError extends ModelError {
  constructor(message: string) {
    super(message);
    this.name = 'OptimizerStateError';
  }
}

/**
 * AdamW over a fixed set of named variables. Each {@link AdamWOptimizer.apply} increments the step and runs
 * one fused update per variable, assigning the new value to the variable in place.
 */
export class AdamWOptimizer {
  /** Number of updates applied so far (the next update uses step + 1 for bias correction). */
  step = 0;
  private readonly vars: Map<string, tf.Variable>;
  private m = new Map<string, tf.Tensor>();
  private v = new Map<string, tf.Tensor>();
  private readonly cfg: Required<Omit<AdamWConfig, 'decay'>> & Pick<AdamWConfig, 'decay'>;

  /**
   * @param variables - the variables to optimise, keyed by a stable name (the keys of saved state)
   * @param config - see {@link AdamWConfig}
   * @throws TypeError when a variable is not float32
   */
  constructor(variables: Map<string, tf.Variable>, config: AdamWConfig = {}) {
    this.vars = new Map(variables);
    this.cfg = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, ...config };
    for (const [name, variable] of this.vars) {
      if (variable.dtype !== 'float32') {
        throw new TypeError(`AdamWOptimizer: variable ${name} must be float32, got ${variable.dtype} (shape [${variable.shape.join(', ')}])`);
      }
      this.m.set(name, tf.zerosLike(variable));
      this.v.set(name, tf.zerosLike(variable));
    }
  }

  /** The optimised variables' names, in order. */
  get names(): string[] {
    return [...this.vars.keys()];
  }

  private decays(name: string, variable: tf.Variable): boolean {
    return this.cfg.decay ? this.cfg.decay(name, variable) : variable.rank >= 2;
  }

  /**
   * One AdamW update of every variable with learning rate `lr`. Variables without a gradient are left
   * alone (their moments too), as in PyTorch. The gradients are not disposed.
   *
   * @param grads - gradient per variable name (a Map or a record)
   * @param lr - learning rate, >= 0
   * @throws RangeError for a gradient whose shape differs from its variable's or an unknown name
   */
  apply(grads: Map<string, tf.Tensor> | Record<string, tf.Tensor>, lr: number): void {
    const entries = grads instanceof Map ? [...grads.entries()] : Object.entries(grads);
    for (const [name, g] of entries) {
      const variable = this.vars.get(name);
      if (!variable) throw new RangeError(`AdamWOptimizer.apply: gradient for unknown variable ${name}`);
      if (!tf.util.arraysEqual(g.shape, variable.shape)) {
        throw new RangeError(`AdamWOptimizer.apply: gradient of ${name} has shape [${g.shape.join(', ')}], variable has [${variable.shape.join(', ')}]`);
      }
    }
    this.step++;
    const { beta1, beta2, eps } = this.cfg;
    for (const [name, g] of entries) {
      const variable = this.vars.get(name)!;
      const weightDecay = this.decays(name, variable) ? this.cfg.weightDecay : 0;
      const out = adamw(variable, g, this.m.get(name)!, this.v.get(name)!, { lr, beta1, beta2, eps, weightDecay, step: this.step });
      variable.assign(out.param);
      out.param.dispose();
      this.m.get(name)!.dispose();
      this.v.get(name)!.dispose();
      // the optimizer owns its moments: they must survive an enclosing tf.tidy
      this.m.set(name, tf.keep(out.m));
      this.v.set(name, tf.keep(out.v));
    }
  }

  /**
   * The moments as named tensors, `<name>.m` and `<name>.v` (references to the live state: do not
   * dispose; copy them if they must outlive the next {@link AdamWOptimizer.apply}).
   */
  stateTensors(): Map<string, tf.Tensor> {
    const out = new Map<string, tf.Tensor>();
    for (const name of this.vars.keys()) {
      out.set(`${name}.m`, this.m.get(name)!);
      out.set(`${name}.v`, this.v.get(name)!);
    }
    return out;
  }

  /**
   * Replaces the moments with copies of saved ones (as {@link AdamWOptimizer.stateTensors} names them)
   * and sets the step count.
   *
   * @throws {@link OptimizerStateError} when a moment is missing or has the wrong shape; RangeError for a bad step
   */
  loadState(tensors: Map<string, tf.Tensor> | Record<string, tf.Tensor>, step: number): void {
    if (!Number.isInteger(step) || step < 0) throw new RangeError(`AdamWOptimizer.loadState: step must be an integer >= 0, got ${step}`);
    const get = (k: string): tf.Tensor | undefined => (tensors instanceof Map ? tensors.get(k) : tensors[k]);
    for (const [name, variable] of this.vars) {
      for (const suffix of ['m', 'v']) {
        const t = get(`${name}.${suffix}`);
        if (!t) throw new OptimizerStateError(`AdamWOptimizer.loadState: missing ${name}.${suffix}`);
        if (!tf.util.arraysEqual(t.shape, variable.shape)) {
          throw new OptimizerStateError(
            `AdamWOptimizer.loadState: ${name}.${suffix} has shape [${t.shape.join(', ')}], variable has [${variable.shape.join(', ')}]`,
          );
        }
      }
    }
    for (const name of this.vars.keys()) {
      for (const [suffix, map] of [['m', this.m], ['v', this.v]] as const) {
        map.get(name)!.dispose();
        map.set(name, tf.cast(get(`${name}.${suffix}`)!, 'float32'));
      }
    }
    this.step = step;
  }

  /** Frees the moments. The optimizer cannot be used afterwards. */
  dispose(): void {
    for (const t of [...this.m.values(), ...this.v.values()]) t.dispose();
    this.m.clear();
    this.v.clear();
  }
}
