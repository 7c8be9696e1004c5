import { describe, expect, it } from 'vitest';
import {
  DIMENSIONS,
  TaskError,
  TaskRegistry,
  builtinRegistry,
  createDefaultRegistry,
  generateTasks,
  toPromptResponse,
  type TaskDefinition,
} from '../../src/tasks';
import { inlineGraph } from './fixture';

const REQUIRED = [
  'definition_generation',
  'synonym_discrimination',
  'hypernym_identification',
  'icd10_coding',
  'disease_from_symptoms',
  'drug_indication_mc',
  'not_indication_detection',
  'false_premise_refusal',
  'factual_consistency',
  'retrieval_noise_citation',
  'relevance_extraction',
  'pubmedqa_yes_no_maybe',
  'json_drug_extraction',
  'lay_terminology_adaptation',
  'diagnostic_dialogue',
];

describe('TaskRegistry', () => {
  it('holds at least 20 task types over all four dimensions, including the required ones', () => {
    const r = builtinRegistry();
    expect(r.list().length).toBeGreaterThanOrEqual(20);
    for (const d of DIMENSIONS) expect(r.list(d).length).toBeGreaterThanOrEqual(3);
    for (const n of REQUIRED) expect(r.has(n)).toBe(true);
    expect(new Set(r.names()).size).toBe(r.names().length);
    expect(r.list('generation').every((d) => d.dimension === 'generation')).toBe(true);
    // Both levels are used (curriculum order needs them).
    expect(new Set(r.list().map((d) => d.level))).toEqual(new Set(['atomic', 'composite']));
  });

  it('rejects duplicates and unknown names with typed errors', () => {
    const r = createDefaultRegistry();
    expect(() => r.register(r.get('icd10_coding'))).toThrow(TaskError);
    expect(() => r.get('nope')).toThrow(/unknown task "nope"/);
    expect(() => new TaskRegistry().register({ name: '' } as TaskDefinition)).toThrow(TaskError);
  });

  it('generates from a custom registry and validates options', () => {
    const r = new TaskRegistry().register(builtinRegistry().get('icd10_coding'));
    const kg = inlineGraph();
    const s = generateTasks(kg, { countPerTask: 3, seed: 1, registry: r });
    expect(s).toHaveLength(3);
    expect(s.every((x) => x.task === 'icd10_coding')).toBe(true);
    expect(() => generateTasks(kg, { countPerTask: -1, seed: 1 })).toThrow(TaskError);
    expect(() => generateTasks(kg, { countPerTask: 1, seed: Number.NaN })).toThrow(/seed/);
    expect(() => generateTasks(kg, { countPerTask: 1, seed: 1, numOptions: 1 })).toThrow(/numOptions/);
    expect(() => generateTasks(kg, { countPerTask: 1, seed: 1, tasks: ['bogus'] })).toThrow(/unknown task/);
  });

  it('flattens chat samples to prompt/response', () => {
    const [s] = generateTasks(inlineGraph(), { countPerTask: 1, seed: 3, tasks: ['icd10_coding'] });
    const pr = toPromptResponse(s!);
    expect(pr.prompt).toBe(s!.messages[0]!.content);
    expect(pr.response).toBe(s!.messages[1]!.content);
  });
});
