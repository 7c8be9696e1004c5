/**
 * The task registry and the generator that turns a knowledge graph (and PubMedQA) into instruction samples,
 * deterministically by seed, optionally restricted to one split of an entity split.
 *
 * @packageDocumentation
 */
import { TaskError } from './errors';
import type { Language, Triple } from '../kg/types';
import { deriveSeed, mulberry32, shuffle } from '../random';
import { BUILTIN_TASKS } from './builtin';
import { defaultRender } from './common';
import { GraphView } from './graph';
import { templateRenderer } from './renderer';
import { type EntitySplit, type SplitName, sampleSplit } from './split';
import type {
  Dimension,
  FactRenderer,
  InstructionSample,
  PubMedQAInput,
  PubMedQARecord,
  TaskContext,
  TaskDefinition,
  TaskGraphSource,
} from './types';

export { TaskError } from './errors';

/** A set of task types, looked up by name and listed by dimension. */
export class TaskRegistry {
  private readonly defs = new Map<string, TaskDefinition>();

  /**
   * Registers a task type.
   *
   * @throws TaskError when a task with the same name is already registered.
   */
  register(def: TaskDefinition): this {
    if (!def.name || typeof def.build !== 'function' || typeof def.candidates !== 'function') {
      throw new TaskError(`TaskRegistry.register: task must have a name, candidates() and build(), got ${JSON.stringify(def?.name)}`);
    }
    if (this.defs.has(def.name)) throw new TaskError(`TaskRegistry.register: task "${def.name}" is already registered`);
    this.defs.set(def.name, def);
    return this;
  }

  /** Whether `name` is registered. */
  has(name: string): boolean {
    return this.defs.has(name);
  }

  /**
   * The task type named `name`.
   *
   * @throws TaskError when it is not registered (the message lists the known names).
   */
  get(name: string): TaskDefinition {
    const d = this.defs.get(name);
    if (!d) throw new TaskError(`TaskRegistry.get: unknown task "${name}"; known: ${[...this.defs.keys()].join(', ')}`);
    return d;
  }

  /** Registered task types in registration order, optionally those of one dimension. */
  list(dimension?: Dimension): TaskDefinition[] {
    const all = [...this.defs.values()];
    return dimension ? all.filter((d) => d.dimension === dimension) : all;
  }

  /** Registered names in registration order. */
  names(): string[] {
    return [...this.defs.keys()];
  }
}

/** Options of {@link generateTasks}. */
export interface GenerateOptions {
  /** Task names to generate (default: every registered task that supports `language`). */
  tasks?: readonly string[];
  /** At most this many samples per task (fewer when the graph has fewer usable anchors). */
  countPerTask: number;
  seed: number;
  /** Default `'en'`. */
  language?: Language;
  /** Keep only samples of one split of an entity split. */
  split?: { entitySplit: EntitySplit; name: SplitName; allowLeakage?: boolean };
  /** PubMedQA records for the PubMedQA tasks. */
  pubmedqa?: PubMedQAInput;
  /** Options per multiple-choice question (default 4, between 2 and 10). */
  numOptions?: number;
  /**
   * Fact → sentence renderer for passages and explanations: `'templates'` (default) uses the seeded phrasings of the
   * `src/translate/` template bank, `'fixed'` one built-in phrasing per predicate, or a custom function. Anything
   * a renderer cannot phrase falls back to the built-in phrasing.
   */
  render?: FactRenderer | 'templates' | 'fixed';
  /** Registry to draw tasks from (default: the built-in registry). */
  registry?: TaskRegistry;
}

/** Normalises PubMedQA input to an array sorted by id. */
export function normalizePubMedQA(input: PubMedQAInput | undefined): Array<PubMedQARecord & { id: string }> {
  if (!input) return [];
  const arr = Array.isArray(input) ? input.map((r) => ({ ...r })) : Object.entries(input).map(([id, r]) => ({ ...r, id }));
  for (const r of arr) {
    if (typeof r.QUESTION !== 'string' || !Array.isArray(r.CONTEXTS) || !['yes', 'no', 'maybe'].includes(r.final_decision)) {
      throw new TaskError(`normalizePubMedQA: record ${JSON.stringify(r.id)} needs QUESTION, CONTEXTS[] and final_decision yes|no|maybe`);
    }
  }
  return arr.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** A new registry holding every built-in task type. */
export function createDefaultRegistry(): TaskRegistry {
  const r = new TaskRegistry();
  for (const d of BUILTIN_TASKS) r.register(d);
  return r;
}

let builtin: TaskRegistry | undefined;

/** The shared registry of built-in task types (created on first use; register your own tasks on a new registry). */
export function builtinRegistry(): TaskRegistry {
  builtin ??= createDefaultRegistry();
  return builtin;
}

/**
 * Generates instruction samples from a knowledge graph: for each task, its candidate anchors are shuffled with a
 * seed derived from `seed` and the task name, and samples are built until `countPerTask` are kept. Each sample
 * draws from its own stream (seed, task, language, anchor), so the same seed gives the same samples.
 *
 * @param kg - the knowledge graph (any {@link TaskGraphSource}) or a {@link GraphView}.
 * @param opts - see {@link GenerateOptions}.
 * @returns samples, grouped by task in the order of `opts.tasks` (or registration order).
 */
export function generateTasks(kg: TaskGraphSource | GraphView, opts: GenerateOptions): InstructionSample[] {
  if (!Number.isInteger(opts.countPerTask) || opts.countPerTask < 0) {
    throw new TaskError(`generateTasks: countPerTask must be a non-negative integer, got ${opts.countPerTask}`);
  }
  if (typeof opts.seed !== 'number' || !Number.isFinite(opts.seed)) {
    throw new TaskError(`generateTasks: seed must be a finite number, got ${String(opts.seed)}`);
  }
  const numOptions = opts.numOptions ?? 4;
  if (!Number.isInteger(numOptions) || numOptions < 2 || numOptions > 10) {
    throw new TaskError(`generateTasks: numOptions must be an integer in [2, 10], got ${numOptions}`);
  }
  const language = opts.language ?? 'en';
  const registry = opts.registry ?? builtinRegistry();
  const defs = opts.tasks ? opts.tasks.map((n) => registry.get(n)) : registry.list().filter((d) => d.languages.includes(language));
  const graph = kg instanceof GraphView ? kg : new GraphView(kg);
  const pubmedqa = normalizePubMedQA(opts.pubmedqa);
  const custom: FactRenderer | undefined =
    opts.render === 'fixed' ? undefined : opts.render === undefined || opts.render === 'templates' ? templateRenderer(graph, opts.seed) : opts.render;
  const ctx: TaskContext = {
    graph,
    rand: mulberry32(opts.seed),
    language,
    pubmedqa,
    numOptions,
    render: (t: Triple, lang: Language) => custom?.(t, lang) ?? defaultRender({ graph }, t, lang) ?? '',
  };
  const out: InstructionSample[] = [];
  for (const def of defs) {
    if (!def.languages.includes(language) || opts.countPerTask === 0) continue;
    const order = shuffle(def.candidates(ctx), mulberry32(deriveSeed(opts.seed, `${def.name}:order:${language}`)));
    let kept = 0;
    for (const anchor of order) {
      if (kept >= opts.countPerTask) break;
      if (opts.split) {
        // Fast pre-filter for the strict mode: the anchor of a sample in split S lies in S or is not split.
        const a = opts.split.entitySplit.splitOf(anchor);
        if (opts.split.allowLeakage && a && a !== opts.split.name) continue;
      }
      ctx.rand = mulberry32(deriveSeed(opts.seed, `${def.name}:${language}:${anchor}`));
      const s = def.build(anchor, ctx);
      if (!s) continue;
      if (opts.split) {
        const sp = sampleSplit(s, opts.split.entitySplit, { allowLeakage: opts.split.allowLeakage });
        if (sp !== opts.split.name) continue;
      }
      out.push(s);
      kept++;
    }
  }
  return out;
}

/** The flat prompt/response view of a sample: every turn but the last, then the last assistant turn. */
export function toPromptResponse(sample: InstructionSample): { prompt: string; response: string } {
  const msgs = sample.messages;
  const last = msgs[msgs.length - 1];
  if (!last || last.role !== 'assistant') {
    throw new TaskError(`toPromptResponse: sample ${sample.id} must end with an assistant message`);
  }
  const prompt = msgs
    .slice(0, -1)
    .map((m) => (msgs.length > 2 ? `${m.role}: ${m.content}` : m.content))
    .join('\n');
  return { prompt, response: last.content };
}
