/**
 * The `webgpu` backend: TensorFlow.js' WebGPU backend on a device this package requests itself, in
 * browsers (`navigator.gpu`) and in Node.js (Dawn through the optional `webgpu` package, including Mesa
 * llvmpipe through OpenGL ES in compatibility mode).
 *
 * tfjs-backend-webgpu 4.22 registers `webgpu` on import when `navigator.gpu` exists, requesting a default
 * adapter (no compatibility mode, so nothing on llvmpipe) and falling back to the removed
 * `adapter.requestAdapterInfo()`. This module replaces that registration with one bound to the adapter
 * and device it chose, with the adapter's maximum limits.
 *
 * @packageDocumentation
 */
import { KernelRuntimeError } from '../../kernels/kernel-runtime-error';
import * as tf from '@tensorflow/tfjs-core';
import { limitAddNBindings } from './add-n';
import { BackendUnavailableError, errorMessage } from '../errors';
import { adapterLabel, type AdapterDescription, type GpuDeviceLike } from './adapter';
import { findAdapter, type AdapterCandidate, type AdapterSearch } from './provider';

export { findAdapter, isNodeLike, loadDawn } from './provider';
export type { AdapterCandidate, AdapterSearch } from './provider';
export { softwareAdapterName, describeAdapter, adapterLabel } from './adapter';
export type { AdapterDescription } from './adapter';

/** Limits requested at the adapter's maximum (when the adapter reports them). */
export const REQUESTED_LIMITS = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupsPerDimension',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupSizeZ',
  'maxStorageBuffersPerShaderStage',
  'maxUniformBufferBindingSize',
] as const;

/** What {@link initWebGPUBackend} started. */
export interface WebGPUBackendInfo {
  adapter: AdapterDescription;
  /** Where the adapter came from: 'navigator.gpu', 'dawn' or 'dawn opengles'. */
  source: string;
  /** Whether the adapter runs in compatibility mode (featureLevel 'compatibility'). */
  compatibility: boolean;
}

interface ActiveWebGPU {
  info: WebGPUBackendInfo;
  device: GpuDeviceLike;
  candidate: AdapterCandidate;
  /** What this module added to the global scope, undone by {@link releaseWebGPU}. */
  installed: { navigator: boolean; gpu: boolean; globals: string[] };
}

let active: ActiveWebGPU | undefined;

type WebGPUBackendCtor = new (device: unknown, adapterInfo?: { vendor: string; architecture: string }) => tf.KernelBackend;

/** Makes `navigator.gpu` (and Dawn's `GPUBufferUsage`, … globals) visible to tfjs in Node. */
function installGlobals(candidate: AdapterCandidate): ActiveWebGPU['installed'] {
  const installed: ActiveWebGPU['installed'] = { navigator: false, gpu: false, globals: [] };
  const g = globalThis as unknown as Record<string, unknown> & { navigator?: Record<string, unknown> };
  for (const [name, value] of Object.entries(candidate.dawnGlobals ?? {})) {
    if (!(name in g)) {
      g[name] = value;
      installed.globals.push(name);
    }
  }
  if (g.navigator === undefined) {
    g.navigator = { gpu: candidate.gpu };
    installed.navigator = true;
  } else if (g.navigator['gpu'] !== candidate.gpu) {
    Object.defineProperty(g.navigator, 'gpu', { value: candidate.gpu, configurable: true, enumerable: true, writable: true });
    installed.gpu = true;
  }
  return installed;
}

function uninstallGlobals(installed: ActiveWebGPU['installed']): void {
  const g = globalThis as unknown as Record<string, unknown> & { navigator?: Record<string, unknown> };
  if (installed.navigator) delete g.navigator;
  else if (installed.gpu && g.navigator) delete g.navigator['gpu'];
  for (const name of installed.globals) delete g[name];
}

function requiredLimits(limits: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  const source = limits as Record<string, unknown>;
  for (const name of REQUESTED_LIMITS) {
    const value = source?.[name];
    if (typeof value === 'number' && Number.isFinite(value)) out[name] = value;
  }
  return out;
}

/**
 * Starts the `webgpu` backend and makes it the active tfjs backend.
 *
 * @param options - `allowSoftware`: accept a software adapter (llvmpipe, SwiftShader) when no hardware one
 *   exists; `search`: the result of an earlier {@link findAdapter} to reuse.
 * @throws {@link BackendUnavailableError} naming the reason (no WebGPU, no adapter, only a software adapter
 *   while `allowSoftware` is false, device creation failed, …).
 */
export async function initWebGPUBackend(options: { allowSoftware: boolean; search?: AdapterSearch }): Promise<WebGPUBackendInfo> {
  if (active !== undefined && tf.findBackendFactory('webgpu') != null) {
    if (active.info.adapter.software && !options.allowSoftware) {
      throw new BackendUnavailableError('webgpu', `the running WebGPU backend uses a software adapter (${adapterLabel(active.info.adapter)})`);
    }
    if (!(await tf.setBackend('webgpu'))) throw new BackendUnavailableError('webgpu', "tf.setBackend('webgpu') failed");
    return active.info;
  }
  if (active !== undefined) releaseWebGPU();

  const search = options.search ?? (await findAdapter({ allowSoftware: options.allowSoftware }));
  const candidate = search.chosen;
  if (candidate === undefined || (candidate.description.software && !options.allowSoftware)) {
    const why = candidate === undefined ? search.why : `only a software adapter (${adapterLabel(candidate.description)})`;
    throw new BackendUnavailableError('webgpu', options.allowSoftware ? why : `${why}; pass allowSoftwareAdapter: true to use it`);
  }

  const installed = installGlobals(candidate);
  let device: GpuDeviceLike | undefined;
  try {
    // Loaded only now, after navigator.gpu exists; its import-time registration is replaced below.
    const mod = (await import('@tensorflow/tfjs-backend-webgpu')) as unknown as {
      WebGPUBackend?: WebGPUBackendCtor;
      default?: { WebGPUBackend?: WebGPUBackendCtor };
    };
    const WebGPUBackend = mod.WebGPUBackend ?? mod.default?.WebGPUBackend;
    if (typeof WebGPUBackend !== 'function') throw new KernelRuntimeError('@tensorflow/tfjs-backend-webgpu exports no WebGPUBackend');

    const requiredFeatures = candidate.adapter.features.has('timestamp-query') ? ['timestamp-query'] : [];
    try {
      device = await candidate.adapter.requestDevice({
        label: '@quarkmed/tensor-kernels',
        requiredFeatures,
        requiredLimits: requiredLimits(candidate.adapter.limits),
      });
    } catch (error) {
      throw new BackendUnavailableError('webgpu', `requestDevice failed on ${adapterLabel(candidate.description)} (${errorMessage(error)})`, {
        cause: error,
      });
    }
    const lostDevice = device;
    void device.lost.then((lost) => {
      if (lost.reason !== 'destroyed') console.warn(`[@quarkmed/tensor-kernels] WebGPU device lost: ${lost.message ?? lost.reason ?? ''}`);
      if (active?.device === lostDevice) active = undefined;
    });

    const adapterInfo = { vendor: candidate.info.vendor ?? '', architecture: candidate.info.architecture ?? '' };
    if (tf.findBackendFactory('webgpu') != null) tf.removeBackend('webgpu');
    const boundDevice = device;
    tf.registerBackend('webgpu', () => new WebGPUBackend(boundDevice, adapterInfo), 3);
    if (!(await tf.setBackend('webgpu'))) {
      throw new BackendUnavailableError('webgpu', `the tfjs WebGPU backend failed to start on ${adapterLabel(candidate.description)}`);
    }
    limitAddNBindings(boundDevice.limits?.maxStorageBuffersPerShaderStage ?? 8);
  } catch (error) {
    if (tf.findBackendFactory('webgpu') != null) tf.removeBackend('webgpu');
    device?.destroy();
    uninstallGlobals(installed);
    if (error instanceof BackendUnavailableError) throw error;
    throw new BackendUnavailableError('webgpu', errorMessage(error), { cause: error });
  }

  const { softwareName: _ignored, ...adapter } = candidate.description;
  const info: WebGPUBackendInfo = { adapter, source: candidate.source, compatibility: candidate.compatibility };
  active = { info, device, candidate, installed };
  return info;
}

/** The running WebGPU backend started by {@link initWebGPUBackend}, if any. */
export function activeWebGPU(): WebGPUBackendInfo | undefined {
  return active !== undefined && tf.findBackendFactory('webgpu') != null ? active.info : undefined;
}

/**
 * Removes the `webgpu` backend started by {@link initWebGPUBackend}, destroys its device and removes the
 * `navigator.gpu` / Dawn globals it installed, so that a Node process can exit. Safe to call when nothing
 * is active. The active tfjs backend is unset if it was `webgpu`.
 */
export function releaseWebGPU(): void {
  const current = active;
  active = undefined;
  if (current === undefined) return;
  if (tf.findBackendFactory('webgpu') != null) tf.removeBackend('webgpu');
  current.device.destroy();
  uninstallGlobals(current.installed);
}
