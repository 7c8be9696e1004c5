/**
 * Hugging Face tensor names and shapes of Llama (`LlamaForCausalLM`), Qwen2 (`Qwen2ForCausalLM`), Qwen3
 * (`Qwen3ForCausalLM`) and Mixtral (`MixtralForCausalLM`) checkpoints, and which of them are linear weights.
 * Biases (`*.bias`, `[out]`) and the Qwen3 per-head norms (`self_attn.q_norm/k_norm.weight`, `[headDim]`)
 * have the same shape in the file and the model. Linear weights are `[out, in]` in the file and
 * `[in, out]` in `LlamaModel.weights`; checkpoint code transposes them on save and load.
 *
 * @packageDocumentation
 */
import { resolveConfig, type LlamaConfig } from '../config';

/** A tensor of a checkpoint: its HF name and its shape in the file (HF layout, linear weights `[out, in]`). */
export interface HfTensorSpec {
  name: string;
  shape: number[];
  /** A 2-D linear weight: stored `[out, in]` in the file, `[in, out]` in the model. */
  linear: boolean;
}

const LINEAR_PATTERNS: readonly RegExp[] = [
  /^model\.layers\.\d+\.self_attn\.[qkvo]_proj\.weight$/,
  /^model\.layers\.\d+\.mlp\.(gate|up|down)_proj\.weight$/,
  /^model\.layers\.\d+\.block_sparse_moe\.gate\.weight$/,
  /^model\.layers\.\d+\.block_sparse_moe\.experts\.\d+\.w[123]\.weight$/,
  /^lm_head\.weight$/,
];

/**
 * Whether `name` is a linear (matmul) weight, i.e. transposed between the file (`[out, in]`) and the model
 * (`[in, out]`): every `*_proj`, the MoE router `gate`, the experts' `w1/w2/w3` and `lm_head`. The
 * embedding and the norms are not.
 */
export function isLinearWeight(name: string): boolean {
  return LINEAR_PATTERNS.some((re) => re.test(name));
}

/**
 * Every tensor a checkpoint of `config` holds, in a stable order (embedding, then each layer, then the
 * final norm and the LM head, which is absent with `tieEmbeddings`), with HF-layout shapes: q/k/v biases
 * with `attentionBias` or for qwen2, an o bias with `attentionBias`, MLP biases with `mlpBias`, and the
 * q/k norms for qwen3. Projections use `config.headDim` (which may differ from `hiddenSize / numHeads`).
 *
 * @param config - the model config (validated with `resolveConfig`)
 * @throws ConfigError for an invalid config
 */
export function hfTensorSpecs(config: LlamaConfig): HfTensorSpec[] {
  const c = resolveConfig(config);
  const h = c.hiddenSize;
  const dh = c.headDim;
  const i = c.intermediateSize;
  const qkvBias = c.attentionBias || c.architecture === 'qwen2';
  const specs: HfTensorSpec[] = [];
  const add = (name: string, shape: number[]): void => {
    specs.push({ name, shape, linear: isLinearWeight(name) });
  };
  add('model.embed_tokens.weight', [c.vocabSize, h]);
  for (let l = 0; l < c.numLayers; l++) {
    const p = `model.layers.${l}`;
    add(`${p}.input_layernorm.weight`, [h]);
    add(`${p}.self_attn.q_proj.weight`, [c.numHeads * dh, h]);
    if (qkvBias) add(`${p}.self_attn.q_proj.bias`, [c.numHeads * dh]);
    add(`${p}.self_attn.k_proj.weight`, [c.numKvHeads * dh, h]);
    if (qkvBias) add(`${p}.self_attn.k_proj.bias`, [c.numKvHeads * dh]);
    add(`${p}.self_attn.v_proj.weight`, [c.numKvHeads * dh, h]);
    if (qkvBias) add(`${p}.self_attn.v_proj.bias`, [c.numKvHeads * dh]);
    add(`${p}.self_attn.o_proj.weight`, [h, c.numHeads * dh]);
    if (c.attentionBias) add(`${p}.self_attn.o_proj.bias`, [h]);
    if (c.architecture === 'qwen3') {
      add(`${p}.self_attn.q_norm.weight`, [dh]);
      add(`${p}.self_attn.k_norm.weight`, [dh]);
    }
    add(`${p}.post_attention_layernorm.weight`, [h]);
    if (c.moe) {
      add(`${p}.block_sparse_moe.gate.weight`, [c.moe.numExperts, h]);
      for (let e = 0; e < c.moe.numExperts; e++) {
        add(`${p}.block_sparse_moe.experts.${e}.w1.weight`, [i, h]);
        add(`${p}.block_sparse_moe.experts.${e}.w2.weight`, [h, i]);
        add(`${p}.block_sparse_moe.experts.${e}.w3.weight`, [i, h]);
      }
    } else {
      add(`${p}.mlp.gate_proj.weight`, [i, h]);
      if (c.mlpBias) add(`${p}.mlp.gate_proj.bias`, [i]);
      add(`${p}.mlp.up_proj.weight`, [i, h]);
      if (c.mlpBias) add(`${p}.mlp.up_proj.bias`, [i]);
      add(`${p}.mlp.down_proj.weight`, [h, i]);
      if (c.mlpBias) add(`${p}.mlp.down_proj.bias`, [h]);
    }
  }
  add('model.norm.weight', [h]);
  if (!c.tieEmbeddings) add('lm_head.weight', [c.vocabSize, h]);
  return specs;
}

/** The model-side shape of a tensor whose file (HF) shape is `hfShape`: reversed for linear weights. */
export function modelShape(name: string, hfShape: readonly number[]): number[] {
  return isLinearWeight(name) && hfShape.length === 2 ? [hfShape[1]!, hfShape[0]!] : [...hfShape];
}

/** The file (HF) shape of a model tensor of shape `shape`: reversed for linear weights. */
export function hfShape(name: string, shape: readonly number[]): number[] {
  return modelShape(name, shape);
}

/**
 * Transposes a row-major `[rows, cols]` matrix into a new `[cols, rows]` one (used to convert linear
 * weights between `[out, in]` and `[in, out]` without going through tensors).
 */
export function transpose2d<T extends Float32Array | Int32Array>(data: T, rows: number, cols: number): T {
  if (data.length !== rows * cols) throw new RangeError(`transpose2d: data has ${data.length} elements, expected ${rows}x${cols}`);
  const out = new (data.constructor as new (n: number) => T)(data.length);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let c = 0; c < cols; c++) out[c * rows + r] = data[base + c]!;
  }
  return out;
}
