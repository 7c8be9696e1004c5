import * as tf from '@tensorflow/tfjs-core';

/** tfjs-backend-webgpu's own AddN kernel, kept when it is replaced. */
let originalAddN: tf.KernelFunc | undefined;
/** Inputs one AddN program may bind (storage buffers per stage minus the output). */
let maxInputs = 3;

/**
 * tfjs-backend-webgpu's `AddN` binds every input as its own storage buffer; with more inputs than the device's
 * `maxStorageBuffersPerShaderStage` minus one (16 here on Mesa llvmpipe; a gradient summing 21 terms hit it), its pipeline is
 * invalid and the output silently stays zero — which breaks the gradients of tensors with several consumers. This
 * re-registers `AddN` on webgpu to sum in chunks that fit the limit.
 */
export function limitAddNBindings(maxStorageBuffers: number): void {
  maxInputs = Math.max(2, maxStorageBuffers - 1);
  const current = tf.getKernel('AddN', 'webgpu');
  if (current === undefined || current.kernelFunc === chunkedAddN) return;
  originalAddN = current.kernelFunc;
  tf.unregisterKernel('AddN', 'webgpu');
  tf.registerKernel({ kernelName: 'AddN', backendName: 'webgpu', kernelFunc: chunkedAddN });
}

function chunkedAddN(args: Parameters<tf.KernelFunc>[0]): tf.TensorInfo | tf.TensorInfo[] {
  const original = originalAddN as tf.KernelFunc;
  const inputs = args.inputs as unknown as tf.TensorInfo[];
  if (inputs.length <= maxInputs) return original(args);
  const backend = args.backend as tf.KernelBackend & { disposeData(dataId: object): void };
  let partials = inputs;
  const intermediates = new Set<tf.TensorInfo>();
  while (partials.length > 1) {
    const next: tf.TensorInfo[] = [];
    for (let i = 0; i < partials.length; i += maxInputs) {
      const chunk = partials.slice(i, i + maxInputs);
      if (chunk.length === 1) {
        next.push(chunk[0]);
        continue;
      }
      const sum = original({ ...args, inputs: chunk as unknown as tf.NamedTensorInfoMap }) as tf.TensorInfo;
      for (const t of chunk) if (intermediates.delete(t)) backend.disposeData(t.dataId);
      intermediates.add(sum);
      next.push(sum);
    }
    partials = next;
  }
  return partials[0];
}
