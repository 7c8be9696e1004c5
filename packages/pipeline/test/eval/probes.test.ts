import { describe, expect, it } from 'vitest';
import { checkLeakage, generateTasks, splitByEntity } from '@quarkmed/data-synth';
import { buildMedicalKg } from '@quarkmed/data-synth/node';
import { buildKnowledgeProbes, evaluate, PROBE_TASKS, type EvalItem } from '../../src/index';
import { ScriptedModel, wrongLetter } from './scripted-model';

describe('held-out knowledge probes from the shipped knowledge graph', () => {
  it('are verifiable, held out by entity, deterministic, and score like any benchmark', async () => {
    const { kg } = await buildMedicalKg();
    const entitySplit = splitByEntity(kg, { seed: 7 });
    const probes = buildKnowledgeProbes(kg, { seed: 1, entitySplit, countPerTask: 5 });
    expect(probes.length).toBeGreaterThan(30);
    expect(new Set(probes.map((p) => p.subject))).toEqual(new Set(PROBE_TASKS));
    for (const p of probes) {
      expect(p.benchmark).toBe('knowledge-probes');
      if (p.kind === 'multiple-choice') {
        expect(Object.keys(p.options).length).toBeGreaterThanOrEqual(2);
        for (const l of p.answer) expect(p.options[l]).toBeDefined();
        // the question keeps no option line
        for (const [k, t] of Object.entries(p.options)) expect(p.question.split('\n')).not.toContain(`${k}. ${t}`);
      }
    }
    expect(buildKnowledgeProbes(kg, { seed: 1, entitySplit, countPerTask: 5 })).toEqual(probes);
    // no probe's answer fact is in training samples built from the train side of the same split
    const heldOut = generateTasks(kg, { tasks: PROBE_TASKS, countPerTask: 5, seed: 1, split: { entitySplit, name: 'test' } });
    const training = generateTasks(kg, { tasks: PROBE_TASKS, countPerTask: 40, seed: 2, split: { entitySplit, name: 'train' } });
    expect(heldOut.map((s) => s.id)).toEqual(probes.map((p) => p.id));
    const leak = checkLeakage(heldOut, training, { graph: kg });
    expect(leak.ok).toBe(true);
    expect(leak.heldOutFacts).toBeGreaterThan(0);
    // scored by the verifier: a model that knows the answers gets 100%, one that does not, 0%
    const right = (i: EvalItem): string => (i.kind === 'multiple-choice' ? `{"answer": "${i.answer.join('')}"}` : `{"answer": "${i.kind === 'yes-no-maybe' ? i.answer : ''}"}`);
    const wrong = (i: EvalItem): string => (i.kind === 'multiple-choice' ? `{"answer": "${wrongLetter(i)}"}` : `{"answer": "${i.kind === 'yes-no-maybe' && i.answer === 'yes' ? 'no' : 'yes'}"}`);
    expect((await evaluate({ items: probes, model: new ScriptedModel('k', probes, right) })).report.overall.accuracy).toBe(1);
    const w = await evaluate({ items: probes, model: new ScriptedModel('k', probes, wrong) });
    expect(w.report.overall.accuracy).toBe(0);
    expect(Object.keys(w.report.bySubject).sort()).toEqual([...PROBE_TASKS].sort());
  });

  it('bad options are typed errors', async () => {
    const { kg } = await buildMedicalKg();
    expect(() => buildKnowledgeProbes(kg, { seed: 1 })).toThrow(/^splitSeed: an integer is required/);
    expect(() => buildKnowledgeProbes(kg, { seed: 1, splitSeed: 7, tasks: ['symptom_listing'] })).toThrow(/^tasks: task symptom_listing gives keywords references/);
    expect(() => buildKnowledgeProbes(kg, { seed: 1.5, splitSeed: 7 })).toThrow(/^seed: must be an integer/);
  });
});
