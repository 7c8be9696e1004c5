/**
 * What the Node examples print at the end of a run.
 *
 * @packageDocumentation
 */
import type { RunExampleResult } from './run-example';

/** The summary of a run: backend, seconds per stage, the effects table, where the report and run directory are. */
export function printResult(r: RunExampleResult, backend: string, wallSeconds: number): string {
  const seconds = Object.fromEntries(Object.entries(r.seconds).map(([k, v]) => [k, Number(v.toFixed(1))]));
  return (
    `\nbackend ${backend}\nstage seconds ${JSON.stringify(seconds)}\ntotal ${wallSeconds.toFixed(1)} s\n\n` +
    (r.effects.length > 0 ? `Effects (held-out probes; 95% intervals):\n${r.table}` : 'No effects: the eval stage did not run (skipped).') +
    `\n\nreport: ${r.report}\nrun directory: ${r.runDir} (a re-run resumes it)`
  );
}
