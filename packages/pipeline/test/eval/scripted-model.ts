/** A scripted EvalModel for tests: answers each item's prompt with `answer(item, promptText)`. */
import type { EvalItem, EvalModel, EvalPrompt } from '../../src/index';

export class ScriptedModel implements EvalModel {
  calls = 0;
  readonly prompts: string[] = [];
  constructor(
    readonly id: string,
    private readonly items: readonly EvalItem[],
    private readonly answer: (item: EvalItem, prompt: string) => string,
  ) {}

  async generate(prompt: EvalPrompt): Promise<string> {
    this.calls++;
    const text = typeof prompt === 'string' ? prompt : prompt.map((m) => m.content).join('\n');
    this.prompts.push(text);
    // the longest question contained in the prompt (questions may contain one another)
    const hits = this.items.filter((i) => text.includes(i.question) && (i.context === undefined || text.includes(i.context.replace(/\s+/g, ' ').slice(0, 20)) || text.includes(i.context.slice(0, 20))));
    const item = hits.sort((a, b) => b.question.length - a.question.length)[0];
    if (!item) throw new Error(`no item in prompt: ${text.slice(0, 80)}`);
    await new Promise((r) => setTimeout(r, 0));
    return this.answer(item, text);
  }
}

/** A wrong option letter of a choice item (the first non-gold one). */
export function wrongLetter(item: EvalItem & { kind: 'multiple-choice' }): string {
  return Object.keys(item.options).find((k) => !item.answer.includes(k))!;
}
