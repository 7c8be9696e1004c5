/**
 * A Vitest reporter that ends the run with one plain line, `tests: N passed, N failed, N skipped`, with no colour
 * codes, as the very last line, after Vitest's own (coloured) summary. CI and other tools that read a run's closing line understand that
 * form in any language; Vitest's summary, coloured whenever `CI` is set, they do not.
 *
 * A test file that failed to load (it has no test to count) and every unhandled error count as failures, so the
 * line never says `0 failed` for a run that failed.
 */
import type { Reporter, TestModule } from 'vitest/node';

export default class ClosingLineReporter implements Reporter {
  onTestRunEnd(testModules: readonly TestModule[], unhandledErrors: readonly unknown[]): void {
    let passed = 0;
    let failed = unhandledErrors.length;
    let skipped = 0;
    for (const m of testModules) {
      let counted = 0;
      for (const t of m.children.allTests()) {
        counted++;
        const state = t.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else skipped++;
      }
      if (counted === 0 && m.state() === 'failed') failed++;
    }
    const line = `tests: ${passed} passed, ${failed} failed, ${skipped} skipped`;
    // At exit, so that it comes after the default reporter's summary whatever the reporters' order.
    process.once('exit', () => process.stdout.write(`\n${line}\n`));
  }
}
