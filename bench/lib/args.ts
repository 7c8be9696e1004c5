/**
 * Command-line options shared by every bench suite.
 *
 * `pnpm bench [suite ...] [--backends native,wasm,cpu,webgpu] [--quick] [--json <path>]`
 */

/**
 * Backends a suite may be asked to run on: `native` (OpenBLAS + C kernels through N-API, when built),
 * `wasm`, `cpu`, `webgpu`, `tensorflow` (when `@tensorflow/tfjs-node(-gpu)` is installed).
 */
export const KNOWN_BACKENDS = ['native', 'wasm', 'cpu', 'webgpu', 'tensorflow'] as const;

/**
 * Backends measured when `--backends` is absent: what a user of a CPU machine like this one cares about. A
 * backend that cannot start is reported by each suite in one line (`native: not built (reason)` until the
 * native path is built) and skipped, so `native` is listed whether or not it is built; `tensorflow` is an
 * optional peer and must be asked for.
 */
export const DEFAULT_BACKENDS: readonly string[] = ['native', 'wasm', 'cpu', 'webgpu'];

/** Parsed options of one bench run. */
export interface BenchOptions {
  /** Suites named on the command line (empty: every suite). */
  suites: string[];
  /** Backends to measure, in order. */
  backends: string[];
  /** Smoke test: few iterations and small time budgets (a suite may also shrink its shapes). */
  quick: boolean;
  /** Where to write the JSON result; undefined: `bench/results/<suite>-<timestamp>.json`. */
  json?: string;
}

/** Thrown for a malformed command line; the runner prints its message and the usage. */
export class BenchUsageError extends Error {
  override name = 'BenchUsageError';
}

/** Usage text printed by `pnpm bench --help` and on a usage error. */
export const USAGE = `usage: pnpm bench [suite ...] [--backends native,wasm,cpu,webgpu] [--quick] [--json <path>]
  suite          one of the bench/<suite>.ts files (default: every suite)
  --backends     comma-separated backends to measure, of ${KNOWN_BACKENDS.join(', ')} (default: ${DEFAULT_BACKENDS.join(',')};
                 one that cannot start here is reported and skipped)
  --quick        smoke test: few iterations, small time budgets (suites may also use smaller shapes)
  --json <path>  write the JSON result there (default: bench/results/<suite>-<timestamp>.json)`;

/**
 * Parses `argv` (without the node and script entries).
 *
 * @param argv - the arguments after `bench/run.ts`.
 * @param defaultBackends - backends used when `--backends` is absent.
 * @throws {@link BenchUsageError} for an unknown flag, a missing flag value, an empty backend list or a
 *   backend not in {@link KNOWN_BACKENDS}.
 */
export function parseArgs(argv: readonly string[], defaultBackends: readonly string[] = DEFAULT_BACKENDS): BenchOptions {
  const opts: BenchOptions = { suites: [], backends: [...defaultBackends], quick: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v.startsWith('--')) throw new BenchUsageError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--': // pnpm may forward a lone '--'
        break;
      case '--quick':
        opts.quick = true;
        break;
      case '--json':
        opts.json = value();
        break;
      case '--backends': {
        const list = value()
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s.length > 0);
        if (list.length === 0) throw new BenchUsageError('--backends needs at least one backend name');
        const unknown = list.filter((b) => !(KNOWN_BACKENDS as readonly string[]).includes(b));
        if (unknown.length > 0) throw new BenchUsageError(`--backends: unknown backend ${unknown.join(', ')}; known: ${KNOWN_BACKENDS.join(', ')}`);
        opts.backends = list;
        break;
      }
      default:
        if (flag.startsWith('-')) throw new BenchUsageError(`unknown option ${flag}`);
        opts.suites.push(flag);
    }
  }
  return opts;
}
