/**
 * Child process of durability.test.ts (run by node with the tsx loader): saves two models (or two LoRA adapters) A and B
 * alternately into one directory, forever, until the test kills it with SIGKILL. Prints `ready` once the
 * backend and both models exist and `saved <A|B>` after each completed save.
 *
 * Usage (from the repository root): node --import tsx --conditions=@quarkmed/source durability-child.ts <checkpoint|peft> <dir>
 */
import { initBackend } from '@quarkmed/tensor-kernels';
import { saveCheckpoint } from '../../src/node/checkpoint';
import { saveLoraAdapters } from '../../src/node/peft';
import { DURABILITY_SHARD_BYTES, makeAdapters, makeModels } from './durability-models';

const [mode, dir] = process.argv.slice(2);
if ((mode !== 'checkpoint' && mode !== 'peft') || dir === undefined) {
  console.error('usage: durability-child.ts <checkpoint|peft> <dir>');
  process.exit(2);
}
await initBackend('cpu', { log: false });
const { a, b } = makeModels();
const adapters = mode === 'peft' ? makeAdapters() : undefined;
process.stdout.write('ready\n');
for (let i = 0; ; i++) {
  const which = i % 2 === 0 ? 'A' : 'B';
  if (adapters) await saveLoraAdapters(which === 'A' ? adapters.a : adapters.b, dir);
  else await saveCheckpoint(dir, which === 'A' ? a : b, { shardSizeBytes: DURABILITY_SHARD_BYTES });
  process.stdout.write(`saved ${which}\n`);
}
