/**
 * The child process of the end-to-end and kill -9 tests: the real `quarkmed` CLI (`main`) on the tiny scale,
 * progress as JSON lines on stdout. Usage: `node --import tsx --conditions=@quarkmed/source recipe-child.ts <quarkmed args>`.
 */
import { main } from '../../src/node/cli/main';

process.exitCode = await main(process.argv.slice(2));
