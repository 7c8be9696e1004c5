/**
 * Counts synchronous reads of GPU-resident tensors (`dataSync`, `arraySync`, `bufferSync` and the kernels that call
 * `readSync` under the hood) on the active webgpu backend. In Node (Dawn) such a read throws (`OffscreenCanvas is
 * not defined`); in a browser it stalls the GPU. A read of a tensor whose values still live on the CPU (tfjs keeps
 * small uploads there) is harmless everywhere and is counted apart. Browser-safe: the GRPO page uses it too.
 */
import * as tf from '@tensorflow/tfjs-core';

interface ReadableBackend {
  readSync(dataId: object): unknown;
  tensorMap: { get(dataId: object): { values?: unknown } | undefined };
}

/** What {@link watchGpuSyncReads} counted so far. */
export interface SyncReadCounts {
  /** Synchronous reads that had to copy from GPU memory. */
  gpu: number;
  /** Synchronous reads served from CPU-resident values. */
  cpu: number;
  /** Where the first GPU read came from (a few stack lines), for the failure message. */
  firstGpuStack?: string;
}

/** Starts counting on the active backend (which must be webgpu); returns the live counts and the undo. */
export function watchGpuSyncReads(): { counts: SyncReadCounts; stop: () => void } {
  if (tf.getBackend() !== 'webgpu') throw new Error(`watchGpuSyncReads needs the webgpu backend, active: ${tf.getBackend()}`);
  const backend = tf.backend() as unknown as ReadableBackend;
  const original = backend.readSync;
  const counts: SyncReadCounts = { gpu: 0, cpu: 0 };
  backend.readSync = function (this: ReadableBackend, dataId: object): unknown {
    if (backend.tensorMap.get(dataId)?.values == null) {
      counts.gpu++;
      counts.firstGpuStack ??= new Error('sync read').stack?.split('\n').slice(2, 10).join('\n');
    } else {
      counts.cpu++;
    }
    return original.call(this, dataId);
  };
  return {
    counts,
    stop: () => {
      backend.readSync = original;
    },
  };
}
