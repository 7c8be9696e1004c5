/**
 * What `prepare-model` does: copies a recipe checkpoint into `<public>/model/` (with `manifest.json`: the run, the
 * stage and every file's size) and the retrieval corpus into `<public>/corpus/` (`corpus.jsonl` and the
 * attribution, `SOURCES.md`). Each directory is replaced as a unit (`replaceDirectory` of `@quarkmed/model/node`).
 *
 * The checkpoint is the last finished model stage of `run` when given; otherwise of `runs/quickstart` (which
 * `pnpm quickstart` writes); when that has none, the tiny recipe of `@quarkmed/pipeline` runs into
 * `runs/webgpu-browser-tiny` first (about 20 s on two cores) and its final stage is used.
 *
 * @packageDocumentation
 */
import { copyFile, readFile, stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { replaceDirectory } from '@quarkmed/model/node';
import { loadRecipeConfig, ProgressReporter, runRecipe } from '@quarkmed/pipeline/node';
import { RunDirectoryError } from '../src/app-error';
import type { ModelManifest } from '../src/model-manifest';
import { corpusRecords } from './corpus-records';
import { finalCheckpoint, type RunCheckpoint } from './final-checkpoint';

/** Options of {@link prepareAssets}. */
export interface PrepareAssetsOptions {
  /** The repository root (holds `runs/` and `data/medical-text`). */
  repoRoot: string;
  /** The app's public folder (`examples/webgpu-browser/public`). */
  publicDir: string;
  /** A recipe run directory to take the checkpoint from; default: `runs/quickstart`, else the tiny recipe. */
  run?: string;
  /** Seed of the tiny recipe when it has to run. Default 1234 (the recipe's default). */
  seed?: number;
  log?: (line: string) => void;
}

/** What {@link prepareAssets} copied. */
export interface PreparedAssets {
  manifest: ModelManifest;
  /** Whether the tiny recipe had to run. */
  ranTinyRecipe: boolean;
  corpusRecords: number;
}

/** The default run and the tiny fallback, relative to the repository root. */
export const DEFAULT_RUN = 'runs/quickstart';
export const TINY_RUN = 'runs/webgpu-browser-tiny';

/**
 * Copies the checkpoint and the corpus (see the file comment).
 *
 * @throws {@link RunDirectoryError} when the given run has no finished model stage, a stage fails its checksums,
 *   or the shipped corpus cannot be read; errors of the recipe when it runs
 */
export async function prepareAssets(options: PrepareAssetsOptions): Promise<PreparedAssets> {
  const log = options.log ?? (() => undefined);
  let ranTinyRecipe = false;
  let checkpoint: RunCheckpoint | undefined;
  if (options.run !== undefined) {
    checkpoint = await finalCheckpoint(options.run);
    if (checkpoint === undefined) throw new RunDirectoryError(options.run, 'has no finished model stage (no manifest.json, or no pretrain/ift/sft/rl1/rl2 entry in it)');
  } else {
    checkpoint = await finalCheckpoint(join(options.repoRoot, DEFAULT_RUN));
    if (checkpoint === undefined) {
      const tinyDir = join(options.repoRoot, TINY_RUN);
      checkpoint = await finalCheckpoint(tinyDir);
      if (checkpoint === undefined || checkpoint.stage !== 'rl2') {
        log(`prepare-model: ${DEFAULT_RUN} has no finished model stage; running the tiny recipe into ${TINY_RUN}`);
        const config = await loadRecipeConfig(undefined, 'tiny', { seed: options.seed ?? 1234 });
        const progress = new ProgressReporter({ silent: true, logFile: join(tinyDir, 'events.jsonl') });
        try {
          await runRecipe({ runDir: tinyDir, config, progress });
        } finally {
          progress.close();
        }
        ranTinyRecipe = true;
        checkpoint = await finalCheckpoint(tinyDir);
        if (checkpoint === undefined) throw new RunDirectoryError(tinyDir, 'the tiny recipe finished without a model stage');
      }
    }
  }
  const ckpt = checkpoint;
  const runLabel = relative(options.repoRoot, ckpt.runDir) || ckpt.runDir;
  const files: ModelManifest['files'] = [];
  for (const name of ckpt.files) files.push({ name, bytes: (await stat(join(ckpt.dir, name))).size });
  const manifest: ModelManifest = { format: 'quarkmed-browser-model', version: 1, run: runLabel.startsWith('..') ? ckpt.runDir : runLabel, stage: ckpt.stage, files };
  await replaceDirectory(join(options.publicDir, 'model'), async (staging) => {
    for (const name of ckpt.files) await copyFile(join(ckpt.dir, name), join(staging, name));
    await writeFile(join(staging, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  });
  log(`prepare-model: copied stage ${ckpt.stage} of ${manifest.run} (${files.map((f) => `${f.name} ${f.bytes} B`).join(', ')}) to ${join(options.publicDir, 'model')}`);

  const dataDir = join(options.repoRoot, 'data', 'medical-text');
  const records = await corpusRecords(dataDir);
  const attribution = await readFile(join(dataDir, 'README.md'), 'utf8');
  await replaceDirectory(join(options.publicDir, 'corpus'), async (staging) => {
    await writeFile(join(staging, 'corpus.jsonl'), records.map((r) => JSON.stringify(r)).join('\n') + '\n');
    await writeFile(join(staging, 'SOURCES.md'), attribution);
  });
  log(`prepare-model: wrote ${records.length} corpus records to ${join(options.publicDir, 'corpus')}`);
  return { manifest, ranTinyRecipe, corpusRecords: records.length };
}
