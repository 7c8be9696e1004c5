import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LlamaConfig } from '../../src/config';
import { LlamaModel } from '../../src/decoder/llama';
import { LoraStateError, applyLora, type LoraHandle } from '../../src/lora/apply-lora';
import { Trainer, type TrainExample } from '../../src/training/trainer';
import { FileTrainerStore } from '../../src/node/trainer-store';
import { maxAbsDiff, randu, useCpu } from '../training/helpers';

// initStd 0.2: with the default 0.02 the random lm_head squashes the logits and LoRA on the inner layers barely moves the loss
const DENSE: LlamaConfig = { vocabSize: 20, hiddenSize: 16, numLayers: 2, numHeads: 2, numKvHeads: 1, intermediateSize: 24, maxSeqLen: 16, initStd: 0.2 };
const MOE: LlamaConfig = { ...DENSE, moe: { numExperts: 3, topK: 2 } };

beforeAll(useCpu);

const IDS = [
  [1, 5, 9, 2, 7, 3, 11, 4],
  [0, 19, 8, 8, 12, 6, 1, 15],
];

function logits(model: LlamaModel): tf.Tensor {
  return tf.tidy(() => model.forward(tf.tensor2d(IDS, undefined, 'int32')).logits);
}

/** Gives every B a random value so the adapters actually change the output. */
function randomiseB(handle: LoraHandle, seed: number): void {
  let i = 0;
  for (const a of handle.adapters.values()) {
    tf.tidy(() => a.b.assign(randu(a.b.shape, seed + i++, 0.5) as tf.Tensor2D));
  }
}

function snapshot(model: LlamaModel): Map<string, Float32Array> {
  return new Map([...model.weights].map(([k, v]) => [k, v.dataSync().slice() as Float32Array]));
}

describe('applyLora', () => {
  it('targets q,k,v,o,gate,up,down by HF module name with [in, r] / [r, out] shapes; a fresh adapter changes nothing', () => {
    const model = new LlamaModel(DENSE, { seed: 1 });
    const base = logits(model);
    const h = applyLora(model, { r: 4, alpha: 8, targetModules: ['q_proj', 'k', 'v', 'o', 'gate', 'up', 'down_proj'], seed: 3 });
    expect(h.adapters.size).toBe(2 * 7);
    expect([...h.adapters.keys()].slice(0, 7)).toEqual([
      'model.layers.0.self_attn.q_proj',
      'model.layers.0.self_attn.k_proj',
      'model.layers.0.self_attn.v_proj',
      'model.layers.0.self_attn.o_proj',
      'model.layers.0.mlp.gate_proj',
      'model.layers.0.mlp.up_proj',
      'model.layers.0.mlp.down_proj',
    ]);
    const k = h.adapters.get('model.layers.1.self_attn.k_proj')!;
    expect(k.a.shape).toEqual([16, 4]);
    expect(k.b.shape).toEqual([4, 8]); // kv heads 1 x head dim 8
    expect(h.adapters.get('model.layers.1.mlp.down_proj')!.a.shape).toEqual([24, 4]);
    expect(k.scale).toBe(2);
    expect(h.parameterCount()).toBe([...h.adapters.values()].reduce((n, a) => n + 4 * (a.inFeatures + a.outFeatures), 0));
    expect([...h.namedVariables().keys()][0]).toBe('model.layers.0.self_attn.q_proj.lora_A');
    expect(h.trainableVariables()).toHaveLength(28);
    const out = logits(model);
    expect(maxAbsDiff(out, base)).toBe(0);
    expect(() => applyLora(model, { r: 2, targetModules: ['q'] })).toThrow(LoraStateError);
    h.remove();
    tf.dispose([base, out]);
    model.dispose();
  });

  it('maps MoE experts w1/w3/w2 to gate/up/down and never adapts the router or lm_head', () => {
    const model = new LlamaModel(MOE, { seed: 2 });
    const h = applyLora(model, { r: 2, targetModules: ['gate', 'down'] });
    const names = [...h.adapters.keys()];
    expect(names).toHaveLength(2 * 3 * 2);
    expect(names.every((n) => /experts\.\d\.w[12]$/.test(n))).toBe(true);
    expect(names).not.toContain('model.layers.0.block_sparse_moe.gate');
    const up = applyLora(model, { r: 2, targetModules: ['w3'] });
    expect([...up.adapters.keys()][0]).toBe('model.layers.0.block_sparse_moe.experts.0.w3');
    expect(() => applyLora(new LlamaModel({ ...DENSE }, { seed: 0 }), { r: 2, targetModules: ['w1'] }).remove()).not.toThrow();
    h.remove();
    up.remove();
    model.dispose();
  });

  it('merge gives the adapted logits (1e-4), unmerge restores the base weights (1e-5), disable gives the base logits exactly', () => {
    const model = new LlamaModel(DENSE, { seed: 4 });
    const baseWeights = snapshot(model);
    const base = logits(model);
    const h = applyLora(model, { r: 3, alpha: 6, targetModules: ['q', 'k', 'v', 'o', 'gate', 'up', 'down'], seed: 5 });
    randomiseB(h, 100);
    const adapted = logits(model);
    expect(maxAbsDiff(adapted, base)).toBeGreaterThan(1e-2);

    h.disable();
    expect(h.enabled).toBe(false);
    const disabled = logits(model);
    expect(maxAbsDiff(disabled, base)).toBe(0);
    h.enable();

    h.merge();
    expect(h.merged).toBe(true);
    expect(() => h.disable()).toThrow(LoraStateError);
    const merged = logits(model);
    expect(maxAbsDiff(merged, adapted)).toBeLessThan(1e-4);
    const q = model.weights.get('model.layers.0.self_attn.q_proj.weight')!;
    expect(maxAbsDiff(q, baseWeights.get('model.layers.0.self_attn.q_proj.weight')!)).toBeGreaterThan(1e-3);
    h.merge(); // idempotent

    h.unmerge();
    for (const [k, v] of model.weights) expect(maxAbsDiff(v, baseWeights.get(k)!), k).toBeLessThan(1e-5);
    const again = logits(model);
    expect(maxAbsDiff(again, adapted)).toBeLessThan(1e-5);

    h.remove();
    const removed = logits(model);
    expect(maxAbsDiff(removed, base)).toBeLessThan(1e-5);
    expect(() => h.merge()).toThrow(/removed/);
    tf.dispose([base, adapted, disabled, merged, again, removed]);
    model.dispose();
  });

  it('LoRA training changes only the adapters (base bit-identical), lowers the loss, and resumes with dropout identically', async () => {
    const data: TrainExample[] = Array.from({ length: 8 }, (_, i) => ({ inputIds: Array.from({ length: 8 }, (_, j) => (3 * i + j) % 20) }));
    /** Trains in phases; every phase after the first starts from a fresh model + adapters and resumes from stateDir. */
    const run = async (steps: number[], stateDir?: string): Promise<{ model: LlamaModel; h: LoraHandle; losses: number[] }> => {
      let model: LlamaModel | undefined;
      let h: LoraHandle | undefined;
      const losses: number[] = [];
      for (const [i, n] of steps.entries()) {
        model?.dispose();
        h?.remove();
        model = new LlamaModel(DENSE, { seed: 6 });
        h = applyLora(model, { r: 4, alpha: 8, dropout: 0.1, targetModules: ['q', 'k', 'v', 'o', 'gate', 'up', 'down'], seed: 7 });
        const store = stateDir ? { store: new FileTrainerStore(dirname(stateDir)) } : {};
        const t = new Trainer({ model, trainableVariables: h.namedVariables(), statefulRngs: [h], lr: 3e-2, batchSize: 4, seed: 8, ...store });
        if (i > 0) await t.resume(basename(stateDir!));
        losses.push(...(await t.train(data, { steps: n })).losses);
        if (stateDir) await t.saveState(basename(stateDir));
        t.dispose();
      }
      return { model: model!, h: h!, losses };
    };
    const base = new LlamaModel(DENSE, { seed: 6 });
    const baseWeights = snapshot(base);
    const baseLogits = logits(base);
    const { model, h, losses } = await run([16]);
    for (const [k, v] of model.weights) expect(Array.from(v.dataSync()), k).toEqual(Array.from(baseWeights.get(k)!));
    const evalLoss = async (m: LlamaModel): Promise<number> => {
      const t = new Trainer({ model: m, lr: 0 });
      const l = await t.evaluate(data);
      t.dispose();
      return l;
    };
    const before = await evalLoss(base);
    const after = await evalLoss(model);
    expect(after).toBeLessThan(0.7 * before); // measured: 3.39 -> 1.52
    expect(losses[15]!).toBeLessThan(losses[0]! * 0.8);
    expect(Object.values(h.getRngState()).every((n) => n > 0)).toBe(true);
    // the adapters were trained, the base is intact: disabling them gives the base model back exactly
    h.disable();
    const off = logits(model);
    expect(maxAbsDiff(off, baseLogits)).toBe(0);
    h.enable();

    const tmp = await mkdtemp(join(tmpdir(), 'qm-lora-resume-'));
    const split = await run([10, 6], join(tmp, 'state'));
    expect((await readdir(join(tmp, 'state'))).sort()).toContain('trainable.safetensors');
    split.losses.forEach((l, i) => expect(Math.abs(l - losses[i]!)).toBeLessThan(1e-6));
    for (const [k, v] of h.namedVariables()) expect(maxAbsDiff(v, split.h.namedVariables().get(k)!), k).toBeLessThan(1e-6);
    await rm(tmp, { recursive: true, force: true });
    tf.dispose([baseLogits, off]);
    for (const m of [base, model, split.model]) m.dispose();
  });
});
