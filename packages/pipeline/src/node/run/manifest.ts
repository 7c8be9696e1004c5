/**
 * The run manifest (`<run>/manifest.json`): the resolved config and its hash, the seed, package versions, and per
 * finished stage its artifacts with SHA-256 checksums, metrics and curves. Written atomically after every stage.
 *
 * @packageDocumentation
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@quarkmed/model/node';
import type { RecipeConfig } from '../../config/schema';
import type { StageName } from '../../config/stage-names';
import { PipelineError } from '../../error';
import type { Curve, StageOutput } from '../../stages/types';

/** A run directory whose manifest cannot be read: names the file. */
export class RunManifestError extends PipelineError {}

/** One artifact of a stage. */
export interface ArtifactEntry {
  sha256: string;
  bytes: number;
}

/** A finished stage. */
export interface StageEntry {
  files: Record<string, ArtifactEntry>;
  metrics: StageOutput['metrics'];
  curves: Curve[];
  seconds: number;
}

/** The manifest. */
export interface RunManifest {
  version: 1;
  configHash: string;
  config: RecipeConfig;
  seed: number;
  packages: Record<string, string>;
  backend: string | null;
  stages: Partial<Record<StageName, StageEntry>>;
}

/** SHA-256 (hex) of bytes. */
export function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The hash that decides whether a run directory's finished stages belong to `config` (`skip` excluded). */
export function configHash(config: RecipeConfig): string {
  const { skip: _skip, backend: _backend, ...rest } = config;
  return sha256(JSON.stringify(rest));
}

/** Reads `<dir>/manifest.json`, or undefined when there is none. */
export async function readManifest(dir: string): Promise<RunManifest | undefined> {
  const file = join(dir, 'manifest.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new RunManifestError(`${file}: cannot read (${(e as Error).message})`);
  }
  try {
    const m = JSON.parse(text) as RunManifest;
    if (m.version !== 1 || typeof m.stages !== 'object') throw new Error('not a version-1 run manifest');
    return m;
  } catch (e) {
    throw new RunManifestError(`${file}: ${(e as Error).message}`);
  }
}

/** Writes the manifest atomically. */
export async function writeManifest(dir: string, manifest: RunManifest): Promise<void> {
  await writeFileAtomic(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
}

/** Whether every artifact of `entry` under `stageDir` still has its checksum. */
export async function verifyStage(stageDir: string, entry: StageEntry): Promise<{ ok: boolean; problem?: string }> {
  for (const [name, a] of Object.entries(entry.files)) {
    let bytes: Buffer;
    try {
      bytes = await readFile(join(stageDir, name));
    } catch {
      return { ok: false, problem: `${name} is missing` };
    }
    if (bytes.length !== a.bytes || sha256(bytes) !== a.sha256) return { ok: false, problem: `${name} does not match its checksum` };
  }
  return { ok: true };
}
