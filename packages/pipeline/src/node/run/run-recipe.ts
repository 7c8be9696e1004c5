/**
 * Runs the recipe in a run directory:
 *
 * ```
 * <run>/manifest.json        config, seeds, package versions, per finished stage its artifacts (SHA-256), metrics, curves
 * <run>/config.json          the resolved config
 * <run>/stages/<stage>/      each stage's artifacts, replaced as a unit (a model stage's is a HF Llama checkpoint)
 * <run>/state/<stage>/<name> trainer states (FileTrainerStore): the interrupted stage resumes from here
 * <run>/events.jsonl         every progress event
 * <run>/report.html          the self-contained report
 * ```
 *
 * A stage is committed by swapping its directory in, then rewriting the manifest (both atomic), so a `kill -9` at
 * any moment leaves a consistent directory: a re-run verifies the finished stages' checksums and skips them, and the
 * interrupted stage continues from its trainer's last checkpoint.
 *
 * @packageDocumentation
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { initBackend, type BackendChoice } from '@quarkmed/tensor-kernels';
import { makeDirectory, replaceDirectory, writeFileAtomic } from '@quarkmed/model/node';
import type { RecipeConfig } from '../../config/schema';
import { STAGE_NAMES, type StageName } from '../../config/stage-names';
import { planRun, stageByName, type RunPlan } from '../../stages/registry';
import { StageError } from '../../stages/stage-error';
import type { StageProgress } from '../../stages/types';
import { configHash, readManifest, sha256, verifyStage, writeManifest, type RunManifest, type StageEntry } from './manifest';
import { nodeStageContext } from './node-context';
import { packageVersions } from './package-versions';

/** Options of {@link runRecipe}. */
export interface RunRecipeOptions {
  runDir: string;
  config: RecipeConfig;
  progress: StageProgress;
  /** Run only this stage (`quarkmed stage <name>`), re-running it even when finished. */
  only?: StageName;
  /** Initialise the backend (default true; tests that already did pass false). */
  initBackend?: boolean;
}

/** What {@link runRecipe} did. */
export interface RunRecipeResult {
  plan: RunPlan;
  manifest: RunManifest;
  backend: BackendChoice | null;
  /** Seconds per stage that ran. */
  seconds: Partial<Record<StageName, number>>;
}

async function writeStageFiles(dir: string, files: Record<string, Uint8Array | string>): Promise<Record<string, { sha256: string; bytes: number }>> {
  const entries: Record<string, { sha256: string; bytes: number }> = {};
  await replaceDirectory(dir, async (staging) => {
    for (const [name, content] of Object.entries(files)) {
      const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
      const path = join(staging, name);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, bytes);
      entries[name] = { sha256: sha256(bytes), bytes: bytes.length };
    }
  });
  return entries;
}

/**
 * Runs (or resumes) the recipe in `options.runDir`.
 *
 * @throws {@link index.StageError | StageError} naming the stage that failed (and the config key or file where it applies)
 */
export async function runRecipe(options: RunRecipeOptions): Promise<RunRecipeResult> {
  const runDir = resolve(options.runDir);
  const { config, progress } = options;
  await makeDirectory(runDir);
  const hash = configHash(config);
  const previous = await readManifest(runDir);
  const sameConfig = previous?.configHash === hash;
  const finished = new Set<StageName>();
  if (previous && sameConfig) {
    for (const name of STAGE_NAMES) {
      const entry = previous.stages[name];
      if (!entry) continue;
      const v = await verifyStage(join(runDir, 'stages', name), entry);
      if (v.ok) finished.add(name);
      else progress.event(name, 'checksum-mismatch', { problem: v.problem });
    }
  } else if (previous) {
    progress.event('corpus', 'config-changed', { runDir, note: 'finished stages and trainer states of the old config are discarded' });
    await rm(join(runDir, 'state'), { recursive: true, force: true });
  }
  const backend = options.initBackend === false ? null : await initBackend(config.backend, { log: false });
  if (backend) progress.event('corpus', 'backend', { name: backend.name, reason: backend.reason });
  const manifest: RunManifest = {
    version: 1,
    configHash: hash,
    config,
    seed: config.seed,
    packages: packageVersions(),
    backend: backend?.name ?? previous?.backend ?? null,
    stages: sameConfig && previous ? Object.fromEntries(Object.entries(previous.stages).filter(([k]) => finished.has(k as StageName))) : {},
  };
  await writeFileAtomic(join(runDir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
  await writeManifest(runDir, manifest);

  const plan = planRun(config, { finished, ...(options.only ? { only: options.only } : {}) });
  const available = new Set<StageName>(finished);
  const seconds: RunRecipeResult['seconds'] = {};
  for (const step of plan) {
    if (step.action !== 'run') {
      progress.event(step.name, step.action === 'reuse' ? 'reused' : 'skipped', { reason: step.reason });
      if (step.action === 'skip') available.delete(step.name);
      continue;
    }
    // a stage that runs again invalidates its old output and the outputs after it
    available.delete(step.name);
    delete manifest.stages[step.name];
    await writeManifest(runDir, manifest);
    progress.event(step.name, 'start', { plan: step.details });
    const t0 = performance.now();
    const stage = stageByName(step.name);
    let output;
    try {
      output = await stage.run(nodeStageContext({ runDir, stage: step.name, config, progress, available }));
    } catch (e) {
      if (e instanceof StageError) throw e;
      throw new StageError(step.name, (e as Error).message ?? String(e), { cause: e });
    }
    const files = await writeStageFiles(join(runDir, 'stages', step.name), output.files);
    const entry: StageEntry = { files, metrics: output.metrics, curves: output.curves ?? [], seconds: (performance.now() - t0) / 1000 };
    manifest.stages[step.name] = entry;
    await writeManifest(runDir, manifest);
    available.add(step.name);
    seconds[step.name] = entry.seconds;
    progress.event(step.name, 'finished', { seconds: Number(entry.seconds.toFixed(1)), metrics: output.metrics });
  }
  return { plan, manifest, backend, seconds };
}
