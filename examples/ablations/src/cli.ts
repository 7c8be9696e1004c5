/**
 * The ablations' command line, checked before any work starts:
 *
 *   pnpm --filter @quarkmed/example-ablations start <verifier|retrieval|dpo-grpo|knowledge|all>
 *        [--scale smoke|small] [--seed 1234] [--out runs/ablations-<scale>] [--backend auto|cpu|wasm|native|webgpu|tensorflow] [--verbose]
 *
 * @packageDocumentation
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BACKEND_NAMES, type BackendName } from '@quarkmed/tensor-kernels';
import { AblationError } from './error';
import { EXPERIMENT_NAMES, type ExperimentName } from './experiments/registry';
import { ABLATION_SCALE_NAMES, ablationScale, type AblationScale, type AblationScaleName } from './scales';

/** The usage line printed with every usage error. */
export const USAGE = `usage: pnpm --filter @quarkmed/example-ablations start <${EXPERIMENT_NAMES.join('|')}|all> [--scale ${ABLATION_SCALE_NAMES.join('|')}] [--seed N] [--out DIR] [--backend ${BACKEND_NAMES.join('|')}] [--verbose]`;

/** The validated command line. */
export interface AblationArgs {
  experiments: ExperimentName[];
  scaleName: AblationScaleName;
  scale: AblationScale;
  seed: number;
  out: string;
  backend: BackendName | 'auto';
  verbose: boolean;
}

/** Parses the arguments. @throws {@link AblationError} (experiment `cli`) for anything wrong */
export function parseAblationArgs(argv: readonly string[]): AblationArgs {
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({
      args: [...argv].filter((a) => a !== '--'),
      strict: true,
      allowPositionals: true,
      options: { scale: { type: 'string', default: 'small' }, seed: { type: 'string', default: '1234' }, out: { type: 'string' }, backend: { type: 'string', default: 'auto' }, verbose: { type: 'boolean', default: false } },
    }) as typeof parsed;
  } catch (e) {
    throw new AblationError('cli', (e as Error).message.split('\n')[0]!);
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1) throw new AblationError('cli', `expected one experiment name, got ${positionals.length === 0 ? 'none' : positionals.join(' ')}`);
  const name = positionals[0]!;
  if (name !== 'all' && !(EXPERIMENT_NAMES as readonly string[]).includes(name)) throw new AblationError('cli', `unknown experiment '${name}' (one of ${EXPERIMENT_NAMES.join(', ')}, all)`);
  const scaleName = values.scale as string;
  const scale = ablationScale(scaleName);
  const seedText = values.seed as string;
  const seed = /^\d+$/.test(seedText) ? Number(seedText) : Number.NaN;
  if (!Number.isSafeInteger(seed) || seed > 0xffffffff) throw new AblationError('cli', `--seed must be an integer in [0, 4294967295], got '${seedText}'`);
  const backend = values.backend as string;
  if (!(BACKEND_NAMES as readonly string[]).includes(backend)) throw new AblationError('cli', `--backend must be one of ${BACKEND_NAMES.join(', ')}, got '${backend}'`);
  const out = (values.out as string | undefined) ?? `runs/ablations-${scaleName}`;
  if (out.trim() === '') throw new AblationError('cli', '--out must not be empty');
  return {
    experiments: name === 'all' ? [...EXPERIMENT_NAMES] : [name as ExperimentName],
    scaleName: scaleName as AblationScaleName,
    scale,
    seed,
    // relative to where the user ran pnpm (pnpm runs the script in this package's directory)
    out: resolve(process.env.INIT_CWD ?? process.cwd(), out),
    backend: backend as BackendName | 'auto',
    verbose: values.verbose === true,
  };
}
