import { describe, expect, it } from 'vitest';
import {
  detectBlasLibraries,
  isAsInstalled,
  pickBest,
  renderSweep,
  settingCommand,
  settingEnv,
  sweepCandidates,
  sweepTorchSettings,
  type BlasLibrary,
  type SweepRow,
  type TorchSetting,
} from '../lib/torch-settings';

const LIB = '/usr/lib/x86_64-linux-gnu';

/** A fake file system: path -> real path. */
function resolver(files: Record<string, string>): (p: string) => string | undefined {
  return (p) => files[p];
}

describe('detectBlasLibraries', () => {
  it('folds the directory the default alternative points to into the default', () => {
    const libs = detectBlasLibraries(
      resolver({
        [`${LIB}/libblas.so.3`]: `${LIB}/openblas-pthread/libblas.so.3`,
        [`${LIB}/openblas-pthread/libblas.so.3`]: `${LIB}/openblas-pthread/libblas.so.3`,
      }),
      LIB,
    );
    expect(libs).toEqual([
      { id: 'default', label: 'Debian default (= openblas-pthread)', file: `${LIB}/openblas-pthread/libblas.so.3`, threaded: true },
    ]);
  });

  it('lists the reference-BLAS default (unthreaded) and each OpenBLAS directory present with its LD_LIBRARY_PATH', () => {
    const libs = detectBlasLibraries(
      resolver({
        [`${LIB}/libblas.so.3`]: `${LIB}/blas/libblas.so.3.11.0`,
        [`${LIB}/openblas-pthread/libblas.so.3`]: `${LIB}/openblas-pthread/libblas.so.3`,
        [`${LIB}/openblas-openmp/libblas.so.3`]: `${LIB}/openblas-openmp/libblas.so.3`,
      }),
      LIB,
    );
    expect(libs.map((l) => [l.id, l.libDir, l.threaded])).toEqual([
      ['default', undefined, false],
      ['openblas-pthread', `${LIB}/openblas-pthread`, true],
      ['openblas-openmp', `${LIB}/openblas-openmp`, true],
    ]);
    expect(libs[0]!.label).toBe(`Debian default (= ${LIB}/blas/libblas.so.3.11.0)`);
  });

  it('returns nothing when no libblas.so.3 exists', () => {
    expect(detectBlasLibraries(resolver({}), LIB)).toEqual([]);
  });
});

const threaded: BlasLibrary = { id: 'default', label: 'default', file: '/x/openblas-pthread/libblas.so.3', threaded: true };
const reference: BlasLibrary = { id: 'ref', label: 'ref', libDir: '/x/blas', file: '/x/blas/libblas.so.3', threaded: false };

describe('sweepCandidates', () => {
  it('crosses torch threads {cores, 1} with BLAS threads {cores, 1} for a threaded library, only BLAS 1 for an unthreaded one', () => {
    const c = sweepCandidates([threaded, reference], 2);
    expect(c.map((s) => [s.blas.id, s.torchThreads, s.blasThreads])).toEqual([
      ['default', 2, 2],
      ['default', 2, 1],
      ['default', 1, 2],
      ['default', 1, 1],
      ['ref', 2, 1],
      ['ref', 1, 1],
    ]);
    expect(isAsInstalled(c[0]!, 2)).toBe(true);
    expect(c.slice(1).some((s) => isAsInstalled(s, 2))).toBe(false);
  });

  it('has one candidate per library on one core, and rejects a bad core count', () => {
    expect(sweepCandidates([threaded], 1)).toHaveLength(1);
    expect(() => sweepCandidates([threaded], 0)).toThrow(RangeError);
    expect(() => sweepCandidates([threaded], 1.5)).toThrow(/cores must be a positive integer/);
  });
});

describe('settingEnv', () => {
  it('sets both thread variables and puts the library directory first on LD_LIBRARY_PATH', () => {
    const s: TorchSetting = { blas: reference, torchThreads: 2, blasThreads: 1 };
    const env = settingEnv(s, { PATH: '/bin', LD_LIBRARY_PATH: '/opt/lib', OPENBLAS_NUM_THREADS: '8', UNSET: undefined });
    expect(env).toEqual({ PATH: '/bin', LD_LIBRARY_PATH: '/x/blas:/opt/lib', OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1' });
    expect(settingCommand(s)).toBe('LD_LIBRARY_PATH=/x/blas OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 (torch.set_num_threads(2))');
  });

  it('leaves LD_LIBRARY_PATH alone for the default library', () => {
    const env = settingEnv({ blas: threaded, torchThreads: 1, blasThreads: 2 }, { HOME: '/h' });
    expect(env).toEqual({ HOME: '/h', OPENBLAS_NUM_THREADS: '2', OMP_NUM_THREADS: '2' });
  });
});

describe('pickBest and sweepTorchSettings', () => {
  const row = (torchThreads: number, values: Record<string, number | undefined>, error?: string): SweepRow => ({
    setting: { blas: threaded, torchThreads, blasThreads: 1 },
    values,
    error,
    ms: 1,
  });

  it('picks the highest finite value per quantity, the first on a tie, none when nothing was measured', () => {
    const rows = [row(2, { train: 900, gen: 40 }), row(1, { train: 1300, gen: Number.NaN }), row(3, { train: 1300, gen: 38 }), row(4, {}, 'boom')];
    expect(pickBest(rows, 'train')).toBe(rows[1]);
    expect(pickBest(rows, 'gen')).toBe(rows[0]);
    expect(pickBest(rows, 'matmul')).toBeUndefined();
  });

  it('probes each candidate in order, records failures and picks different bests per quantity', () => {
    const cands = sweepCandidates([threaded], 2);
    const seen: number[] = [];
    const sweep = sweepTorchSettings(
      cands,
      [
        { key: 'train', label: 'train tok/s' },
        { key: 'generate', label: 'generate tok/s' },
      ],
      (s) => {
        if (s.torchThreads === 2 && s.blasThreads === 1) return { error: 'probe failed' };
        // Training best with 1/1, generation best with 2/2.
        return { values: { train: 1000 / (s.torchThreads * s.blasThreads), generate: 10 * s.torchThreads * s.blasThreads } };
      },
      (i) => seen.push(i),
    );
    expect(seen).toEqual([0, 1, 2, 3]);
    expect(sweep.rows[1]!.error).toBe('probe failed');
    expect(sweep.best['train']!.setting).toBe(cands[3]);
    expect(sweep.best['generate']!.setting).toBe(cands[0]);
    const text = renderSweep('sweep', sweep, 2);
    expect(text).toContain('1000 *');
    expect(text).toContain('40.0 *');
    expect(text).toContain('as installed');
    expect(text).toContain('best train tok/s: OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 (torch.set_num_threads(1)) (4.00x the as-installed setting)');
    expect(text).toContain('default, torch 2 thr, BLAS 1 thr: probe failed');
  });
});
