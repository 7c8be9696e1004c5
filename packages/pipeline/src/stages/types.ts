/**
 * What a stage is: a pure plan (what it will do, from the configuration alone) and a run that does it through a
 * {@link StageContext}. The context hides where bytes come from and go to (a run directory on disk in Node, memory
 * in tests or a browser), so every stage module stays free of Node built-ins.
 *
 * @packageDocumentation
 */
import type { Doc, KnowledgeGraph } from '@quarkmed/data-synth';
import type { TrainerStore } from '@quarkmed/model';
import type { RecipeConfig } from '../config/schema';
import type { StageName } from '../config/stage-names';

/** A file a stage writes: bytes or UTF-8 text. Names may hold `/` (a subdirectory of the stage's directory). */
export type StageFile = Uint8Array | string;

/** One plotted series: `[x, y]` points (x = step). */
export interface Curve {
  /** e.g. `loss`, `reward`, `kl`. */
  metric: string;
  /** Sub-series label, e.g. `baseline`. */
  label?: string;
  points: [number, number][];
}

/** What a stage produced. */
export interface StageOutput {
  /** The stage's artifacts (checksummed in the run manifest). */
  files: Record<string, StageFile>;
  /** Scalar results (counts, accuracies, final losses). */
  metrics: Record<string, number | string | boolean | null>;
  /** Curves for the report. */
  curves?: Curve[];
}

/** Progress events of a stage. */
export interface StageProgress {
  /** A training step of `total`. */
  step(stage: StageName, step: number, total: number, values: Record<string, number>): void;
  /** A free-form event. */
  event(stage: StageName, name: string, data: Record<string, unknown>): void;
}

/** Everything a stage needs from outside. */
export interface StageContext {
  stage: StageName;
  config: RecipeConfig;
  /** The stage's seed (derived from the config seed and the stage name). */
  seed: number;
  progress: StageProgress;
  /** The knowledge-graph subset (Node: the one data-synth ships). */
  knowledgeGraph(): Promise<KnowledgeGraph>;
  /** The shipped medical text as curation documents (`dir` null: the default directory). */
  medicalText(dir: string | null): Promise<Doc[]>;
  /** Makes the verifier's data (ICD-10 codes, Disease Ontology) available. */
  verifierData(): Promise<void>;
  /** A file of an earlier stage's output, or undefined when that stage has no output (skipped, not run). */
  artifact(stage: StageName, file: string): Promise<Uint8Array | undefined>;
  /** Every file of a checkpoint directory made elsewhere (`initCheckpoint`), by name. */
  checkpointFiles(dir: string): Promise<Map<string, Uint8Array>>;
  /** A persistent trainer store for this stage's training `name` (resumes after a crash). */
  trainerStore(name: string): StageTrainerStore;
}

/** A trainer store whose JSONL log can be read back (the loss curves survive a resume). */
export interface StageTrainerStore extends TrainerStore {
  readLog(): Promise<string[]>;
}

/** A stage: a plan from the configuration (pure) and a run. */
export interface StageDefinition {
  name: StageName;
  /** One-line description (`quarkmed stage --help`). */
  description: string;
  /** Stages whose outputs it reads. */
  inputs: readonly StageName[];
  /** What the stage will do, from the configuration alone (pure; the report and `--dry-run` print it). */
  plan(config: RecipeConfig): Record<string, unknown>;
  run(ctx: StageContext): Promise<StageOutput>;
}
