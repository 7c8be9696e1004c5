/**
 * The interface of a bench suite: a file `bench/<suite>.ts` exporting {@link SuiteModule.run}
 * (and optionally a one-line `description`). `bench/run.ts` finds suites by listing `bench/*.ts`.
 */
import type { BenchOptions } from './args';

/** What the runner gives a suite. */
export interface SuiteContext {
  /** The suite's name (its file name without `.ts`). */
  suite: string;
  /** Backends to measure, in order (`--backends`). */
  backends: string[];
  /** Smoke test (`--quick`): few iterations, small budgets, possibly smaller shapes. */
  quick: boolean;
  /** Where the suite writes its JSON result (atomically, see `writeJsonAtomic`). */
  jsonPath: string;
  /** The whole parsed command line. */
  options: BenchOptions;
}

/** What a suite reports back to the runner. */
export interface SuiteOutcome {
  /** Cases that threw (a backend that cannot start is not an error). The runner exits 1 if any. */
  errors: number;
  /** Path of the JSON file written. */
  jsonPath?: string;
}

/** A module `bench/<suite>.ts`. */
export interface SuiteModule {
  /** One line shown by `pnpm bench --help`. */
  description?: string;
  /** Runs the suite, printing its tables and writing its JSON result. */
  run(ctx: SuiteContext): Promise<SuiteOutcome>;
}
