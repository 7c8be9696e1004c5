/**
 * The quickstart's command line: every argument and the output directory are checked before any work starts, so a
 * typo costs a second, not a training run.
 *
 * @packageDocumentation
 */
import { closeSync, existsSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BACKEND_NAMES, type BackendName } from '@quarkmed/tensor-kernels';

/** The jobs `pnpm quickstart --job` runs (`recipe`, the default, is the whole five-stage recipe). */
export const JOBS = ['recipe', 'medical-lm', 'fused-block'] as const;
/** The recipe's scales (`--scale`; `@quarkmed/pipeline`'s `SCALE_NAMES`). */
export const SCALES = ['tiny', 'quickstart', 'small', 'base'] as const;
/** One of {@link JOBS}. */
export type Job = (typeof JOBS)[number];

/** The one-line usage string printed with every usage error. */
export const USAGE =
  'usage: pnpm quickstart [--job recipe|medical-lm|fused-block] [--backend auto|cpu|wasm|native|webgpu|tensorflow] [--steps N>=2] [--seed 0..4294967295] [--out DIR] [--config FILE] [--scale tiny|quickstart|small|base]';

/** A bad command line: printed as one line (plus {@link USAGE}) with exit status 2, never as a stack trace. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The validated command line. */
export interface QuickstartArgs {
  job: Job;
  backend: BackendName | 'auto';
  /** Undefined: the job's default. */
  steps: number | undefined;
  seed: number;
  /** Absolute output directory (created, and proven writable, by {@link parseQuickstartArgs}). */
  out: string;
  /** Recipe only: a config file (YAML or JSON; absolute), checked to be readable. */
  config?: string;
  /** Recipe only: the named scale (default `quickstart`). */
  scale?: (typeof SCALES)[number];
}

function integer(flag: string, raw: string, min: number, max: number): number {
  const v = /^[+-]?\d+$/.test(raw.trim()) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(v) || v < min || v > max) {
    throw new UsageError(`${flag} must be an integer in [${min}, ${max}], got '${raw}'`);
  }
  return v;
}

/**
 * `mkdir -p` one level at a time. (Node's `mkdirSync(dir, { recursive: true })` never returns for a path under
 * `/proc`, where `mkdir` fails with ENOENT although the parent exists.)
 */
function makeDirectories(abs: string): void {
  const missing: string[] = [];
  let p = abs;
  while (!existsSync(p)) {
    missing.push(p);
    const parent = dirname(p);
    if (parent === p) break;
    p = parent;
  }
  for (const d of missing.reverse()) mkdirSync(d);
}

/**
 * Makes sure `dir` is (or can become) a writable directory, by creating it and writing, renaming and removing a
 * probe file in it the way the checkpoint writer does (temp file + rename). Throws {@link UsageError} naming the
 * directory and the reason otherwise.
 */
export function assertWritableDirectory(flag: string, dir: string): void {
  const abs = resolve(dir);
  let isDir = false;
  try {
    isDir = statSync(abs).isDirectory();
    if (!isDir) throw new UsageError(`${flag} ${dir}: exists and is not a directory`);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') throw new UsageError(`${flag} ${dir}: not a writable directory (${code ?? (e as Error).message})`);
  }
  try {
    if (!isDir) makeDirectories(abs);
    const probe = join(abs, `.quickstart-probe-${process.pid}.tmp`);
    const fd = openSync(probe, 'w');
    try {
      writeSync(fd, 'probe');
    } finally {
      closeSync(fd);
    }
    renameSync(probe, `${probe}.done`);
    rmSync(`${probe}.done`, { force: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`${flag} ${dir}: not a writable directory (${code ?? (e as Error).message}; parent ${dirname(abs)})`);
  }
}

/**
 * Parses and validates the quickstart's arguments (unknown flags, positionals, non-numeric or out-of-range numbers,
 * an unknown job or backend, an output path that is a file or not writable): throws {@link UsageError}.
 */
export function parseQuickstartArgs(argv: string[]): QuickstartArgs {
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        job: { type: 'string', default: 'recipe' },
        backend: { type: 'string', default: 'auto' },
        steps: { type: 'string' },
        seed: { type: 'string', default: '1234' },
        out: { type: 'string', default: 'runs/quickstart' },
        config: { type: 'string' },
        scale: { type: 'string' },
      },
    }) as { values: Record<string, string | undefined> });
  } catch (e) {
    throw new UsageError((e as Error).message.split('\n')[0]!);
  }
  const job = values.job!;
  if (!(JOBS as readonly string[]).includes(job)) throw new UsageError(`--job must be one of ${JOBS.join(', ')}, got '${job}'`);
  const backend = values.backend!;
  if (!BACKEND_NAMES.includes(backend as BackendName)) {
    throw new UsageError(`--backend must be one of ${BACKEND_NAMES.join(', ')}, got '${backend}'`);
  }
  const steps = values.steps === undefined ? undefined : integer('--steps', values.steps, 2, 10_000_000);
  const seed = integer('--seed', values.seed!, 0, 0xffffffff);
  const out = values.out!;
  if (out.trim() === '') throw new UsageError('--out must not be empty');
  if ((values.config !== undefined || values.scale !== undefined) && job !== 'recipe') {
    throw new UsageError(`--config and --scale apply to --job recipe, not ${job}`);
  }
  const scale = values.scale;
  if (scale !== undefined && !(SCALES as readonly string[]).includes(scale)) throw new UsageError(`--scale must be one of ${SCALES.join(', ')}, got '${scale}'`);
  let config: string | undefined;
  if (values.config !== undefined) {
    config = resolve(values.config);
    try {
      if (!statSync(config).isFile()) throw new UsageError(`--config ${values.config}: not a file`);
      closeSync(openSync(config, 'r'));
    } catch (e) {
      if (e instanceof UsageError) throw e;
      throw new UsageError(`--config ${values.config}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  }
  if (job !== 'fused-block') assertWritableDirectory('--out', out);
  return {
    job: job as Job,
    backend: backend as BackendName | 'auto',
    steps,
    seed,
    out: resolve(out),
    ...(config !== undefined ? { config } : {}),
    ...(scale !== undefined ? { scale: scale as (typeof SCALES)[number] } : {}),
  };
}
