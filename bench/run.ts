/**
 * Bench dispatcher: `pnpm bench` runs every suite, `pnpm bench <suite> [...]` the named ones.
 *
 * A suite is a file `bench/<suite>.ts` exporting `run(ctx: SuiteContext): Promise<SuiteOutcome>` (see
 * `bench/lib/suite.ts`); adding a file adds a suite. Options (`--backends`, `--quick`, `--json`) are
 * described in `bench/lib/args.ts`. The process exits 1 if a suite reports errors or throws.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BenchUsageError, parseArgs, USAGE } from './lib/args';
import { BENCH_DIR, defaultResultPath } from './lib/json';
import type { SuiteModule } from './lib/suite';

/** Every suite: `bench/*.ts` other than this file, sorted by name. */
export function listSuites(): string[] {
  return readdirSync(BENCH_DIR, { withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') && e.name !== 'run.ts')
    .map((e) => e.name.slice(0, -3))
    .sort();
}

/** `--json out.json` with several suites: one file per suite, `out-<suite>.json`. */
function jsonPathFor(suite: string, json: string | undefined, several: boolean, started: Date): string {
  if (json === undefined) return defaultResultPath(suite, started);
  if (!several) return json;
  return json.endsWith('.json') ? `${json.slice(0, -5)}-${suite}.json` : `${json}-${suite}.json`;
}

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    console.log(`suites: ${listSuites().join(', ')}`);
    return 0;
  }
  let options;
  try {
    options = parseArgs(argv);
  } catch (error) {
    if (error instanceof BenchUsageError) {
      console.error(`bench: ${error.message}\n${USAGE}`);
      return 2;
    }
    throw error;
  }
  const available = listSuites();
  const unknown = options.suites.filter((s) => !available.includes(s));
  if (unknown.length > 0) {
    console.error(`bench: unknown suite ${unknown.join(', ')}; available: ${available.join(', ')}`);
    return 2;
  }
  const suites = options.suites.length > 0 ? options.suites : available;
  const started = new Date();
  let failed = 0;
  for (const suite of suites) {
    const mod = (await import(pathToFileURL(join(BENCH_DIR, `${suite}.ts`)).href)) as Partial<SuiteModule>;
    if (typeof mod.run !== 'function') {
      console.error(`bench: bench/${suite}.ts does not export a run function`);
      failed++;
      continue;
    }
    console.log(`=== bench ${suite}${mod.description ? `: ${mod.description}` : ''} ===\n`);
    try {
      const outcome = await mod.run({
        suite,
        backends: options.backends,
        quick: options.quick,
        jsonPath: jsonPathFor(suite, options.json, suites.length > 1, started),
        options,
      });
      if (outcome.jsonPath) console.log(`${suite}: results written to ${outcome.jsonPath}`);
      if (outcome.errors > 0) {
        console.error(`${suite}: ${outcome.errors} case(s) failed with an error (see above)`);
        failed++;
      }
    } catch (error) {
      console.error(`bench ${suite} failed:`, error);
      failed++;
    }
  }
  return failed > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    // Backends (wasm worker threads, Dawn) can keep the event loop alive: exit explicitly.
    process.exit(code);
  },
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
