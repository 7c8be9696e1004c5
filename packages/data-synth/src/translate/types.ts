/**
 * Shared types of knowledge translation (SPO → text).
 *
 * @packageDocumentation
 */
import type { AuthorityLevel, Entity, Language, Predicate, Triple } from '../kg/types';

/**
 * The smallest view of a knowledge graph that translation needs: look an entity up by id. The real
 * `KnowledgeGraph` satisfies it; tests can pass `{ entity: (id) => map.get(id) }`.
 */
export interface TranslateKg {
  entity(id: string): Entity | undefined;
}

/** How a text was produced. */
export type TranslationMethod = 'template' | 'model';

/** One fact rendered as one sentence ("atomic" in the curriculum). */
export interface Sentence {
  text: string;
  language: Language;
  /** The fact the sentence states. */
  triple: Triple;
  /** Template id such as `treats.en.2`, or `model` for model-generated text. */
  templateId: string;
  /** Copied from the triple. */
  source: string;
  /** Copied from the triple. */
  authority: AuthorityLevel;
  method: TranslationMethod;
  granularity: 'atomic';
}

/** Several facts about one entity rendered as a paragraph (an "entity card"; "composite" in the curriculum). */
export interface Paragraph {
  text: string;
  language: Language;
  /** The entity the card is about. */
  entityId: string;
  /** The facts the paragraph states, in the order they appear. */
  triples: Triple[];
  /** The template ids used, in order. */
  templateIds: string[];
  /** Distinct sources of the triples, sorted. */
  sources: string[];
  /** The weakest authority among the triples (E is weaker than A). */
  authority: AuthorityLevel;
  method: TranslationMethod;
  granularity: 'composite';
}

/** Why a triple could not be rendered. */
export type SkipReason =
  | 'unknown-subject'
  | 'unknown-object'
  | 'no-name-in-language'
  | 'literal-language-mismatch'
  | 'empty-object'
  | 'same-name'
  | 'generation-failed';

/** A triple that was not rendered, with the reason. */
export interface SkippedTriple {
  triple: Triple;
  reason: SkipReason;
}

/** Options shared by the template and model translators. */
export interface TranslateOptions {
  /** Output language. */
  language: Language;
  /** Seed of every random choice (template phrasing, list order in cards). */
  seed: number;
  /**
   * Allow a name or literal in another language inside the text (e.g. an English drug name in a Chinese sentence)
   * when the entity has no name in `language`. Default false: such triples are skipped with
   * `no-name-in-language` / `literal-language-mismatch`. `translation` triples are always bilingual.
   */
  allowMixedLanguage?: boolean;
}

/** Options passed to a {@link TextGenerator}. */
export interface TextGenerationOptions {
  /** Seed of the sampling (a generator must be deterministic for a given seed). */
  seed: number;
  /** Upper bound on generated tokens. */
  maxNewTokens: number;
  /** Sampling temperature (0 = greedy). */
  temperature: number;
  /** Stop generating at any of these strings (the generator may ignore it; output is also cut afterwards). */
  stop?: string[];
}

/**
 * Any text-generation function: a prompt in, a completion out. A `@quarkmed/model` checkpoint, a remote API or a
 * test fake can all be wrapped into one.
 */
export type TextGenerator = (prompt: string, options: TextGenerationOptions) => Promise<string>;

export type { Predicate };
