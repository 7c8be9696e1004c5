/**
 * Our model measured in a child process (`model-worker.ts`), one backend per process: the protocol and the
 * parent's side of it. A process per backend keeps the peak RSS of each apart (and comparable with PyTorch's,
 * also measured in a process of its own) and the backends from sharing state.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchConfig, ImplResult } from './model-bench';

/** Marks the reply line on the worker's stdout. */
export const RESULT_PREFIX = '@@quarkmed-bench-model@@ ';

/** What the parent asks for. */
export interface WorkerSpec {
  backend: string;
  config: BenchConfig;
  threads: number;
  /** Time every kernel in one more training step and one generation (see kernel-profile.ts). */
  profile: boolean;
}

/** What the worker answers. */
export interface WorkerReply {
  started: boolean;
  /** The backend's label (started) or its name. */
  label: string;
  /** initBackend's reason (started) or why it did not start ("not built (...)" for native). */
  reason: string;
  result?: ImplResult;
  /** Peak RSS of the worker process, bytes. */
  maxRssBytes: number;
}

const WORKER = join(dirname(fileURLToPath(import.meta.url)), 'model-worker.ts');

/**
 * The reply line of a worker's stdout: the last line starting with {@link RESULT_PREFIX}, parsed; undefined
 * when there is none.
 */
export function parseWorkerReply(stdout: string): WorkerReply | undefined {
  const line = stdout
    .split('\n')
    .reverse()
    .find((l) => l.startsWith(RESULT_PREFIX));
  return line === undefined ? undefined : (JSON.parse(line.slice(RESULT_PREFIX.length)) as WorkerReply);
}

/**
 * Runs `model-worker.ts` for `spec` with this process's Node and Node flags (so the tsx loader and the
 * `@quarkmed/source` condition carry over); its stderr (progress lines) goes to ours.
 *
 * @returns the worker's reply, or `{error}` with the exit status and what it printed last.
 */
export function runOursInChild(spec: WorkerSpec, timeoutMs: number): WorkerReply | { error: string } {
  const r = spawnSync(process.execPath, [...process.execArgv, WORKER], {
    input: JSON.stringify(spec),
    encoding: 'utf8',
    timeout: timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  if (r.error || r.status !== 0) {
    const why = r.error?.message ?? (r.signal ? `killed by ${r.signal}` : `exit ${r.status}`);
    return { error: `model worker for ${spec.backend} failed (${why}): ${(r.stdout ?? '').trim().split('\n').slice(-2).join(' | ')}` };
  }
  try {
    const reply = parseWorkerReply(r.stdout);
    return reply ?? { error: `model worker for ${spec.backend} printed no result line` };
  } catch (error) {
    return { error: `model worker for ${spec.backend} printed a malformed result (${error instanceof Error ? error.message : String(error)})` };
  }
}
