import { describe, expect, it } from 'vitest';
import { BenchUsageError, DEFAULT_BACKENDS, KNOWN_BACKENDS, parseArgs } from '../lib/args';
import { parseWorkerReply, RESULT_PREFIX } from '../lib/model-child';

describe('parseArgs', () => {
  it('defaults to native first, then wasm, cpu and webgpu', () => {
    expect(DEFAULT_BACKENDS[0]).toBe('native');
    expect(parseArgs(['model']).backends).toEqual(['native', 'wasm', 'cpu', 'webgpu']);
    expect(KNOWN_BACKENDS).toContain('native');
  });

  it('takes --backends in either form and rejects unknown or empty lists', () => {
    expect(parseArgs(['kernels', '--backends', 'native, wasm', '--quick'])).toEqual({ suites: ['kernels'], backends: ['native', 'wasm'], quick: true });
    expect(parseArgs(['--backends=wasm']).backends).toEqual(['wasm']);
    expect(() => parseArgs(['--backends', 'wasm,nativ'])).toThrow(/unknown backend nativ; known: native, wasm/);
    expect(() => parseArgs(['--backends', ','])).toThrow(BenchUsageError);
    expect(() => parseArgs(['--backends'])).toThrow(/--backends needs a value/);
  });
});

describe('parseWorkerReply', () => {
  it('takes the last marked line and ignores whatever else the worker printed', () => {
    const reply = { started: false, label: 'native', reason: 'not built (no addon)', maxRssBytes: 1 };
    const out = `backend banner\n${RESULT_PREFIX}{"started":true}\nnoise\n${RESULT_PREFIX}${JSON.stringify(reply)}\n`;
    expect(parseWorkerReply(out)).toEqual(reply);
    expect(parseWorkerReply('no marker here\n')).toBeUndefined();
    expect(() => parseWorkerReply(`${RESULT_PREFIX}{broken`)).toThrow(SyntaxError);
  });
});
