/**
 * Splits by entity: every entity (of the chosen kinds) is assigned to train, validation or test with a seeded hash,
 * facts inherit the most held-out split of their endpoints, and a sample goes to a split only when all the facts its
 * answer depends on are in that split — so held-out questions never share their answer fact with training text
 * (unless `allowLeakage`). {@link checkLeakage} verifies a split.
 *
 * @packageDocumentation
 */
import { TaskError } from './errors';
import { hasCjk } from '../cjk';
import type { EntityKind, Triple } from '../kg/types';
import { deriveSeed } from '../random';
import { GraphView, factKey, parseFactKey } from './graph';
import type { InstructionSample, TaskGraphSource } from './types';

/** Name of a split. */
export type SplitName = 'train' | 'validation' | 'test';

/** All split names, from least to most held out. */
export const SPLIT_NAMES: readonly SplitName[] = ['train', 'validation', 'test'];

/** Fractions of entities per split; they must sum to 1. */
export interface SplitRatios {
  train: number;
  validation: number;
  test: number;
}

/** An assignment of entities to splits. */
export interface EntitySplit {
  seed: number;
  ratios: SplitRatios;
  train: Set<string>;
  validation: Set<string>;
  test: Set<string>;
  /** Id prefixes (e.g. `PMID:`) assigned by hash even when not listed in the sets. */
  hashPrefixes: readonly string[];
  /** The split of `id`, or `undefined` when the id is not split (a shared vocabulary item). */
  splitOf(id: string): SplitName | undefined;
}

/** Options of {@link splitEntities}. */
export interface SplitOptions {
  seed: number;
  /** Default `{ train: 0.8, validation: 0.1, test: 0.1 }`. */
  ratios?: SplitRatios;
  /** Id prefixes split by hash even when not among the ids (default `['PMID:']`, PubMedQA records). */
  hashPrefixes?: readonly string[];
}

const DEFAULT_RATIOS: SplitRatios = { train: 0.8, validation: 0.1, test: 0.1 };

function checkRatios(r: SplitRatios): void {
  const vals = [r.train, r.validation, r.test];
  if (vals.some((v) => typeof v !== 'number' || !(v >= 0))) {
    throw new TaskError(`splitEntities: ratios must be non-negative numbers, got ${JSON.stringify(r)}`);
  }
  const sum = vals.reduce((a, b) => a + b, 0);
  if (Math.abs(sum - 1) > 1e-9) throw new TaskError(`splitEntities: ratios must sum to 1, got ${sum} (${JSON.stringify(r)})`);
}

/**
 * The split of one id under `seed`/`ratios`, by a seeded hash of the id alone (stable when the graph grows).
 *
 * @param id - an entity id.
 * @param seed - the split seed.
 * @param ratios - the split fractions.
 */
export function hashSplit(id: string, seed: number, ratios: SplitRatios): SplitName {
  const u = deriveSeed(seed, id) / 4294967296;
  if (u < ratios.train) return 'train';
  if (u < ratios.train + ratios.validation) return 'validation';
  return 'test';
}

/**
 * Assigns each id to train/validation/test by a seeded hash.
 *
 * @param ids - the entity ids to split.
 * @param opts - seed, ratios and hash prefixes.
 */
export function splitEntities(ids: Iterable<string>, opts: SplitOptions): EntitySplit {
  const ratios = opts.ratios ?? DEFAULT_RATIOS;
  checkRatios(ratios);
  const seed = opts.seed;
  const hashPrefixes = opts.hashPrefixes ?? ['PMID:'];
  const sets: Record<SplitName, Set<string>> = { train: new Set(), validation: new Set(), test: new Set() };
  for (const id of ids) sets[hashSplit(id, seed, ratios)].add(id);
  return {
    seed,
    ratios,
    ...sets,
    hashPrefixes,
    splitOf(id: string): SplitName | undefined {
      if (sets.train.has(id)) return 'train';
      if (sets.validation.has(id)) return 'validation';
      if (sets.test.has(id)) return 'test';
      if (hashPrefixes.some((p) => id.startsWith(p))) return hashSplit(id, seed, ratios);
      return undefined;
    },
  };
}

/**
 * Splits the entities of a graph by kind (default: diseases only; drugs, symptoms and codes then act as shared
 * vocabulary and facts are split by their disease endpoint).
 *
 * @param graph - the knowledge graph or a {@link GraphView}.
 * @param opts - seed, ratios, and `kinds` (entity kinds to split).
 */
export function splitByEntity(
  graph: TaskGraphSource | GraphView,
  opts: SplitOptions & { kinds?: readonly EntityKind[] },
): EntitySplit {
  const view = graph instanceof GraphView ? graph : new GraphView(graph);
  const kinds = opts.kinds ?? ['disease'];
  const ids: string[] = [];
  for (const k of kinds) for (const e of view.entities(k)) ids.push(e.id);
  return splitEntities(ids, opts);
}

const RANK: Record<SplitName, number> = { train: 0, validation: 1, test: 2 };

/**
 * The split of a fact: the most held-out split among its entity endpoints; `'train'` when no endpoint is split.
 *
 * @param fact - a fact key or triple.
 * @param split - the entity split.
 */
export function factSplit(fact: string | Pick<Triple, 'subject' | 'predicate' | 'object'>, split: EntitySplit): SplitName {
  const f = typeof fact === 'string' ? parseFactKey(fact) : fact;
  let best: SplitName = 'train';
  for (const id of [f.subject, f.object]) {
    const s = split.splitOf(id);
    if (s && RANK[s] > RANK[best]) best = s;
  }
  return best;
}

/**
 * The split a sample belongs to, or `null` when its answer facts span several splits (it would leak either way).
 * A training sample must also have all its context facts (passages in the prompt) in train. With `allowLeakage`,
 * the sample goes to the split of its anchor entity (its first entity id) regardless of its facts.
 *
 * @param sample - the sample.
 * @param split - the entity split.
 * @param opts - `allowLeakage`.
 */
export function sampleSplit(
  sample: Pick<InstructionSample, 'answerFacts' | 'entityIds'> & { contextFacts?: string[] },
  split: EntitySplit,
  opts: { allowLeakage?: boolean } = {},
): SplitName | null {
  if (opts.allowLeakage) {
    const anchor = sample.entityIds[0];
    if (anchor !== undefined) {
      const s = split.splitOf(anchor);
      if (s) return s;
    }
    return sample.answerFacts.length > 0 ? factSplit(sample.answerFacts[0] as string, split) : 'train';
  }
  let s: SplitName | null = null;
  for (const f of sample.answerFacts) {
    const fs = factSplit(f, split);
    if (s === null) s = fs;
    else if (s !== fs) return null;
  }
  if (s === null) s = 'train';
  if (s === 'train') {
    for (const f of sample.contextFacts ?? []) if (factSplit(f, split) !== 'train') return null;
  }
  return s;
}

/** A training text item that is not an instruction sample (e.g. a translated sentence of the corpus). */
export interface TrainingText {
  text: string;
  /** The triple the sentence was generated from, when known. */
  triple?: Pick<Triple, 'subject' | 'predicate' | 'object'>;
  /** Several triples (e.g. an entity-card paragraph of `src/translate/`). */
  triples?: ReadonlyArray<Pick<Triple, 'subject' | 'predicate' | 'object'>>;
  /** Fact keys the text states, when known. */
  facts?: string[];
  id?: string;
}

/** One leak found by {@link checkLeakage}. */
export interface Leak {
  /** Id of the held-out sample. */
  heldOutId: string;
  /** The answer fact that appears in training. */
  fact: string;
  /** Position of the training item. */
  trainingIndex: number;
  trainingId?: string;
  /** `fact`: the training item states the same fact key; `text`: its text names both ends of the fact. */
  via: 'fact' | 'text';
}

/** Result of {@link checkLeakage}. */
export interface LeakageReport {
  ok: boolean;
  leaks: Leak[];
  heldOutFacts: number;
  trainingItems: number;
}

/** Options of {@link checkLeakage}. */
export interface LeakageOptions {
  /** Needed for text matching (entity names). */
  graph?: TaskGraphSource | GraphView;
  /**
   * Which training items are also matched by text (both ends of a held-out fact named in the text):
   * `'untyped'` (default) only those without facts/triple, `'all'` every item, `'none'` no text matching.
   */
  textMatch?: 'none' | 'untyped' | 'all';
  /** Stop after this many leaks (default 1000). */
  maxLeaks?: number;
}

function isSample(x: InstructionSample | TrainingText): x is InstructionSample {
  return Array.isArray((x as InstructionSample).messages);
}

function containsName(haystack: string, name: string): boolean {
  if (hasCjk(name)) return name.length >= 2 && haystack.includes(name);
  if (name.length < 3) return false;
  let from = 0;
  for (;;) {
    const i = haystack.indexOf(name, from);
    if (i < 0) return false;
    const before = i === 0 ? ' ' : haystack[i - 1] ?? ' ';
    const after = haystack[i + name.length] ?? ' ';
    if (!/[a-z0-9]/.test(before) && !/[a-z0-9]/.test(after)) return true;
    from = i + 1;
  }
}

/**
 * Checks that no answer fact of a held-out sample appears in the training data: by fact key (training samples'
 * answer and context facts, training texts' triple/facts) and, for texts, by naming both ends of the fact.
 *
 * @param heldOut - validation/test samples.
 * @param training - training samples and/or training texts.
 * @param opts - see {@link LeakageOptions}.
 */
export function checkLeakage(
  heldOut: readonly InstructionSample[],
  training: Iterable<InstructionSample | TrainingText>,
  opts: LeakageOptions = {},
): LeakageReport {
  const maxLeaks = opts.maxLeaks ?? 1000;
  const textMode = opts.textMatch ?? 'untyped';
  const view = opts.graph ? (opts.graph instanceof GraphView ? opts.graph : new GraphView(opts.graph)) : undefined;
  const owners = new Map<string, string[]>();
  for (const s of heldOut) {
    for (const f of s.answerFacts) {
      let o = owners.get(f);
      if (!o) owners.set(f, (o = []));
      o.push(s.id);
    }
  }
  // Name pairs for text matching.
  const namePairs: { fact: string; subj: string[]; obj: string[] }[] = [];
  if (view && textMode !== 'none') {
    for (const f of owners.keys()) {
      const { subject, object } = parseFactKey(f);
      const subj = view.allNames(subject);
      const obj = view.entity(object) ? view.allNames(object) : [object.toLowerCase()];
      if (subj.length > 0 && obj.length > 0) namePairs.push({ fact: f, subj, obj });
    }
  }
  const leaks: Leak[] = [];
  let idx = 0;
  outer: for (const item of training) {
    const i = idx++;
    const facts = isSample(item)
      ? [...item.answerFacts, ...((item as InstructionSample & { contextFacts?: string[] }).contextFacts ?? [])]
      : [...(item.facts ?? []), ...(item.triple ? [factKey(item.triple)] : []), ...(item.triples ?? []).map(factKey)];
    const trainingId = item.id;
    for (const f of facts) {
      for (const h of owners.get(f) ?? []) {
        leaks.push({ heldOutId: h, fact: f, trainingIndex: i, ...(trainingId ? { trainingId } : {}), via: 'fact' });
        if (leaks.length >= maxLeaks) break outer;
      }
    }
    const doText = namePairs.length > 0 && (textMode === 'all' || facts.length === 0);
    if (!doText) continue;
    const text = (isSample(item) ? item.messages.map((m) => m.content).join('\n') : item.text).toLowerCase();
    const stated = new Set(facts);
    for (const p of namePairs) {
      if (stated.has(p.fact)) continue;
      if (p.subj.some((n) => containsName(text, n)) && p.obj.some((n) => containsName(text, n))) {
        for (const h of owners.get(p.fact) ?? []) {
          leaks.push({ heldOutId: h, fact: p.fact, trainingIndex: i, ...(trainingId ? { trainingId } : {}), via: 'text' });
          if (leaks.length >= maxLeaks) break outer;
        }
      }
    }
  }
  return { ok: leaks.length === 0, leaks, heldOutFacts: owners.size, trainingItems: idx };
}
