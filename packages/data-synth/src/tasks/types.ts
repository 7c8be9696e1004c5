/**
 * Types of the instruction-task layer: samples in chat format with verifiable references, task definitions and
 * the read-only graph view the tasks draw from.
 *
 * @packageDocumentation
 */
import type { AuthorityLevel, Language, Triple } from '../kg/types';
import type { GraphView } from './graph';
import type { Rand } from '../random';

/** The four ability dimensions of the QuarkMed report. */
export type Dimension = 'comprehension' | 'generation' | 'knowledge_application' | 'analysis_reasoning';

/** All dimensions, in a fixed order. */
export const DIMENSIONS: readonly Dimension[] = [
  'comprehension',
  'generation',
  'knowledge_application',
  'analysis_reasoning',
];

/** Atomic tasks test one fact; composite tasks combine several facts or steps (curriculum: atomic first). */
export type TaskLevel = 'atomic' | 'composite';

/** One chat turn. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** One drug in a `drug-json` reference. */
export interface DrugMention {
  drug: string;
  disease: string;
  relation: 'treats' | 'symptomatic_relief' | 'not_indication';
}

/**
 * A reference answer a verifier can check.
 * - `multiple-choice`: the option letter (`'B'`), or for several, comma-joined letters.
 * - `icd10`: an ICD-10(-CM) code such as `'E11.9'`.
 * - `yes-no-maybe`: the decision.
 * - `drug-json`: the drugs the response's JSON must list (order-free).
 * - `keywords`: every keyword must appear in the response (case-insensitive).
 * - `text`: a free-text reference (for overlap metrics or a judge).
 */
export type Reference =
  | { kind: 'multiple-choice'; value: string }
  | { kind: 'icd10'; value: string }
  | { kind: 'yes-no-maybe'; value: 'yes' | 'no' | 'maybe' }
  | { kind: 'drug-json'; value: DrugMention[] }
  | { kind: 'keywords'; value: string[] }
  | { kind: 'text'; value: string };

/** One option of a multiple-choice question. */
export interface ChoiceOption {
  letter: string;
  text: string;
  /** The entity behind the option, when there is one. */
  entityId?: string;
}

/** One instruction sample (IFT/SFT), in chat format: the last `assistant` message is the target response. */
export interface InstructionSample {
  /** Stable id: `task:language:anchor[:variant]`. */
  id: string;
  task: string;
  dimension: Dimension;
  level: TaskLevel;
  language: Language;
  messages: ChatMessage[];
  reference?: Reference;
  /** Options of a multiple-choice sample, in presentation order. */
  options?: ChoiceOption[];
  /** Where the facts came from, e.g. `doid.obo`, `pharmacotherapydb`, `pubmedqa`. */
  source: string;
  /** Lowest (weakest) authority among the facts used. */
  authority: AuthorityLevel;
  /** Entities involved; the first is the anchor (what the question is about). */
  entityIds: string[];
  /**
   * Keys ({@link factKey}) of the facts the reference answer depends on. The entity split and the leakage
   * checker use them: a held-out sample's answer facts must never appear in training data.
   */
  answerFacts: string[];
  /** Keys of further facts stated in the prompt (passages); a training sample must not state held-out facts. */
  contextFacts?: string[];
}

/** The flat view of a sample: all turns but the last as the prompt, the last assistant turn as the response. */
export interface PromptResponse {
  prompt: string;
  response: string;
}

/** A PubMedQA (PQA-L) record as in `pqal_*.json`. */
export interface PubMedQARecord {
  QUESTION: string;
  CONTEXTS: string[];
  LABELS?: string[];
  MESHES?: string[];
  final_decision: 'yes' | 'no' | 'maybe';
  LONG_ANSWER?: string;
}

/** PubMedQA records keyed by PMID (the file's own shape), or an array of records carrying their id. */
export type PubMedQAInput = Record<string, PubMedQARecord> | Array<PubMedQARecord & { id: string }>;

export type { TaskGraphSource } from './graph-source';

/** Renders one fact as a sentence (e.g. the template bank of `src/translate/`). Return `undefined` to fall back. */
export type FactRenderer = (triple: Triple, language: Language) => string | undefined;

/** Everything a task builder gets. */
export interface TaskContext {
  graph: GraphView;
  rand: Rand;
  language: Language;
  pubmedqa: Array<PubMedQARecord & { id: string }>;
  /** Number of options of multiple-choice questions (default 4). */
  numOptions: number;
  render: (triple: Triple, language: Language) => string;
}

/** One task type. */
export interface TaskDefinition {
  name: string;
  dimension: Dimension;
  level: TaskLevel;
  /** Languages the task can produce. */
  languages: readonly Language[];
  description: string;
  /** Anchors (entity ids, or `PMID:…`) the task can build from, in a deterministic order. */
  candidates(ctx: TaskContext): string[];
  /** Build one sample for `anchor`, or `null` when the graph lacks what the task needs for it. */
  build(anchor: string, ctx: TaskContext): InstructionSample | null;
}
