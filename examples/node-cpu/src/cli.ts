/**
 * The Node examples' command line (`--scale`, `--config`, `--out`, `--backend`, `--seed`, plus an example's own
 * boolean flags), checked before anything is loaded or trained. Relative paths are relative to where the user ran
 * pnpm (`INIT_CWD`), else to the working directory.
 *
 * @packageDocumentation
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SCALE_NAMES, type ScaleName } from '@quarkmed/pipeline';
import { ExampleUsageError } from './error';

/** What an example accepts beyond the common options. */
export interface CommonOptionSpec<B extends string> {
  /** The backends `--backend` accepts. */
  backends: readonly B[];
  /** `--out` when absent. */
  defaultOut: string;
  /** The example's boolean flags (e.g. `allow-software-adapter`). */
  flags?: readonly string[];
}

/** The validated command line. */
export interface CommonArgs<B extends string> {
  scale: ScaleName;
  /** Absolute path of a readable config file. */
  config?: string;
  /** Absolute run directory. */
  out: string;
  /** Absent: the config's backend. */
  backend?: B;
  /** Absent: the config's seed. */
  seed?: number;
  /** The example's flags that were given. */
  flags: Set<string>;
}

/** Parses `argv`. @throws {@link ExampleUsageError} naming the option at fault */
export function parseCommonArgs<B extends string>(argv: readonly string[], spec: CommonOptionSpec<B>): CommonArgs<B> {
  const flagOptions = Object.fromEntries((spec.flags ?? []).map((f) => [f, { type: 'boolean' as const, default: false }]));
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      // `pnpm start -- --scale tiny` passes the `--` through
      args: argv[0] === '--' ? argv.slice(1) : [...argv],
      strict: true,
      allowPositionals: false,
      options: { scale: { type: 'string', default: 'quickstart' }, config: { type: 'string' }, out: { type: 'string', default: spec.defaultOut }, backend: { type: 'string' }, seed: { type: 'string' }, ...flagOptions },
    }) as { values: Record<string, string | boolean | undefined> });
  } catch (e) {
    throw new ExampleUsageError('arguments', (e as Error).message.split('\n')[0]!);
  }
  // relative paths are the user's: pnpm runs the script in the example's directory and says where it was called in INIT_CWD
  const base = process.env.INIT_CWD ?? process.cwd();
  const scale = values.scale as string;
  if (!(SCALE_NAMES as readonly string[]).includes(scale)) throw new ExampleUsageError('--scale', `must be one of ${SCALE_NAMES.join(', ')}, got '${scale}'`);
  const backend = values.backend as string | undefined;
  if (backend !== undefined && !(spec.backends as readonly string[]).includes(backend)) throw new ExampleUsageError('--backend', `must be one of ${spec.backends.join(', ')}, got '${backend}'`);
  let seed: number | undefined;
  if (values.seed !== undefined) {
    const t = values.seed as string;
    seed = /^\d+$/.test(t) ? Number(t) : Number.NaN;
    if (!Number.isSafeInteger(seed) || seed > 0xffffffff) throw new ExampleUsageError('--seed', `must be an integer in [0, 4294967295], got '${t}'`);
  }
  let config: string | undefined;
  if (values.config !== undefined) {
    config = resolve(base, values.config as string);
    let isFile = false;
    try {
      isFile = statSync(config).isFile();
    } catch (e) {
      throw new ExampleUsageError('--config', `${values.config}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    if (!isFile) throw new ExampleUsageError('--config', `${values.config}: not a file`);
  }
  const out = values.out as string;
  if (out.trim() === '') throw new ExampleUsageError('--out', 'must not be empty');
  return {
    scale: scale as ScaleName,
    ...(config !== undefined ? { config } : {}),
    out: resolve(base, out),
    ...(backend !== undefined ? { backend: backend as B } : {}),
    ...(seed !== undefined ? { seed } : {}),
    flags: new Set((spec.flags ?? []).filter((f) => values[f] === true)),
  };
}
