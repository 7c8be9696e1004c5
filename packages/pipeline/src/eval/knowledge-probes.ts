/**
 * The project's own held-out knowledge probes: verifiable questions built from a knowledge graph by
 * `@quarkmed/data-synth`'s task builders, on the held-out side of its entity split, so that no probe's answer fact
 * appears in training data built from the train side (data-synth's leakage rules).
 *
 * @packageDocumentation
 */
import { generateTasks, splitByEntity, type EntitySplit, type InstructionSample, type SplitName, type TaskGraphSource } from '@quarkmed/data-synth';
import { EvalOptionError } from './eval-option-error';
import type { ChoiceItem, YesNoMaybeItem } from './types';

/** The data-synth tasks whose samples become probes (multiple choice and yes/no/maybe references). */
export const PROBE_TASKS = [
  'synonym_discrimination',
  'hypernym_identification',
  'definition_matching',
  'icd10_code_to_title',
  'drug_indication_mc',
  'not_indication_detection',
  'chapter_classification',
  'subtype_identification',
  'disease_from_symptoms',
  'sibling_discrimination',
  'factual_consistency',
] as const;

/** Options of {@link buildKnowledgeProbes}. */
export interface KnowledgeProbeOptions {
  /** Seed of the task builders. */
  seed: number;
  /** The entity split (default: `splitByEntity(kg, { seed: splitSeed })`, diseases, 80/10/10). */
  entitySplit?: EntitySplit;
  /** Seed of the default entity split (required without `entitySplit`). */
  splitSeed?: number;
  /** Which held-out side (default `test`). */
  split?: Exclude<SplitName, 'train'>;
  /** At most this many probes per task (default 20). */
  countPerTask?: number;
  /** Default `en`. */
  language?: 'en' | 'zh';
  /** Task names (default {@link PROBE_TASKS}). */
  tasks?: readonly string[];
}

/** The question of a multiple-choice sample: its user turn without the option lines the sample lists. */
function questionOf(sample: InstructionSample): string {
  const user = sample.messages.filter((m) => m.role === 'user').map((m) => m.content).join('\n');
  if (!sample.options) return user.trim();
  const optionLines = new Set(sample.options.map((o) => `${o.letter}. ${o.text}`));
  return user
    .split('\n')
    .filter((l) => !optionLines.has(l.trim()))
    .join('\n')
    .trim();
}

/**
 * Builds the held-out knowledge probes of a knowledge graph.
 *
 * @param kg - the knowledge graph (e.g. `buildMedicalKg()` from `@quarkmed/data-synth/node`).
 * @param options - see {@link KnowledgeProbeOptions}.
 * @returns multiple-choice and yes/no/maybe items (benchmark `knowledge-probes`, subject = the task name).
 * @throws {@link EvalOptionError} naming the option for a bad option or a task without a verifiable reference.
 */
export function buildKnowledgeProbes(kg: TaskGraphSource, options: KnowledgeProbeOptions): Array<ChoiceItem | YesNoMaybeItem> {
  if (!Number.isInteger(options.seed)) throw new EvalOptionError('seed', `must be an integer, got ${String(options.seed)}`);
  const split = options.split ?? 'test';
  if (split !== 'test' && split !== 'validation') throw new EvalOptionError('split', `must be test or validation, got ${String(split)}`);
  let entitySplit = options.entitySplit;
  if (!entitySplit) {
    if (!Number.isInteger(options.splitSeed)) throw new EvalOptionError('splitSeed', 'an integer is required when no entitySplit is given');
    entitySplit = splitByEntity(kg, { seed: options.splitSeed! });
  }
  const countPerTask = options.countPerTask ?? 20;
  if (!Number.isInteger(countPerTask) || countPerTask < 1) throw new EvalOptionError('countPerTask', `must be a positive integer, got ${countPerTask}`);
  const language = options.language ?? 'en';
  const samples = generateTasks(kg, {
    tasks: options.tasks ?? PROBE_TASKS,
    countPerTask,
    seed: options.seed,
    language,
    split: { entitySplit, name: split },
  });
  return samples.map((s, i): ChoiceItem | YesNoMaybeItem => {
    const base = {
      id: s.id,
      benchmark: 'knowledge-probes' as const,
      language,
      subject: s.task,
      source: { file: `knowledge-probes:${split}`, line: i + 1 },
    };
    const ref = s.reference;
    if (ref?.kind === 'multiple-choice' && s.options && s.options.length >= 2) {
      const answer = [...new Set(ref.value.split(/[,\s]+/).filter((x) => x.length > 0))].sort();
      return {
        ...base,
        kind: 'multiple-choice',
        question: questionOf(s),
        options: Object.fromEntries(s.options.map((o) => [o.letter, o.text])),
        answer,
        responseType: answer.length > 1 ? 'multiple' : 'single',
      };
    }
    if (ref?.kind === 'yes-no-maybe') return { ...base, kind: 'yes-no-maybe', question: questionOf(s), answer: ref.value };
    throw new EvalOptionError('tasks', `task ${s.task} gives ${ref?.kind ?? 'no'} references; probes need multiple-choice or yes-no-maybe`);
  });
}
