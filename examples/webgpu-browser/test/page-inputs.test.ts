import { describe, expect, it } from 'vitest';
import { BrowserExampleError } from '../src/app-error';
import { backendRequestFrom } from '../src/backend';
import { parseCorpus } from '../src/corpus-index';
import { parseModelManifest } from '../src/model-manifest';
import { numberParam } from '../src/page-params';

describe('page inputs', () => {
  it('URL parameters: defaults when absent, values in range, an error naming the parameter otherwise', () => {
    const spec = { default: 48, min: 1, max: 1024, integer: true };
    expect(numberParam('', 'maxNewTokens', spec)).toBe(48);
    expect(numberParam('?maxNewTokens=7', 'maxNewTokens', spec)).toBe(7);
    for (const bad of ['0', '2000', '1.5', 'abc', '']) {
      expect(() => numberParam(`?maxNewTokens=${bad}`, 'maxNewTokens', spec)).toThrow(new BrowserExampleError(`URL parameter maxNewTokens=${bad}: expected an integer in [1, 1024]`));
    }
    expect(backendRequestFrom('')).toBe('auto');
    expect(backendRequestFrom('?backend=webgpu')).toBe('webgpu');
    expect(() => backendRequestFrom('?backend=gpu')).toThrow('URL parameter backend=gpu: expected one of webgpu, wasm, cpu, auto');
  });

  it('the model manifest and the corpus: every malformed field is named', () => {
    const ok = { format: 'quarkmed-browser-model', version: 1, run: 'r', stage: 'rl2', files: [{ name: 'config.json', bytes: 1 }, { name: 'tokenizer.json', bytes: 1 }, { name: 'model.safetensors', bytes: 1 }] };
    expect(parseModelManifest(ok, 'm.json')).toEqual(ok);
    expect(() => parseModelManifest({ ...ok, version: 2 }, 'm.json')).toThrow('m.json: version: must be 1, got 2');
    expect(() => parseModelManifest({ ...ok, files: [{ name: '../x', bytes: 1 }] }, 'm.json')).toThrow('m.json: files[0].name: must be a plain file name');
    expect(() => parseModelManifest({ ...ok, files: ok.files.slice(0, 2) }, 'm.json')).toThrow('m.json: files: lists neither model.safetensors nor model.safetensors.index.json');
    const rec = { id: 'a', text: 'x', source: 's', title: 't', language: 'en', license: 'MIT' };
    expect(parseCorpus(`${JSON.stringify(rec)}\n\n`, 'c.jsonl')).toEqual([rec]);
    expect(() => parseCorpus(`${JSON.stringify(rec)}\n{oops`, 'c.jsonl')).toThrow(/^c\.jsonl: line 2: not JSON/);
    expect(() => parseCorpus(JSON.stringify({ ...rec, language: 'fr' }), 'c.jsonl')).toThrow('c.jsonl: line 1.language: must be "en" or "zh", got "fr"');
    expect(() => parseCorpus(JSON.stringify({ ...rec, license: '' }), 'c.jsonl')).toThrow('c.jsonl: line 1.license: must be a non-empty string');
    expect(() => parseCorpus('\n', 'c.jsonl')).toThrow('c.jsonl: (root): has no records');
  });
});
