import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runMedicalLm } from '../src/medical-lm';
import { ProgressReporter } from '../src/progress';

const silent = new ProgressReporter({ write: () => true, isTTY: false });
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const out = mkdtempSync(join(tmpdir(), 'qm-quickstart-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('quickstart main job (medical LM)', () => {
  it('trains on the data-synth corpus on wasm: loss falls >= 10% in 40 steps, generates, saves (seed 5)', async () => {
    const r = await runMedicalLm({ backend: 'wasm', steps: 40, seed: 5, seq: 64, lr: 6e-3, maxNewTokens: 8, outDir: out, reporter: silent });
    expect(r.backend.name).toBe('wasm');
    expect(r.parameters).toBeGreaterThan(1_000_000);
    const first = r.losses[0];
    expect(first).toBeGreaterThan(7); // ~ln(2048) at init
    expect(mean(r.losses.slice(-5))).toBeLessThan(0.9 * first); // 0.867 here
    expect(r.evalLoss).toBeLessThan(0.9 * first); // held-out documents: 0.853 here
    expect(r.samples).toHaveLength(2);
    for (const s of r.samples) expect(s.text.length).toBeGreaterThan(0);
    for (const f of ['model.safetensors', 'config.json', 'tokenizer.json']) expect(existsSync(join(out, f))).toBe(true);
  });
});
