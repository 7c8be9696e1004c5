/**
 * The records the evaluation harness works on: one question of a benchmark, with its gold answer in the form the
 * verifier scores, and where it came from.
 *
 * @packageDocumentation
 */

/** The benchmarks the harness loads (plus the project's own held-out knowledge probes). */
export type BenchmarkName =
  | 'medqa-usmle-4'
  | 'medqa-usmle-5'
  | 'medmcqa'
  | 'cmexam'
  | 'cnmleqa'
  | 'pubmedqa'
  | 'mmlu-medical'
  | 'medbullets'
  | 'cmb-clin'
  | 'knowledge-probes';

/** Where a record came from: the file name given to the loader and the 1-based line where the record starts. */
export interface ItemSource {
  file: string;
  line: number;
}

interface EvalItemBase {
  /** Unique within its benchmark file (the record's own id when it has one, else `<file>#<line>`). */
  id: string;
  benchmark: BenchmarkName;
  /** Language of the question text. */
  language: 'en' | 'zh';
  /** The question (without the options). */
  question: string;
  /** Subject, department or category, where the format has one (MMLU subject, CMExam department, ...). */
  subject?: string;
  /** Background text shown before the question (PubMedQA abstract, CMB-Clin case description). */
  context?: string;
  source: ItemSource;
}

/** A multiple-choice question: single response (one gold letter) or multiple response (several). */
export interface ChoiceItem extends EvalItemBase {
  kind: 'multiple-choice';
  /** Option letter → text, in letter order (`A`, `B`, ...). */
  options: Record<string, string>;
  /** Gold letters, sorted and unique (one for a single-response question). */
  answer: string[];
  responseType: 'single' | 'multiple';
}

/** A yes/no/maybe decision (PubMedQA, knowledge-probe consistency judgments). */
export interface YesNoMaybeItem extends EvalItemBase {
  kind: 'yes-no-maybe';
  answer: 'yes' | 'no' | 'maybe';
}

/** An open-ended question with a reference answer (CMB-Clin), scored by a text judge or keywords. */
export interface OpenItem extends EvalItemBase {
  kind: 'open';
  /** The reference answer. */
  answer: string;
}

/** One benchmark question. */
export type EvalItem = ChoiceItem | YesNoMaybeItem | OpenItem;
