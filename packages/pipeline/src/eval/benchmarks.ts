/**
 * The benchmark registry: one name per format, its loader and description, so the harness and the CLI load any
 * benchmark by name.
 *
 * @packageDocumentation
 */
import { EvalOptionError } from './eval-option-error';
import { loadCMBClin } from './loaders/cmb-clin';
import { loadCMExam } from './loaders/cmexam';
import { loadCNMLEQA } from './loaders/cnmleqa';
import { loadMedBullets } from './loaders/medbullets';
import { loadMedMCQA } from './loaders/medmcqa';
import { loadMedQA } from './loaders/medqa';
import { loadMMLU } from './loaders/mmlu';
import { loadPubMedQA } from './loaders/pubmedqa';
import type { LoaderOptions } from './record-source';
import type { TextInput } from './text-input';
import type { BenchmarkName, EvalItem } from './types';

/** Options of {@link loadBenchmark}: the common ones and those of the formats that have some. */
export interface LoadBenchmarkOptions extends LoaderOptions {
  /** MedMCQA: base of `cop` (see `loadMedMCQA`). */
  copBase?: 0 | 1;
  /** MMLU: subject of records without one (the original CSV's file name). */
  subject?: string;
}

/** One benchmark format. */
export interface BenchmarkEntry {
  name: Exclude<BenchmarkName, 'knowledge-probes'>;
  description: string;
  /** How answers are scored. */
  scoring: 'multiple-choice' | 'multiple-response' | 'yes-no-maybe' | 'open';
  load(input: TextInput, options: LoadBenchmarkOptions): EvalItem[];
}

/** Every benchmark file format the harness reads. */
export const BENCHMARKS: readonly BenchmarkEntry[] = [
  { name: 'medqa-usmle-4', description: 'MedQA-USMLE, 4 options', scoring: 'multiple-choice', load: (i, o) => loadMedQA(i, { ...o, options: 4 }) },
  { name: 'medqa-usmle-5', description: 'MedQA-USMLE, 5 options', scoring: 'multiple-choice', load: (i, o) => loadMedQA(i, { ...o, options: 5 }) },
  { name: 'medmcqa', description: 'MedMCQA (Indian medical entrance exams)', scoring: 'multiple-choice', load: (i, o) => loadMedMCQA(i, o) },
  { name: 'cmexam', description: 'CMExam (CNMLE), single and multiple response', scoring: 'multiple-response', load: (i, o) => loadCMExam(i, o) },
  { name: 'cnmleqa', description: 'CNMLEQA (CNMLE 2017–2021), 5 options', scoring: 'multiple-choice', load: (i, o) => loadCNMLEQA(i, o) },
  { name: 'pubmedqa', description: 'PubMedQA, yes/no/maybe over an abstract', scoring: 'yes-no-maybe', load: (i, o) => loadPubMedQA(i, o) },
  { name: 'mmlu-medical', description: 'MMLU medical subsets and MMLU-Pro', scoring: 'multiple-choice', load: (i, o) => loadMMLU(i, o) },
  { name: 'medbullets', description: 'MedBullets, 4 or 5 options', scoring: 'multiple-choice', load: (i, o) => loadMedBullets(i, o) },
  { name: 'cmb-clin', description: 'CMB-Clin clinical cases, open-ended', scoring: 'open', load: (i, o) => loadCMBClin(i, o) },
];

/** The names of the file benchmarks. */
export function benchmarkNames(): string[] {
  return BENCHMARKS.map((b) => b.name);
}

/**
 * The entry of a benchmark name.
 *
 * @throws {@link EvalOptionError} naming `benchmark` for an unknown name (the message lists the known ones).
 */
export function benchmarkEntry(name: string): BenchmarkEntry {
  const e = BENCHMARKS.find((b) => b.name === name);
  if (!e) throw new EvalOptionError('benchmark', `unknown benchmark ${JSON.stringify(name)}; known: ${benchmarkNames().join(', ')}`);
  return e;
}

/**
 * Loads a benchmark file by the benchmark's name.
 *
 * @throws {@link EvalOptionError} for an unknown name; {@link EvalDataError} with file and line for a malformed file.
 */
export function loadBenchmark(name: string, input: TextInput, options: LoadBenchmarkOptions = {}): EvalItem[] {
  return benchmarkEntry(name).load(input, options);
}
