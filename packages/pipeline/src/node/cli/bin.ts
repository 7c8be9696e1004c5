#!/usr/bin/env node
/**
 * The `quarkmed` executable (the package's `bin`): runs {@link main} on the process's arguments and exits with its
 * code (0 ok, 1 the job failed, 2 a usage error). `main.ts` itself has no side effect on import.
 *
 * @packageDocumentation
 */
import { main } from './main';

void main(process.argv.slice(2)).then((code) => process.exit(code));
