import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PRINCIPLES,
  JudgeCallError,
  JudgeReplyError,
  PrinciplesError,
  PrinciplesJudge,
  parseJudgeReply,
  renderRubricPrompt,
  type Principle,
} from '../../src/reward/principles-judge';

const P: Principle[] = [
  { id: 'honest', dimension: 'honesty', text: 'Does not invent citations.', weight: 2 },
  { id: 'helpful', dimension: 'helpfulness', text: 'Answers the question.', weight: 1 },
  { id: 'safe', dimension: 'compliance', text: 'Refuses harmful requests.', weight: 1 },
];

describe('renderRubricPrompt', () => {
  it('lists every principle, the scale, the texts and the reply format', () => {
    const prompt = renderRubricPrompt({ question: 'Dose of metformin?', response: '500 mg twice daily.', reference: '500 mg' }, P);
    for (const p of P) expect(prompt).toContain(`[${p.id}] (${p.dimension}) ${p.text}`);
    expect(prompt).toContain('from 1 (clearly violates it) to 5');
    expect(prompt).toContain('<question>\nDose of metformin?\n</question>');
    expect(prompt).toContain('<reference>\n500 mg\n</reference>');
    expect(prompt).toContain('{"scores": {"honest": <1-5>, "helpful": <1-5>, "safe": <1-5>}');
  });

  it('validates principles by index and field', () => {
    expect(() => renderRubricPrompt({ question: 'q', response: 'r' }, [])).toThrow(PrinciplesError);
    expect(() => renderRubricPrompt({ question: 'q', response: 'r' }, [P[0]!, { ...P[1]!, id: 'honest' }])).toThrow(/principles\[1\]\.id: "honest" is repeated/);
    expect(() => renderRubricPrompt({ question: 'q', response: 'r' }, [{ ...P[0]!, weight: -1 }])).toThrow(/principles\[0\]\.weight/);
    expect(() => renderRubricPrompt({ question: 'q', response: 'r' }, [{ ...P[0]!, id: 'has space' }])).toThrow(/principles\[0\]\.id/);
    expect(() => renderRubricPrompt({ question: 'q', response: 'r' }, [{ ...P[0]!, weight: 0 }])).toThrow(/weights must not all be 0/);
  });
});

describe('parseJudgeReply', () => {
  it('reads the last scores object, fenced or after prose, with numeric strings', () => {
    const reply = 'Thinking... an example: {"scores": {"honest": 1, "helpful": 1, "safe": 1}}\nFinal:\n```json\n{"scores": {"honest": 5, "helpful": "4", "safe": 3, "extra": 2}, "rationale": "ok"}\n```';
    const r = parseJudgeReply(reply, P);
    expect(r.scores).toEqual({ honest: 5, helpful: 4, safe: 3 });
    expect(r.rationale).toBe('ok');
    expect(r.unknownIds).toEqual(['extra']);
    expect(parseJudgeReply('{"honest": 2, "helpful": 2, "safe": 2}', P).scores.honest).toBe(2); // flat object
  });

  it('throws a typed error for malformed replies', () => {
    expect(() => parseJudgeReply('I think it is fine.', P)).toThrow(JudgeReplyError);
    expect(() => parseJudgeReply('{"scores": {"honest": 5, "helpful": 4}}', P)).toThrow(/"safe" has no score/);
    expect(() => parseJudgeReply('{"scores": {"honest": 9, "helpful": 4, "safe": 3}}', P)).toThrow(/outside 1..5/);
    expect(() => parseJudgeReply('{"scores": {"honest": "high", "helpful": 4, "safe": 3}}', P)).toThrow(/not a number/);
    expect(() => parseJudgeReply('{"scores": {"honest": 5, "helpful": 4, "safe": 3', P)).toThrow(JudgeReplyError); // truncated
    try {
      parseJudgeReply('nothing here', P);
    } catch (e) {
      expect((e as JudgeReplyError).reason).toBe('no JSON object in the reply');
      expect((e as JudgeReplyError).reply).toBe('nothing here');
    }
  });
});

describe('PrinciplesJudge', () => {
  it('computes the weighted reward from a fake judge and passes it the rubric', async () => {
    const prompts: string[] = [];
    const judge = new PrinciplesJudge({
      principles: P,
      judge: async (prompt) => {
        prompts.push(prompt);
        return '{"scores": {"honest": 5, "helpful": 3, "safe": 1}, "rationale": "mixed"}';
      },
    });
    const r = await judge.evaluate({ question: 'Q?', response: 'R.' });
    // normalised 1, 0.5, 0 with weights 2, 1, 1 -> (2 + 0.5 + 0) / 4
    expect(r.reward).toBeCloseTo(0.625, 12);
    expect(r.verdict).toBe('partial');
    expect(r.source).toBe('model');
    expect(r.details?.perDimension).toEqual({ honesty: 1, helpfulness: 0.5, compliance: 0 });
    expect(prompts[0]).toContain('<response>\nR.\n</response>');
  });

  it('principles are editable: a new weight changes the reward, invalid edits are refused', async () => {
    const judge = new PrinciplesJudge({ principles: P, judge: async () => '{"scores": {"honest": 5, "helpful": 3, "safe": 1}}' });
    judge.setPrinciples(P.map((p) => (p.id === 'safe' ? { ...p, weight: 0 } : p)));
    expect((await judge.evaluate({ question: 'q', response: 'r' })).reward).toBeCloseTo(2.5 / 3, 12);
    expect(() => judge.setPrinciples([])).toThrow(PrinciplesError);
    expect(judge.principles.find((p) => p.id === 'safe')!.weight).toBe(0); // unchanged by the refused edit
    const all = new PrinciplesJudge({ judge: async () => `{"scores": {${DEFAULT_PRINCIPLES.map((p) => `"${p.id}": 5`).join(', ')}}}` });
    const top = await all.evaluate({ question: 'q', response: 'r' });
    expect(top.reward).toBe(1);
    expect(top.verdict).toBe('correct');
  });

  it("malformed replies give 'unparseable' (reward 0) or a JudgeReplyError; judge failures a JudgeCallError", async () => {
    const bad = new PrinciplesJudge({ principles: P, judge: async () => 'Score: excellent!' });
    const r = await bad.evaluate({ question: 'q', response: 'r' });
    expect(r).toMatchObject({ reward: 0, verdict: 'unparseable', source: 'model' });
    const strict = new PrinciplesJudge({ principles: P, judge: async () => '{"scores": {}}', onUnparseable: 'throw' });
    await expect(strict.evaluate({ question: 'q', response: 'r' })).rejects.toThrow(JudgeReplyError);
    const failing = new PrinciplesJudge({ principles: P, judge: async () => { throw new Error('HTTP 503'); } });
    await expect(failing.evaluate({ question: 'q', response: 'r' })).rejects.toThrow(/judge function failed: HTTP 503/);
    const nonString = new PrinciplesJudge({ principles: P, judge: (async () => 42) as unknown as (p: string) => Promise<string> });
    await expect(nonString.evaluate({ question: 'q', response: 'r' })).rejects.toThrow(JudgeCallError);
    expect(() => new PrinciplesJudge({ judge: 'nope' as never })).toThrow(/options.judge: must be a function/);
  });
});
