/** The WebGPU-in-Node synchronous-read failure is recognised and explained; other stage errors pass through. */
import { describe, expect, it } from 'vitest';
import { StageError } from '@quarkmed/pipeline';
import { WebGPUSyncReadError, isWebGPUSyncRead } from '../src/sync-read-error';

describe('WebGPUSyncReadError', () => {
  it('recognises the StageError whose cause is the missing OffscreenCanvas', () => {
    const e = new StageError('rl1', 'OffscreenCanvas is not defined', { cause: new ReferenceError('OffscreenCanvas is not defined') });
    expect(isWebGPUSyncRead(e)).toBe(true);
    const w = new WebGPUSyncReadError(e.stage, { cause: e });
    expect(w.message).toMatch(/^webgpu: stage rl1 reads a tensor synchronously .*await data\(\)\/array\(\)/);
    expect(w.option).toBe('skip');
  });

  it('leaves other errors alone', () => {
    expect(isWebGPUSyncRead(new StageError('rl1', 'only 1 verifiable prompts; raise rl1.prompts'))).toBe(false);
    expect(isWebGPUSyncRead(new ReferenceError('OffscreenCanvas is not defined'))).toBe(false);
  });
});
