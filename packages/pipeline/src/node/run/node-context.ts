/**
 * The Node {@link StageContext}: the shipped knowledge-graph subset and medical text from disk, the verifier's
 * shipped data, earlier stages' artifacts from the run directory, checkpoints from any directory, and
 * `FileTrainerStore`s under `<run>/state/<stage>/<name>` so a killed stage resumes.
 *
 * @packageDocumentation
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Doc, KnowledgeGraph } from '@quarkmed/data-synth';
import { buildMedicalKg } from '@quarkmed/data-synth/node';
import { FileTrainerStore } from '@quarkmed/model/node';
import { useShippedVerifierData } from '@quarkmed/verifier/node';
import type { RecipeConfig } from '../../config/schema';
import type { StageName } from '../../config/stage-names';
import { StageError } from '../../stages/stage-error';
import { stageSeed } from '../../stages/seeds';
import type { StageContext, StageProgress, StageTrainerStore } from '../../stages/types';

let kgPromise: Promise<KnowledgeGraph> | undefined;

/** The repository's `data/medical-text`, found by walking up from this module and from the working directory. */
export function defaultMedicalTextDir(): string | undefined {
  for (let start of [dirname(fileURLToPath(import.meta.url)), process.cwd()]) {
    for (;;) {
      const candidate = join(start, 'data', 'medical-text');
      if (existsSync(join(candidate, 'pubmedqa-abstracts.en.txt'))) return candidate;
      const up = dirname(start);
      if (up === start) break;
      start = up;
    }
  }
  return undefined;
}

/** Paragraphs of the shipped English (PubMedQA) and Chinese (CMExam) medical text as curation documents. */
export async function readMedicalText(dir: string): Promise<Doc[]> {
  const files = [
    { file: 'pubmedqa-abstracts.en.txt', source: 'pubmedqa', language: 'en' as const },
    { file: 'cmexam-explanations.zh.txt', source: 'cmexam', language: 'zh' as const },
  ];
  const out: Doc[] = [];
  for (const { file, source, language } of files) {
    const text = await readFile(join(dir, file), 'utf8');
    text
      .split(/\n\s*\n/)
      .map((p) => p.trim())
      .filter((p) => p.length > 0)
      .forEach((t, i) => out.push({ id: `${source}-${i}`, text: t, source, authority: 'C', language }));
  }
  return out;
}

/** Options of {@link nodeStageContext}. */
export interface NodeContextOptions {
  runDir: string;
  stage: StageName;
  config: RecipeConfig;
  progress: StageProgress;
  /** Stages whose outputs later stages may read. */
  available: ReadonlySet<StageName>;
}

/** The Node stage context of one stage of a run. */
export function nodeStageContext(o: NodeContextOptions): StageContext {
  return {
    stage: o.stage,
    config: o.config,
    seed: stageSeed(o.config.seed, o.stage),
    progress: o.progress,
    knowledgeGraph: () => (kgPromise ??= buildMedicalKg().then((r) => r.kg)),
    async medicalText(dir) {
      const d = dir ?? defaultMedicalTextDir();
      if (d === undefined) throw new StageError(o.stage, 'corpus.medicalTextDir: no data/medical-text directory found; set it to the shipped medical text');
      try {
        return await readMedicalText(resolve(d));
      } catch (e) {
        throw new StageError(o.stage, `corpus.medicalTextDir: cannot read ${d} (${(e as Error).message})`, { cause: e });
      }
    },
    async verifierData() {
      useShippedVerifierData();
    },
    async artifact(stage, file) {
      if (!o.available.has(stage)) return undefined;
      try {
        return new Uint8Array(await readFile(join(o.runDir, 'stages', stage, file)));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw e;
      }
    },
    async checkpointFiles(dir) {
      const abs = resolve(dir);
      let names: string[];
      try {
        names = await readdir(abs);
      } catch (e) {
        throw new StageError(o.stage, `${o.stage}.initCheckpoint: cannot read ${abs} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { cause: e });
      }
      const files = new Map<string, Uint8Array>();
      for (const n of names) if (/\.(json|safetensors)$/.test(n)) files.set(n, new Uint8Array(await readFile(join(abs, n))));
      if (!files.has('config.json')) throw new StageError(o.stage, `${o.stage}.initCheckpoint: ${abs} has no config.json (not a checkpoint directory)`);
      return files;
    },
    trainerStore(name) {
      const store = new FileTrainerStore(join(o.runDir, 'state', o.stage, name)) as FileTrainerStore & StageTrainerStore;
      store.readLog = async () => {
        try {
          return (await readFile(store.logFile, 'utf8')).split('\n').filter((l) => l.length > 0);
        } catch {
          return [];
        }
      };
      return store;
    },
  };
}
