import * as tf from '@tensorflow/tfjs-core';
import * as qk from '@quarkmed/tensor-kernels';
import { loadNanoGpt, prepareNanoGptBackend, NanoGptRunner } from '../lib/nanogpt';
const lib = await loadNanoGpt();
if ('why' in lib) throw new Error(lib.why);
for (const b of ['cpu', 'wasm']) {
  await qk.initBackend(b as never, { log: false });
  console.log(b, prepareNanoGptBackend(b));
  const r = new NanoGptRunner(lib, { vocabSize: 256, blockSize: 40, nLayer: 2, nHead: 4, nEmbed: 64, mlpFactor: 4 });
  const prompt = [1, 2, 3, 4, 5, 6, 7, 8];
  const cached = await r.generate(prompt, 12);
  // uncached reference
  const seq = [...prompt]; const ref: number[] = [];
  for (let i = 0; i < 12; i++) {
    const nxt = tf.tidy(() => { const lg = (r as any).model.forward({ training: false }, tf.tensor2d([seq], [1, seq.length], 'int32')); return tf.argMax(tf.slice(lg, [0, seq.length - 1, 0], [1, 1, -1]), -1); });
    const v = (await nxt.data())[0]!; nxt.dispose(); ref.push(v); seq.push(v);
  }
  console.log(b, cached.join(','), '\n', b, ref.join(','), cached.join() === ref.join());
  r.dispose();
}
