/**
 * The speed targets against PyTorch at its best (`torch-settings.ts`): a ratio ours / PyTorch of a
 * higher-is-better quantity, judged against a minimum, and the one-line summary of a kernel profile that
 * says what is left where a target is not met.
 */
import type { KernelProfile } from './kernel-profile';

/** The verdict on one target. */
export interface TargetVerdict {
  /** What is compared, e.g. "training tokens/s". */
  quantity: string;
  backend: string;
  ours?: number;
  torch?: number;
  /** ours / torch. */
  ratio?: number;
  /** The minimum ratio, e.g. 1.25. */
  target: number;
  /** undefined: not judged (see `why`). */
  met?: boolean;
  /** Why it was not judged (a side not measured, `--quick`). */
  why?: string;
}

/**
 * Judges `ours / torch >= target`. Not judged (met undefined, with `why`) when either side is missing or not
 * a positive finite number, or when `notJudged` gives a reason.
 */
export function judge(quantity: string, backend: string, ours: number | undefined, torch: number | undefined, target: number, notJudged?: string): TargetVerdict {
  const v: TargetVerdict = { quantity, backend, ours, torch, target };
  const ok = (x: number | undefined): x is number => x !== undefined && Number.isFinite(x) && x > 0;
  if (ok(ours) && ok(torch)) v.ratio = ours / torch;
  if (notJudged !== undefined) return { ...v, why: notJudged };
  if (!ok(ours)) return { ...v, why: `${backend} not measured` };
  if (!ok(torch)) return { ...v, why: 'PyTorch not measured' };
  return { ...v, met: v.ratio! >= target };
}

/** "met", "NOT MET" or "not judged (why)". */
export function verdictText(v: TargetVerdict): string {
  if (v.met === undefined) return `not judged (${v.why ?? 'unknown'})`;
  return v.met ? 'met' : 'NOT MET';
}

/**
 * One sentence on where the time of a profiled run goes: its top kernels by self time with their share of
 * the wall time, and the share outside any kernel, e.g. "BatchMatMul 52% (96 calls), Softmax 9% (12), ...;
 * 14% outside kernels".
 */
export function profileSummary(p: KernelProfile, top = 4): string {
  const pct = (ms: number) => `${Math.round((100 * ms) / p.wallMs)}%`;
  const head = p.kernels.slice(0, top).map((k) => `${k.name} ${pct(k.selfMs)} (${k.calls} calls)`);
  const inKernels = p.kernels.reduce((s, k) => s + k.selfMs, 0);
  return `${head.join(', ')}; ${pct(Math.max(0, p.wallMs - inKernels))} outside kernels (of ${p.wallMs.toFixed(0)} ms)`;
}
