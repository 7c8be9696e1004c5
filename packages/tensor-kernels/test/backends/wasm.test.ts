/**
 * The wasm backend: threads in Node (worker shim), the transposed-matmul override, the kernels wasm lacks
 * (UnsortedSegmentSum, Einsum) and gradients, each checked against tfjs' cpu backend.
 */
import { KernelInputError } from '../../src/kernels/kernel-input-error';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initWasmBackend, type WasmInitResult } from '../../src/backends/wasm/setup-wasm';
import { createWebCompatibleWorker, loadNodeWorkerShimDeps } from '../../src/backends/wasm/node-worker-shim';
import { mulberry32, randomNormal } from '../helpers/random';

const PACKAGE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** A float32 tensor of seeded normal samples. */
function randn(shape: number[], seed: number): tf.Tensor {
  return tf.tensor(Float32Array.from(randomNormal(shape.reduce((p, d) => p * d, 1), seed)), shape, 'float32');
}

/** Seeded int32 ids in [lo, hi). */
function randomIds(n: number, lo: number, hi: number, seed: number): Int32Array {
  const u = mulberry32(seed);
  return Int32Array.from({ length: n }, () => lo + Math.floor(u() * (hi - lo)));
}

/**
 * Runs `f` on wasm and on cpu (with the same input values, re-created on each backend) and returns both
 * results as plain arrays with their shapes.
 */
async function onBoth(
  f: () => tf.Tensor | tf.Tensor[],
): Promise<{ wasm: { shape: number[]; values: number[] }[]; cpu: { shape: number[]; values: number[] }[] }> {
  const run = async (backend: string): Promise<{ shape: number[]; values: number[] }[]> => {
    await tf.setBackend(backend);
    const out = tf.tidy(f);
    const list = Array.isArray(out) ? out : [out];
    const res = await Promise.all(list.map(async (t) => ({ shape: t.shape.slice(), values: Array.from(await t.data()) })));
    tf.dispose(list);
    return res;
  };
  const cpu = await run('cpu');
  const wasm = await run('wasm');
  return { wasm, cpu };
}

/** Asserts both backends returned the same shapes and values within `tol` (|a-b| <= tol * max(1, |b|)). */
function expectClose(result: Awaited<ReturnType<typeof onBoth>>, tol = 1e-4): void {
  expect(result.wasm.length).toBe(result.cpu.length);
  result.cpu.forEach((ref, i) => {
    const got = result.wasm[i]!;
    expect(got.shape).toEqual(ref.shape);
    let worst = 0;
    ref.values.forEach((b, j) => {
      worst = Math.max(worst, Math.abs((got.values[j] as number) - b) / Math.max(1, Math.abs(b)));
    });
    expect(worst).toBeLessThanOrEqual(tol);
  });
}

let init: WasmInitResult;

beforeAll(async () => {
  init = await initWasmBackend();
});

afterAll(async () => {
  await tf.setBackend('wasm');
});

describe('initWasmBackend', () => {
  it('starts wasm with SIMD and 2 threads in Node', () => {
    expect(tf.getBackend()).toBe('wasm');
    expect(init).toEqual({ threads: 2, simd: true });
    expect(getThreadsCount()).toBe(2);
  });

  it('is idempotent and re-activates wasm', async () => {
    await tf.setBackend('cpu');
    const again = await initWasmBackend({ threads: 1 });
    expect(again).toBe(init);
    expect(tf.getBackend()).toBe('wasm');
    expect(getThreadsCount()).toBe(2);
  });

  it('rejects a bad thread count naming the option', async () => {
    await expect(initWasmBackend({ threads: 0 })).rejects.toThrow(/options\.threads must be an integer >= 1, got 0/);
    await expect(initWasmBackend({ threads: 1.5 })).rejects.toThrow(KernelInputError);
  });

  it('leaves no global Worker behind in Node', () => {
    expect((globalThis as { Worker?: unknown }).Worker).toBeUndefined();
  });

  it('lets `node script` exit after a threaded matmul (workers are unref-ed)', () => {
    const code = [
      "import * as tf from '@tensorflow/tfjs-core';",
      "import { initWasmBackend } from './src/backends/wasm/setup-wasm.ts';",
      'const r = await initWasmBackend({ threads: 2 });',
      'const c = tf.matMul(tf.ones([32, 16]), tf.ones([24, 16]), false, true);',
      'console.log(JSON.stringify({ ...r, v: (await c.data())[5] }));',
    ].join('\n');
    const child = spawnSync(
      process.execPath,
      ['--conditions=@quarkmed/source', '--import', 'tsx', '--input-type=module', '-e', code],
      { cwd: PACKAGE_DIR, encoding: 'utf8', timeout: 60_000 },
    );
    expect(child.error).toBeUndefined();
    expect(child.signal).toBeNull();
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    expect(JSON.parse(child.stdout.trim())).toEqual({ threads: 2, simd: true, v: 16 });
  });
});

describe('matMul on wasm (transposes handled explicitly)', () => {
  const cases: Array<[string, number[], number[]]> = [
    ['2-D', [5, 7], [7, 3]],
    ['batched 3-D', [2, 5, 7], [2, 7, 3]],
    ['broadcast 3-D x 2-D', [2, 5, 7], [7, 3]],
    ['4-D', [2, 2, 4, 6], [2, 2, 6, 3]],
  ];
  const swapLast = (s: number[]): number[] => [...s.slice(0, -2), s[s.length - 1]!, s[s.length - 2]!];
  for (const [label, aShape, bShape] of cases) {
    for (const transposeA of [false, true]) {
      for (const transposeB of [false, true]) {
        it(`${label}, transposeA=${transposeA}, transposeB=${transposeB} equals cpu`, async () => {
          const sa = transposeA ? swapLast(aShape) : aShape;
          const sb = transposeB ? swapLast(bShape) : bShape;
          expectClose(await onBoth(() => tf.matMul(randn(sa, 11), randn(sb, 12), transposeA, transposeB)));
        });
      }
    }
  }

  it('fused matMul (bias + relu) with transposeB equals cpu', async () => {
    expectClose(
      await onBoth(() =>
        tf.fused.matMul({
          a: randn([2, 4, 6], 21),
          b: randn([2, 5, 6], 22),
          transposeB: true,
          bias: randn([5], 23),
          activation: 'relu',
        }),
      ),
    );
  });

  it('fused matMul with a [M, N] bias and leakyrelu on a batch of 2 equals cpu (native kernel gets it wrong)', async () => {
    expectClose(
      await onBoth(() =>
        tf.fused.matMul({
          a: randn([2, 4, 6], 24),
          b: randn([2, 6, 5], 25),
          bias: randn([4, 5], 26),
          activation: 'leakyrelu',
          leakyreluAlpha: 0.1,
        }),
      ),
    );
  });

  it('does not leak tensors or wasm buffers', async () => {
    await tf.setBackend('wasm');
    const a = randn([3, 4, 5], 1);
    const b = randn([3, 6, 5], 2);
    const c = randn([3, 4, 6], 3);
    const bias = randn([6], 4);
    const before = tf.memory().numTensors;
    const dataIds = tf.backend().numDataIds();
    tf.dispose(tf.matMul(a, b, false, true));
    tf.dispose(tf.matMul(a, c, true, false));
    tf.dispose(tf.fused.matMul({ a, b, transposeB: true, bias, activation: 'relu' }));
    expect(tf.memory().numTensors).toBe(before);
    expect(tf.backend().numDataIds()).toBe(dataIds);
    tf.dispose([a, b, c, bias]);
  });
});

describe('UnsortedSegmentSum on wasm', () => {
  it('float32 rows, repeated ids, dropped out-of-range ids: equals cpu', async () => {
    const ids = randomIds(12, -1, 6, 5);
    ids[3] = 7; // >= numSegments: dropped like cpu
    expectClose(await onBoth(() => tf.unsortedSegmentSum(randn([12, 3, 2], 31), tf.tensor1d(ids, 'int32'), 6)));
  });

  it('int32 values: equals cpu exactly', async () => {
    const ids = randomIds(8, 0, 4, 6);
    const x = randomIds(8 * 3, -5, 5, 7);
    expectClose(await onBoth(() => tf.unsortedSegmentSum(tf.tensor2d(x, [8, 3], 'int32'), tf.tensor1d(ids, 'int32'), 4)), 0);
  });

  it('returns zeros for segments without ids', async () => {
    await tf.setBackend('wasm');
    const out = tf.unsortedSegmentSum(tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.tensor1d([2, 2], 'int32'), 4);
    expect(Array.from(await out.data())).toEqual([0, 0, 0, 0, 4, 6, 0, 0]);
    out.dispose();
  });
});

describe('Einsum on wasm', () => {
  const equations: Array<[string, number[][]]> = [
    ['ij,jk->ik', [[3, 4], [4, 5]]],
    ['bij,bjk->bik', [[2, 3, 4], [2, 4, 5]]],
    ['ij->ji', [[3, 4]]],
    ['ij,ij->i', [[3, 4], [3, 4]]],
    ['bhqd,bhkd->bhqk', [[2, 2, 3, 4], [2, 2, 5, 4]]],
    ['ij,jk->ki', [[3, 4], [4, 5]]],
    ['i,j->ij', [[3], [4]]],
    ['ij->', [[3, 4]]],
  ];
  for (const [equation, shapes] of equations) {
    it(`'${equation}' equals cpu`, async () => {
      expectClose(await onBoth(() => tf.einsum(equation, ...shapes.map((s, i) => randn(s, 40 + i)))));
    });
  }

  it("int32 'ij,jk->ik' equals cpu", async () => {
    expectClose(
      await onBoth(() =>
        tf.einsum('ij,jk->ik', tf.tensor2d(randomIds(6, -3, 3, 8), [2, 3], 'int32'), tf.tensor2d(randomIds(6, -3, 3, 9), [3, 2], 'int32')),
      ),
      0,
    );
  });

  // tfjs' cpu Einsum gets these wrong (wrong shape / a broadcast error), so the reference is a composition.
  it("'ij,kj->' and 'bij,jk->bk' equal their compositions on cpu", async () => {
    const res = await onBoth(() => {
      const [a, b, c, d] = [randn([3, 4], 71), randn([2, 4], 72), randn([2, 3, 4], 73), randn([4, 5], 74)];
      return tf.getBackend() === 'wasm'
        ? [tf.einsum('ij,kj->', a, b), tf.einsum('bij,jk->bk', c, d)]
        : [tf.sum(tf.matMul(a, b, false, true)), tf.sum(tf.matMul(c, tf.tile(tf.expandDims(d, 0), [2, 1, 1])), 1)];
    });
    expectClose(res);
  });

  it('rejects what tfjs einsum does not support', async () => {
    await tf.setBackend('wasm');
    const x = tf.ones([2, 2]);
    expect(() => tf.einsum('ii->i', x)).toThrow(/duplicate axes/);
    expect(() => tf.einsum('ij,jk->ik', x, tf.ones([3, 2]))).toThrow(/Expected dimension 2/);
    x.dispose();
  });
});

describe('gradients on wasm', () => {
  /** An embedding lookup, a linear layer with transposeB, log-softmax and a picked-token loss. */
  function lossGrads(): tf.Tensor[] {
    const emb = randn([10, 6], 51);
    const w = randn([7, 6], 52);
    const ids = tf.tensor1d([3, 1, 3, 9, 0], 'int32');
    const targets = tf.oneHot(tf.tensor1d([2, 6, 0, 1, 5], 'int32'), 7);
    const f = (e: tf.Tensor, wt: tf.Tensor): tf.Scalar => {
      const h = tf.gather(e, ids);
      const logits = tf.matMul(h, wt, false, true);
      return tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(logits), targets), -1))) as tf.Scalar;
    };
    const { value, grads } = tf.valueAndGrads(f)([emb, w]);
    return [value, ...grads];
  }

  it('grad of gather (embedding) + matMul(transposeB) + logSoftmax equals cpu', async () => {
    expectClose(await onBoth(lossGrads));
  });

  it('grad of gather alone equals cpu', async () => {
    expectClose(
      await onBoth(() =>
        tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.gather(x, tf.tensor1d([1, 1, 0, 3], 'int32')), randn([4, 5], 61))))(randn([4, 5], 62)),
      ),
    );
  });

  it('forward + backward leaves tensor and wasm buffer counts unchanged', async () => {
    await tf.setBackend('wasm');
    tf.dispose(tf.tidy(lossGrads)); // warm-up (kernels' one-time allocations)
    const tensors = tf.memory().numTensors;
    const buffers = tf.backend().numDataIds();
    tf.dispose(tf.tidy(lossGrads));
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tf.backend().numDataIds()).toBe(buffers);
  });
});

describe('node worker shim', () => {
  it('runs a web-style worker from a blob URL, in order, with importScripts of a posted Blob', async () => {
    const Worker = createWebCompatibleWorker(await loadNodeWorkerShimDeps());
    const source = `
      let prefix = '';  // set from the imported Blob
      self.onmessage = (e) => {
        if (e.data.lib) {
          const url = URL.createObjectURL(e.data.lib);
          importScripts(url);
          URL.revokeObjectURL(url);
          prefix = self.libPrefix;
          return;
        }
        postMessage(prefix + e.data.n * 2);
      };`;
    const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
    const worker = new Worker(url) as InstanceType<typeof Worker> & {
      addEventListener(type: string, fn: (e: { data: unknown }) => void): void;
    };
    try {
      const received: unknown[] = [];
      const done = new Promise<void>((resolve, reject) => {
        worker.addEventListener('message', (e) => {
          received.push(e.data);
          if (received.length === 3) resolve();
        });
        worker.on('error', reject);
      });
      // Posted synchronously, before the worker has its source: must be queued and kept in order.
      worker.postMessage({ n: 1 });
      worker.postMessage({ lib: new Blob(["self.libPrefix = 'x';"]) });
      worker.postMessage({ n: 2 });
      worker.postMessage({ n: 3 });
      await done;
      expect(received).toEqual(['2', 'x4', 'x6']);
    } finally {
      await worker.terminate();
      URL.revokeObjectURL(url);
    }
  });

  it('names the URL when a blob URL is not registered', async () => {
    const Worker = createWebCompatibleWorker(await loadNodeWorkerShimDeps());
    expect(() => new Worker('blob:nodedata:00000000-0000-0000-0000-000000000000')).toThrow(/does not name a registered Blob/);
  });
});

const CHROMIUM = process.env.QUARKMED_CHROMIUM ?? '/usr/bin/chromium';
const RUN_BROWSER = process.env.QUARKMED_REQUIRE_BROWSER === '1' || existsSync(CHROMIUM);

/** The page: initWasmBackend with threads, a transposed matmul, and the gradient of an embedding lookup. */
const BROWSER_PAGE = `
import * as tf from '@tensorflow/tfjs-core';
import { initWasmBackend } from '../../src/backends/wasm/setup-wasm';
(async () => {
  try {
    const init = await initWasmBackend({ threads: 2, wasmPaths: '/wasm/' });
    const mm = Array.from(await tf.matMul(tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]), tf.tensor2d([1, 0, 1, 0, 1, 1], [2, 3]), false, true).data());
    const ids = tf.tensor1d([2, 0, 2], 'int32');
    const g = tf.grad((e) => tf.sum(tf.mul(tf.gather(e, ids), tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2]))))(tf.zeros([3, 2]));
    window.__result = { init, isolated: self.crossOriginIsolated, backend: tf.getBackend(), mm, grad: Array.from(await g.data()) };
  } catch (error) {
    window.__result = { error: String(error && error.stack || error) };
  }
})();
`;

describe.runIf(RUN_BROWSER)('wasm backend in headless Chromium (cross-origin isolated)', () => {
  let server: Server;
  let url: string;

  beforeAll(async () => {
    const esbuild = await import('esbuild');
    const built = await esbuild.build({
      stdin: { contents: BROWSER_PAGE, resolveDir: path.dirname(fileURLToPath(import.meta.url)), loader: 'ts' },
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      write: false,
      logLevel: 'silent',
    });
    const js = built.outputFiles[0]!.text;
    const wasmDist = path.dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'));
    const isolation = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };
    const html = '<!doctype html><meta charset="utf-8"><title>wasm</title><script type="module" src="/page.js"></script>';
    server = createServer((req, res) => {
      const wasm = /^\/wasm\/(tfjs-backend-wasm[a-z-]*\.wasm)$/.exec(req.url ?? '');
      if (req.url === '/page.js') res.writeHead(200, { ...isolation, 'content-type': 'text/javascript' }).end(js);
      else if (req.url === '/') res.writeHead(200, { ...isolation, 'content-type': 'text/html' }).end(html);
      else if (wasm) res.writeHead(200, { ...isolation, 'content-type': 'application/wasm' }).end(readFileSync(path.join(wasmDist, wasm[1]!)));
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
  });

  it('starts with SIMD and 2 threads; transposed matmul and the gather gradient are right', async () => {
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless=new', '--no-sandbox'], headless: true });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(url);
      await page.waitForFunction(() => (window as { __result?: unknown }).__result !== undefined, undefined, { timeout: 60_000 });
      const result = (await page.evaluate(() => (window as { __result?: unknown }).__result)) as Record<string, unknown>;
      expect(errors).toEqual([]);
      expect(result.error).toBeUndefined();
      expect(result.isolated).toBe(true);
      expect(result.backend).toBe('wasm');
      expect(result.init).toEqual({ threads: 2, simd: true });
      expect(result.mm).toEqual([4, 5, 10, 11]);
      expect(result.grad).toEqual([3, 4, 0, 0, 6, 8]);
    } finally {
      await browser.close();
    }
  });
});
