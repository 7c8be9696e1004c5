/**
 * Running the PyTorch side of a bench suite: the system Python with torch (`/usr/bin/python3`, Debian's
 * python3-torch; the pyenv python3 on PATH has none; `QM_BENCH_TORCH_PYTHON` overrides it), one child process
 * per run, a JSON spec on stdin and one JSON object on stdout, under the environment of a
 * {@link TorchSetting} (BLAS library and thread counts, see `torch-settings.ts`).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { BENCH_DIR } from './json';
import { settingEnv, type TorchSetting } from './torch-settings';

export type { TorchRuntime } from './torch-settings';

/** The Python that runs the bench's torch scripts. */
export const TORCH_PYTHON = process.env['QM_BENCH_TORCH_PYTHON'] ?? '/usr/bin/python3';

/** Whether {@link TORCH_PYTHON} can import torch: `{ok, version}` or `{ok: false, why}`. */
export function torchAvailable(): { ok: true; version: string } | { ok: false; why: string } {
  const r = spawnSync(TORCH_PYTHON, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8', timeout: 120_000 });
  if (r.error) return { ok: false, why: `${TORCH_PYTHON} not runnable (${r.error.message})` };
  if (r.status !== 0) return { ok: false, why: `${TORCH_PYTHON} cannot import torch` };
  return { ok: true, version: r.stdout.trim() };
}

/**
 * Runs `bench/<script>` with {@link TORCH_PYTHON} under `setting` (its environment, and `threads` set in the
 * spec to the setting's torch threads), `spec` as JSON on stdin, and parses the JSON it prints.
 *
 * @returns the parsed object, or `{error}` naming the script and what went wrong (exit status, last stderr
 *   lines, or output that is not JSON); never throws for a failed run.
 */
export function runTorchScript<T extends object>(
  script: string,
  spec: Record<string, unknown>,
  setting: TorchSetting,
  timeoutMs: number,
): T | { error: string } {
  const r = spawnSync(TORCH_PYTHON, [join(BENCH_DIR, script)], {
    input: JSON.stringify({ ...spec, threads: setting.torchThreads }),
    encoding: 'utf8',
    timeout: timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
    env: settingEnv(setting, process.env),
  });
  if (r.error || r.status !== 0) {
    const why = r.error?.message ?? (r.signal ? `killed by ${r.signal}` : `exit ${r.status}`);
    return { error: `${script} failed (${why}): ${(r.stderr ?? '').trim().split('\n').slice(-3).join(' | ')}` };
  }
  try {
    return JSON.parse(r.stdout) as T;
  } catch (error) {
    return { error: `${script} printed no JSON (${error instanceof Error ? error.message : String(error)})` };
  }
}
