/**
 * Finds a WebGPU adapter: `navigator.gpu` in browsers (and in Node when the caller installed one), else
 * Dawn through the optional `webgpu` npm package in Node.
 *
 * @packageDocumentation
 */
import { KernelRuntimeError } from '../../kernels/kernel-runtime-error';
import { BackendUnavailableError, errorMessage } from '../errors';
import { importOptional } from '../tensorflow';
import {
  adapterInfoOf,
  describeAdapter,
  type AdapterDescription,
  type GpuAdapterInfoLike,
  type GpuAdapterLike,
  type GpuLike,
} from './adapter';

/** The `webgpu` npm package (dawn.node). */
export interface DawnModule {
  create(options: string[]): GpuLike;
  globals: Record<string, unknown>;
}

/** An adapter found by {@link findAdapter}. */
export interface AdapterCandidate {
  gpu: GpuLike;
  adapter: GpuAdapterLike;
  info: GpuAdapterInfoLike;
  description: AdapterDescription & { softwareName?: string };
  /** Where it came from: 'navigator.gpu', 'dawn' (default backend) or 'dawn opengles'. */
  source: string;
  /** Dawn's globals (GPUBufferUsage, …) to install in Node; absent for navigator.gpu. */
  dawnGlobals?: Record<string, unknown>;
  /** Requested with featureLevel 'compatibility'. */
  compatibility: boolean;
}

/** The result of {@link findAdapter}. */
export interface AdapterSearch {
  /** The adapter to use, if one is acceptable. */
  chosen?: AdapterCandidate;
  /** A software adapter that was found (and not chosen, or chosen because software was allowed). */
  software?: AdapterCandidate;
  /** Why no adapter was chosen, when none was. */
  why: string;
}

/** True in Node.js (also under vitest / tsx), false in browsers and workers. */
export function isNodeLike(): boolean {
  const proc = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof proc?.versions?.node === 'string' && typeof (globalThis as { window?: unknown }).window === 'undefined';
}

/** `navigator.gpu` when present. */
export function navigatorGpu(): GpuLike | undefined {
  const nav = (globalThis as { navigator?: { gpu?: GpuLike } }).navigator;
  return nav?.gpu ?? undefined;
}

let dawnModule: Promise<DawnModule> | undefined;
/** GPU objects this module created through Dawn (and may have installed as navigator.gpu itself). */
const dawnCreated = new WeakSet<object>();

/**
 * Loads Dawn (`webgpu` npm package) once. Sets `EGL_PLATFORM=surfaceless` (and `XDG_RUNTIME_DIR=/tmp`) first when unset, so that
 * Mesa's GLES driver (llvmpipe) works without a display.
 *
 * @throws {@link BackendUnavailableError} when the package is not installed or fails to load.
 */
export function loadDawn(): Promise<DawnModule> {
  if (dawnModule === undefined) {
    const env = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env;
    if (env !== undefined && env['EGL_PLATFORM'] === undefined) env['EGL_PLATFORM'] = 'surfaceless';
    // Mesa complains on stderr ("XDG_RUNTIME_DIR is invalid") when it is unset, as on headless servers.
    if (env !== undefined && env['XDG_RUNTIME_DIR'] === undefined) env['XDG_RUNTIME_DIR'] = '/tmp';
    dawnModule = importOptional('webgpu').then(
      (mod) => {
        const m = mod as Partial<DawnModule> & { default?: Partial<DawnModule> };
        const create = m.create ?? m.default?.create;
        const globals = m.globals ?? m.default?.globals ?? {};
        if (typeof create !== 'function') throw new KernelRuntimeError("the 'webgpu' module has no create()");
        return { create, globals };
      },
      (error: unknown) => {
        throw new BackendUnavailableError(
          'webgpu',
          `WebGPU in Node.js needs the optional 'webgpu' package (Dawn): install webgpu (${errorMessage(error)})`,
          { cause: error },
        );
      },
    );
    dawnModule.catch(() => {
      dawnModule = undefined;
    });
  }
  return dawnModule;
}

async function candidateFrom(
  gpu: GpuLike,
  adapter: GpuAdapterLike | null,
  source: string,
  compatibility: boolean,
  dawnGlobals?: Record<string, unknown>,
): Promise<AdapterCandidate | undefined> {
  if (adapter == null) return undefined;
  const info = await adapterInfoOf(adapter);
  return { gpu, adapter, info, description: describeAdapter(adapter, info), source, compatibility, ...(dawnGlobals ? { dawnGlobals } : {}) };
}

async function tryRequest(
  gpu: GpuLike,
  options: { powerPreference?: string; featureLevel?: string },
  notes: string[],
  source: string,
): Promise<GpuAdapterLike | null> {
  try {
    return await gpu.requestAdapter(options);
  } catch (error) {
    notes.push(`${source}: requestAdapter failed (${errorMessage(error)})`);
    return null;
  }
}

/**
 * Looks for a WebGPU adapter. Hardware adapters are always preferred; a software adapter (llvmpipe,
 * SwiftShader, …) is chosen only when `allowSoftware` is true.
 *
 * In Node without `navigator.gpu`, Dawn is tried with its default backend (Vulkan / Metal / D3D) and then
 * with `backend=opengles` and `featureLevel: 'compatibility'` (the path that works on Mesa llvmpipe).
 *
 * @throws {@link BackendUnavailableError} when there is no WebGPU at all (no `navigator.gpu` and no Dawn).
 */
export async function findAdapter(options: { allowSoftware: boolean }): Promise<AdapterSearch> {
  const notes: string[] = [];
  const candidates: AdapterCandidate[] = [];
  // navigator.gpu from the browser or the caller; one installed by an earlier start through Dawn is not
  // reused, Dawn is probed afresh (its default backend may hold a hardware adapter).
  const installed = navigatorGpu();
  const existing = installed !== undefined && !dawnCreated.has(installed) ? installed : undefined;

  const pick = (): AdapterSearch | undefined => {
    const hardware = candidates.find((c) => !c.description.software);
    const software = candidates.find((c) => c.description.software);
    if (hardware) return { chosen: hardware, ...(software ? { software } : {}), why: '' };
    if (software && options.allowSoftware) return { chosen: software, software, why: '' };
    return undefined;
  };

  if (existing !== undefined) {
    const core = await candidateFrom(existing, await tryRequest(existing, { powerPreference: 'high-performance' }, notes, 'navigator.gpu'), 'navigator.gpu', false);
    if (core) candidates.push(core);
    if (!core || core.description.software) {
      const compat = await candidateFrom(
        existing,
        await tryRequest(existing, { powerPreference: 'high-performance', featureLevel: 'compatibility' }, notes, 'navigator.gpu'),
        'navigator.gpu',
        true,
      );
      if (compat && (!core || !compat.description.software)) candidates.push(compat);
    }
  } else if (isNodeLike()) {
    const dawn = await loadDawn();
    // 1. Dawn's default backend: Vulkan on Linux, Metal on macOS, D3D12 on Windows (hardware GPUs).
    let gpu: GpuLike | undefined;
    try {
      gpu = dawn.create([]);
      dawnCreated.add(gpu);
    } catch (error) {
      notes.push(`dawn: ${errorMessage(error)}`);
    }
    if (gpu) {
      const core = await candidateFrom(gpu, await tryRequest(gpu, { powerPreference: 'high-performance' }, notes, 'dawn'), 'dawn', false, dawn.globals);
      if (core) candidates.push(core);
    }
    // 2. OpenGL ES in compatibility mode: Mesa llvmpipe (software) or a GL-only hardware driver.
    if (!candidates.some((c) => !c.description.software) && !(options.allowSoftware && candidates.length > 0)) {
      let gles: GpuLike | undefined;
      try {
        gles = dawn.create(['backend=opengles']);
        dawnCreated.add(gles);
      } catch (error) {
        notes.push(`dawn opengles: ${errorMessage(error)}`);
      }
      if (gles) {
        const compat = await candidateFrom(
          gles,
          await tryRequest(gles, { featureLevel: 'compatibility' }, notes, 'dawn opengles'),
          'dawn opengles',
          true,
          dawn.globals,
        );
        if (compat) candidates.push(compat);
      }
    }
  } else {
    throw new BackendUnavailableError('webgpu', 'this environment has no navigator.gpu (WebGPU is not supported or not enabled)');
  }

  const picked = pick();
  if (picked) return picked;
  const software = candidates.find((c) => c.description.software);
  if (software) {
    const name = software.description.softwareName ?? 'software';
    return {
      software,
      why: `no hardware GPU adapter (${name} is software)`,
    };
  }
  const tried =
    existing !== undefined
      ? 'navigator.gpu returned none'
      : "Dawn's default backend and backend=opengles (compatibility) returned none; without a GPU, Linux needs Mesa's EGL/GLES llvmpipe driver (Debian: libegl1 libgles2 libegl-mesa0 libgl1-mesa-dri)";
  return { why: `no WebGPU adapter (${[tried, ...notes].join('; ')})` };
}
