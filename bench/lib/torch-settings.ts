/**
 * "PyTorch at its best on this machine": the sweep of PyTorch's BLAS library and thread settings that every
 * suite comparing against PyTorch runs before its PyTorch measurement.
 *
 * Debian's python3-torch calls whatever `libblas.so.3` the dynamic linker finds (BLAS_INFO=generic): the
 * alternative `update-alternatives` selected, or another BLAS put first with `LD_LIBRARY_PATH`. Its speed
 * also depends on how torch's OpenMP threads and the BLAS's own threads share the cores (two threaded layers
 * oversubscribe them). A candidate ({@link TorchSetting}) is one BLAS library × torch threads {1, cores} ×
 * BLAS threads (`OPENBLAS_NUM_THREADS` and `OMP_NUM_THREADS`) {1, cores}. The suite probes each candidate
 * with a short run ({@link sweepTorchSettings}), takes the best per measured quantity (matmul, training,
 * generation: the best may differ) and measures PyTorch with it. Nothing is cached across runs.
 */
import { realpathSync } from 'node:fs';
import { renderTable } from './table';

/** What every torch script reports about the runtime it ran in (`bench/torch_runtime.py`). */
export interface TorchRuntime {
  /** torch.__version__. */
  torch?: string;
  /** torch.get_num_threads() after the script set it. */
  threads?: number;
  /** The build's BLAS_INFO ("generic" on Debian: whatever libblas.so.3 resolves to). */
  blas?: string;
  /** The BLAS shared object actually mapped into the process (from /proc/self/maps). */
  blasLibrary?: string | null;
  /** openblas_get_num_threads() of the mapped OpenBLAS, when it is one. */
  blasThreads?: number | null;
  /** openblas_get_config() (build options, e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64"). */
  blasConfig?: string | null;
}

/** One BLAS library the sweep can put under torch. */
export interface BlasLibrary {
  /** `default` (what `libblas.so.3` resolves to), or the Debian directory name (`openblas-pthread`, ...). */
  id: string;
  /** Shown in tables, e.g. "Debian default (= openblas-pthread)". */
  label: string;
  /** Directory put first on `LD_LIBRARY_PATH` (absent for `default`). */
  libDir?: string;
  /** The real path of its `libblas.so.3`. */
  file: string;
  /** Whether it runs threads of its own (OpenBLAS pthread/OpenMP, BLIS); the thread sweep is skipped otherwise. */
  threaded: boolean;
}

/** One candidate: the BLAS library, torch's intra-op threads and the BLAS's threads. */
export interface TorchSetting {
  blas: BlasLibrary;
  /** `torch.set_num_threads`. */
  torchThreads: number;
  /** `OPENBLAS_NUM_THREADS` and `OMP_NUM_THREADS`. */
  blasThreads: number;
}

/** A quantity a sweep measures; higher is better. */
export interface SweepQuantity {
  /** Key in the probe's values, e.g. `train`. */
  key: string;
  /** Column header, e.g. "train tok/s". */
  label: string;
}

/** What a probe of one candidate measured. */
export interface ProbeOutcome {
  /** Value per quantity key (missing or non-finite: not measured). */
  values: Record<string, number | undefined>;
  runtime?: TorchRuntime;
}

/** One candidate's probe. */
export interface SweepRow {
  setting: TorchSetting;
  values: Record<string, number | undefined>;
  runtime?: TorchRuntime;
  error?: string;
  /** Wall time of the probe, milliseconds. */
  ms: number;
}

/** Every candidate's probe and the best row per quantity. */
export interface SweepResult {
  quantities: SweepQuantity[];
  rows: SweepRow[];
  /** Per quantity key: the row with the highest value (undefined when no probe measured it). */
  best: Record<string, SweepRow | undefined>;
}

/** Debian's multiarch library directory of this machine. */
export function multiarchLibDir(arch: string = process.arch): string {
  const triplet = arch === 'arm64' ? 'aarch64-linux-gnu' : arch === 'ppc64' ? 'powerpc64le-linux-gnu' : 'x86_64-linux-gnu';
  return `/usr/lib/${triplet}`;
}

/** The BLAS directories the sweep tries besides the default (Debian's names), in order. */
export const BLAS_DIRS: readonly { id: string; label: string }[] = [
  { id: 'openblas-pthread', label: 'openblas-pthread' },
  { id: 'openblas-openmp', label: 'openblas-openmp' },
];

function threadedPath(file: string): boolean {
  return /openblas(?!-serial)|blis/i.test(file) && !/serial/i.test(file);
}

/**
 * The BLAS libraries present: the default (`<libDir>/libblas.so.3` as the linker resolves it) and each of
 * {@link BLAS_DIRS} that has a `libblas.so.3`, without duplicates (a directory whose library is the default
 * one is folded into the default's label).
 *
 * @param resolve - real path of a file, undefined when it does not exist (injected for tests).
 * @param libDir - the multiarch library directory.
 */
export function detectBlasLibraries(
  resolve: (path: string) => string | undefined = realpathOrUndefined,
  libDir: string = multiarchLibDir(),
): BlasLibrary[] {
  const out: BlasLibrary[] = [];
  const defaultFile = resolve(`${libDir}/libblas.so.3`);
  const dirs = BLAS_DIRS.map((d) => ({ ...d, dir: `${libDir}/${d.id}`, file: resolve(`${libDir}/${d.id}/libblas.so.3`) }));
  if (defaultFile !== undefined) {
    const same = dirs.find((d) => d.file === defaultFile);
    const what = same ? same.label : defaultFile;
    out.push({ id: 'default', label: `Debian default (= ${what})`, file: defaultFile, threaded: threadedPath(defaultFile) });
  }
  for (const d of dirs) {
    if (d.file === undefined || d.file === defaultFile) continue;
    out.push({ id: d.id, label: `${d.label} (LD_LIBRARY_PATH)`, libDir: d.dir, file: d.file, threaded: threadedPath(d.file) });
  }
  return out;
}

function realpathOrUndefined(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

/**
 * The candidates: each library × torch threads {1, cores} × BLAS threads {1, cores} (BLAS threads only 1 for
 * an unthreaded library), the as-installed setting (default library, cores, cores) first when present.
 *
 * @throws RangeError when `cores` is not a positive integer.
 */
export function sweepCandidates(libraries: readonly BlasLibrary[], cores: number): TorchSetting[] {
  if (!Number.isInteger(cores) || cores < 1) throw new RangeError(`sweepCandidates: cores must be a positive integer, got ${cores}`);
  const counts = [...new Set([cores, 1])];
  const out: TorchSetting[] = [];
  for (const blas of libraries) {
    for (const torchThreads of counts) {
      for (const blasThreads of blas.threaded ? counts : [1]) out.push({ blas, torchThreads, blasThreads });
    }
  }
  return out;
}

/** The setting a plain `import torch` gets here: the default library, torch and BLAS threads = cores. */
export function isAsInstalled(s: TorchSetting, cores: number): boolean {
  return s.blas.id === 'default' && s.torchThreads === cores && (s.blasThreads === cores || !s.blas.threaded);
}

/**
 * The environment of a run under `setting`: `base` with `OPENBLAS_NUM_THREADS` and `OMP_NUM_THREADS` set to
 * the BLAS threads and, for a library other than the default, its directory first on `LD_LIBRARY_PATH`.
 */
export function settingEnv(setting: TorchSetting, base: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) if (v !== undefined) env[k] = v;
  env['OPENBLAS_NUM_THREADS'] = String(setting.blasThreads);
  env['OMP_NUM_THREADS'] = String(setting.blasThreads);
  if (setting.blas.libDir !== undefined) {
    env['LD_LIBRARY_PATH'] = env['LD_LIBRARY_PATH'] ? `${setting.blas.libDir}:${env['LD_LIBRARY_PATH']}` : setting.blas.libDir;
  }
  return env;
}

/** "openblas-pthread (LD_LIBRARY_PATH), torch 2 thr, BLAS 1 thr". */
export function settingLabel(s: TorchSetting): string {
  return `${s.blas.label}, torch ${s.torchThreads} thr, BLAS ${s.blasThreads} thr`;
}

/** The env assignments that reproduce `s` on a command line, e.g. `OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1`. */
export function settingCommand(s: TorchSetting): string {
  const parts = [`OPENBLAS_NUM_THREADS=${s.blasThreads}`, `OMP_NUM_THREADS=${s.blasThreads}`];
  if (s.blas.libDir !== undefined) parts.unshift(`LD_LIBRARY_PATH=${s.blas.libDir}`);
  return `${parts.join(' ')} (torch.set_num_threads(${s.torchThreads}))`;
}

/** The row with the highest finite value of `key` (the first such row on a tie); undefined when none has one. */
export function pickBest(rows: readonly SweepRow[], key: string): SweepRow | undefined {
  let best: SweepRow | undefined;
  for (const r of rows) {
    const v = r.values[key];
    if (v === undefined || !Number.isFinite(v)) continue;
    if (best === undefined || v > best.values[key]!) best = r;
  }
  return best;
}

/**
 * Probes every candidate in order and picks the best per quantity.
 *
 * @param probe - runs one short measurement under a setting; returns its values or `{error}` (a failed
 *   probe is reported in the table and never chosen).
 * @param onProgress - called before each probe (a status line).
 */
export function sweepTorchSettings(
  candidates: readonly TorchSetting[],
  quantities: readonly SweepQuantity[],
  probe: (s: TorchSetting) => ProbeOutcome | { error: string },
  onProgress?: (i: number, s: TorchSetting) => void,
): SweepResult {
  const rows: SweepRow[] = [];
  candidates.forEach((setting, i) => {
    onProgress?.(i, setting);
    const t0 = Date.now();
    const r = probe(setting);
    const ms = Date.now() - t0;
    rows.push('error' in r ? { setting, values: {}, error: r.error, ms } : { setting, values: r.values, runtime: r.runtime, ms });
  });
  const best: Record<string, SweepRow | undefined> = {};
  for (const q of quantities) best[q.key] = pickBest(rows, q.key);
  return { quantities: [...quantities], rows, best };
}

function fmtValue(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return '-';
  return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
}

/**
 * The sweep as a table: one row per candidate (settings → each quantity, the best marked `*`), the library
 * the process really mapped, and notes giving the best setting per quantity and its gain over the
 * as-installed setting.
 */
export function renderSweep(title: string, sweep: SweepResult, cores: number): string {
  const rows = sweep.rows.map((r) => [
    r.setting.blas.label,
    String(r.setting.torchThreads),
    String(r.setting.blasThreads),
    ...sweep.quantities.map((q) => (r.error ? 'ERROR' : `${fmtValue(r.values[q.key])}${sweep.best[q.key] === r ? ' *' : ''}`)),
    r.runtime?.blasLibrary ? r.runtime.blasLibrary.replace(/^.*\//, '') : '-',
    `${(r.ms / 1000).toFixed(1)} s`,
    isAsInstalled(r.setting, cores) ? 'as installed' : '',
  ]);
  const asInstalled = sweep.rows.find((r) => isAsInstalled(r.setting, cores));
  const notes: string[] = [];
  for (const q of sweep.quantities) {
    const b = sweep.best[q.key];
    if (!b) {
      notes.push(`${q.label}: no candidate measured it`);
      continue;
    }
    const base = asInstalled?.values[q.key];
    const gain = base !== undefined && Number.isFinite(base) && base > 0 ? ` (${(b.values[q.key]! / base).toFixed(2)}x the as-installed setting)` : '';
    notes.push(`best ${q.label}: ${settingCommand(b.setting)}${gain}`);
  }
  for (const r of sweep.rows.filter((x) => x.error)) notes.push(`${settingLabel(r.setting)}: ${r.error}`);
  notes.push('probe: a short run per candidate (numbers are rough); PyTorch is then measured with the best setting of each quantity');
  return renderTable(
    title,
    [{ header: 'BLAS', align: 'left' }, 'torch thr', 'BLAS thr', ...sweep.quantities.map((q) => q.label), { header: 'mapped', align: 'left' }, 'probe', { header: '', align: 'left' }],
    rows,
    notes,
  );
}

/** The sweep as JSON (settings flattened). */
export function sweepJson(sweep: SweepResult): Record<string, unknown> {
  const flat = (r: SweepRow) => ({
    blas: r.setting.blas.id,
    blasFile: r.setting.blas.file,
    torchThreads: r.setting.torchThreads,
    blasThreads: r.setting.blasThreads,
    values: r.values,
    runtime: r.runtime,
    error: r.error,
    ms: r.ms,
  });
  return {
    quantities: sweep.quantities,
    rows: sweep.rows.map(flat),
    best: Object.fromEntries(Object.entries(sweep.best).map(([k, r]) => [k, r ? flat(r) : null])),
  };
}
