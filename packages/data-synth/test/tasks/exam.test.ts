import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/random';
import { GraphView, TaskError, buildMultipleChoice, hierarchyDistractors, pickDistractors } from '../../src/tasks';
import { inlineGraph } from './fixture';

describe('exam distractors', () => {
  const g = new GraphView(inlineGraph());

  it('uses siblings first, then cousins, never the answer', () => {
    const three = hierarchyDistractors(g, 'D:flu', { count: 3, language: 'en', rand: mulberry32(1) });
    expect(three.map((d) => d.id).sort()).toEqual(['D:measles', 'D:mumps', 'D:rubella']);
    expect(three.every((d) => d.tier === 'sibling')).toBe(true);
    const five = hierarchyDistractors(g, 'D:flu', { count: 5, language: 'en', rand: mulberry32(1) });
    expect(five.slice(0, 3).every((d) => d.tier === 'sibling')).toBe(true);
    const cousins = ['D:tb', 'D:cholera', 'D:tetanus', 'D:malaria', 'D:giardia'];
    for (const d of five.slice(3)) {
      expect(d.tier).toBe('cousin');
      expect(cousins).toContain(d.id);
    }
    expect(five.map((d) => d.id)).not.toContain('D:flu');
    expect(new Set(five.map((d) => d.text)).size).toBe(5);
  });

  it('goes on to more distant relatives, and to random entities only when the hierarchy runs out', () => {
    // hypertension: 2 siblings (heart failure, CAD), 3 cousins (the infectious classes), then their children.
    const nine = hierarchyDistractors(g, 'D:htn', { count: 9, language: 'en', rand: mulberry32(2), fallbackKind: 'disease' });
    expect(nine.map((d) => d.tier)).toEqual(['sibling', 'sibling', 'cousin', 'cousin', 'cousin', 'relative', 'relative', 'relative', 'relative']);
    expect(nine.slice(0, 2).map((d) => d.id).sort()).toEqual(['D:cad', 'D:hf']);
    expect(nine.slice(2, 5).map((d) => d.id).sort()).toEqual(['D:bac', 'D:par', 'D:vir']);
    for (const d of nine.slice(5)) expect(g.parents(d.id)[0]).toMatch(/^D:(vir|bac|par)$/);
    expect(nine.map((d) => d.id)).not.toContain('D:htn');
    expect(nine.map((d) => d.id)).not.toContain('D:root'); // an ancestor is never a distractor
    // Outside the hierarchy: nothing without a fallback kind, random entities of that kind with one.
    expect(hierarchyDistractors(g, 'D:orphan', { count: 3, language: 'en', rand: mulberry32(2) })).toEqual([]);
    const rnd = hierarchyDistractors(g, 'D:orphan', { count: 3, language: 'en', rand: mulberry32(2), fallbackKind: 'disease' });
    expect(rnd).toHaveLength(3);
    expect(rnd.every((d) => d.tier === 'random' && d.id !== 'D:orphan' && g.entity(d.id)?.kind === 'disease')).toBe(true);
  });

  it('respects accept/exclude filters and Chinese names', () => {
    const zh = hierarchyDistractors(g, 'D:flu', { count: 3, language: 'zh', rand: mulberry32(5), exclude: ['D:mumps'], accept: (id) => id !== 'D:rubella' });
    expect(zh.map((d) => d.id)).not.toContain('D:mumps');
    expect(zh.map((d) => d.id)).not.toContain('D:rubella');
    expect(zh[0]).toEqual({ id: 'D:measles', text: '麻疹', tier: 'sibling' });
    expect(() => pickDistractors(g, [], { count: -1, language: 'en', rand: mulberry32(1) })).toThrow(TaskError);
  });

  it('shuffles options by seed and records the answer letter', () => {
    const ds = [{ text: 'b' }, { text: 'c' }, { text: 'd' }];
    const letters = new Set<string>();
    for (let seed = 0; seed < 40; seed++) {
      const mc = buildMultipleChoice({ text: 'a' }, ds, mulberry32(seed));
      expect(mc.options.find((o) => o.letter === mc.answer)?.text).toBe('a');
      expect(mc.options.map((o) => o.letter)).toEqual(['A', 'B', 'C', 'D']);
      expect(mc).toEqual(buildMultipleChoice({ text: 'a' }, ds, mulberry32(seed)));
      letters.add(mc.answer);
    }
    expect(letters.size).toBe(4); // the answer is not always in the same place
    expect(() => buildMultipleChoice({ text: 'a' }, [{ text: 'A' }], mulberry32(1))).toThrow(/duplicate option/);
  });
});
