/**
 * Minimal structural WebGPU types (so the package does not depend on `@webgpu/types`) and the
 * classification of adapters into hardware and software ones.
 *
 * @packageDocumentation
 */

/** The fields of `GPUAdapterInfo` this package reads. */
export interface GpuAdapterInfoLike {
  readonly vendor?: string;
  readonly architecture?: string;
  readonly device?: string;
  readonly description?: string;
  readonly isFallbackAdapter?: boolean;
}

/** The part of `GPUDevice` this package uses. */
export interface GpuDeviceLike {
  readonly limits?: { readonly maxStorageBuffersPerShaderStage?: number };
  readonly lost: Promise<{ reason?: string; message?: string }>;
  destroy(): void;
}

/** The part of `GPUAdapter` this package uses. */
export interface GpuAdapterLike {
  readonly features: { has(name: string): boolean };
  readonly limits: unknown;
  readonly info?: GpuAdapterInfoLike;
  readonly isFallbackAdapter?: boolean;
  requestAdapterInfo?(): Promise<GpuAdapterInfoLike>;
  requestDevice(descriptor?: {
    requiredFeatures?: string[];
    requiredLimits?: Record<string, number>;
    label?: string;
  }): Promise<GpuDeviceLike>;
}

/** The part of `GPU` (`navigator.gpu`) this package uses. */
export interface GpuLike {
  requestAdapter(options?: { powerPreference?: string; featureLevel?: string }): Promise<GpuAdapterLike | null>;
}

/** Description of an adapter, as reported in `BackendChoice.adapter`. */
export interface AdapterDescription {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** True for CPU implementations (llvmpipe, lavapipe, SwiftShader, WARP, fallback adapters). */
  software: boolean;
}

const SOFTWARE_NAMES: ReadonlyArray<[RegExp, string]> = [
  [/llvmpipe/i, 'llvmpipe'],
  [/lavapipe/i, 'lavapipe'],
  [/swiftshader/i, 'SwiftShader'],
  [/softpipe/i, 'softpipe'],
  [/microsoft basic render/i, 'WARP'],
  [/\bcpu\b/i, 'a CPU adapter'],
];

/**
 * Names the software implementation behind an adapter (`'llvmpipe'`, `'SwiftShader'`, …), or returns
 * `undefined` for a hardware adapter. Looks at vendor, architecture, device and description, and at
 * `isFallbackAdapter` (on the adapter or its info).
 */
export function softwareAdapterName(info: GpuAdapterInfoLike, isFallbackAdapter = false): string | undefined {
  const text = [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' ');
  for (const [pattern, name] of SOFTWARE_NAMES) if (pattern.test(text)) return name;
  if (isFallbackAdapter || info.isFallbackAdapter === true) return 'a fallback adapter';
  return undefined;
}

/** Reads an adapter's info (`adapter.info`, else the removed `requestAdapterInfo()`, else empty). */
export async function adapterInfoOf(adapter: GpuAdapterLike): Promise<GpuAdapterInfoLike> {
  if (adapter.info !== undefined) return adapter.info;
  if (typeof adapter.requestAdapterInfo === 'function') {
    try {
      return await adapter.requestAdapterInfo();
    } catch {
      // Fall through: the info is optional.
    }
  }
  return {};
}

/** Describes an adapter; see {@link AdapterDescription}. */
export function describeAdapter(adapter: GpuAdapterLike, info: GpuAdapterInfoLike): AdapterDescription & { softwareName?: string } {
  const softwareName = softwareAdapterName(info, adapter.isFallbackAdapter === true);
  return {
    vendor: info.vendor ?? '',
    architecture: info.architecture ?? '',
    device: info.device ?? '',
    description: info.description ?? '',
    software: softwareName !== undefined,
    ...(softwareName !== undefined ? { softwareName } : {}),
  };
}

/** A short human-readable label: "llvmpipe-llvm-15 (OpenGL ES 3.2 Mesa 22.3.6)". */
export function adapterLabel(description: AdapterDescription): string {
  const main = [description.vendor, description.architecture, description.device].filter(Boolean).join(' ');
  if (main && description.description) return `${main} (${description.description})`;
  return main || description.description || 'unnamed adapter';
}
