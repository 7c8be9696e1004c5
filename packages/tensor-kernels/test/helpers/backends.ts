/**
 * The backends the kernel tests run on, and how a test file switches to one.
 *
 * Every backend is activated with the package's own `initBackend(name)`, which also registers the fused
 * kernels for it. webgpu is skipped only when the environment sets `QUARKMED_SKIP_WEBGPU=1`; otherwise a
 * failure to start it fails the tests (it is never skipped silently). native is skipped, with the reason
 * printed, when its addon was not built at install, unless `QUARKMED_REQUIRE_NATIVE=1` (CI) makes its
 * tests run and fail instead.
 */
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/index';
import { loadNativeAddon } from '../../src/node/native-addon';

/** A backend under test. */
export type TestBackend = 'cpu' | 'wasm' | 'native' | 'webgpu';

/** Every backend this package supports in Node, in test order. */
export const ALL_TEST_BACKENDS: readonly TestBackend[] = ['cpu', 'wasm', 'native', 'webgpu'];

/** True when the webgpu tests are switched off by `QUARKMED_SKIP_WEBGPU=1`. */
export const SKIP_WEBGPU = process.env.QUARKMED_SKIP_WEBGPU === '1';

/** True when `QUARKMED_REQUIRE_NATIVE=1`: the native tests run (and fail) even when the addon is not built. */
export const REQUIRE_NATIVE = process.env.QUARKMED_REQUIRE_NATIVE === '1';

const nativeLoad = loadNativeAddon();

/** Why the native addon is unavailable here, or `undefined` when it is built and loads. */
export const NATIVE_UNAVAILABLE: string | undefined = nativeLoad.addon === undefined ? nativeLoad.reason : undefined;

/** True when the native tests are skipped: no addon and `QUARKMED_REQUIRE_NATIVE` not set. */
export const SKIP_NATIVE = NATIVE_UNAVAILABLE !== undefined && !REQUIRE_NATIVE;

let warned = false;

/** Whether the tests for `name` are skipped in this environment. */
export function isSkipped(name: TestBackend): boolean {
  if (name === 'native' && SKIP_NATIVE) {
    if (!warned) console.warn(`[tests] native backend skipped: ${NATIVE_UNAVAILABLE} (QUARKMED_REQUIRE_NATIVE=1 makes this fail)`);
    warned = true;
    return true;
  }
  return name === 'webgpu' && SKIP_WEBGPU;
}

/** The backends to test here (all of {@link ALL_TEST_BACKENDS} but the skipped ones). */
export const TEST_BACKENDS: readonly TestBackend[] = ALL_TEST_BACKENDS.filter((b) => !isSkipped(b));

/**
 * Makes `name` the active tfjs backend through `initBackend` and checks that tfjs really runs on it (a
 * silent fallback to another backend would otherwise make a backend's tests pass on someone else's kernels).
 */
export async function activateBackend(name: TestBackend): Promise<void> {
  await initBackend(name);
  await tf.ready();
  const active = tf.getBackend();
  if (active !== name) {
    throw new Error(`initBackend('${name}') left tfjs on backend '${active}'`);
  }
}
