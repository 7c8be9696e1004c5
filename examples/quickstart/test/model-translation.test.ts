/**
 * Knowledge translation with a @quarkmed/model checkpoint as the translator (issue: "a model-based translator
 * behind an interface: a @quarkmed/model checkpoint or any text-generation function"), filtered by
 * back-translation.
 */
import { describe, expect, it } from 'vitest';
import { initBackend } from '@quarkmed/tensor-kernels';
import { LlamaModel, textGenerator, trainBpe } from '@quarkmed/model';
import { backTranslationFilter, modelTranslateTriples, translateTriples } from '@quarkmed/data-synth';
import { buildMedicalKg } from '@quarkmed/data-synth/node';

describe('model-based knowledge translation', () => {
  it('runs a model checkpoint as the translator; back-translation keeps template sentences and drops its babble', async () => {
    await initBackend('cpu', { log: false });
    const { kg } = await buildMedicalKg();
    const triples = kg.triples({ predicate: 'treats' }).slice(0, 4);
    expect(triples).toHaveLength(4);

    const templated = translateTriples(kg, triples, { language: 'en', seed: 1 });
    const control = await backTranslationFilter(kg, templated);
    expect(control.report.kept).toBe(4);

    const tok = trainBpe(templated.map((s) => s.text), { vocabSize: 300, minFrequency: 1 });
    const model = new LlamaModel(
      { vocabSize: tok.vocabSize, hiddenSize: 16, numLayers: 1, numHeads: 2, intermediateSize: 32, maxSeqLen: 512 },
      { seed: 2 },
    );
    const generated = await modelTranslateTriples(kg, triples, textGenerator(model, tok), {
      language: 'en',
      seed: 3,
      maxNewTokens: 12,
    });
    expect(generated.sentences.length + generated.skipped.length).toBe(4);
    const filtered = await backTranslationFilter(kg, generated.sentences);
    // an untrained model does not state the facts: the filter must not keep its output
    expect(filtered.report.kept).toBe(0);
    expect(filtered.report.dropped).toBe(generated.sentences.length);
    model.dispose();
  });
});
