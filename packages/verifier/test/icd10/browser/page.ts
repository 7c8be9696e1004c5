/** The page of the browser test: the main entry, the shipped ICD-10 data fetched over HTTP, one verification. */
import { ICD10_DATA_FILES, Icd10Verifier, loadShippedVerifierData } from '../../../src/index';

const w = window as unknown as { __result?: unknown };
(async () => {
  try {
    await loadShippedVerifierData({ baseUrl: '/data/', files: ICD10_DATA_FILES });
    const v = new Icd10Verifier();
    w.__result = { right: v.verify('Diagnosis: E11.9', 'E11.9'), near: v.verify('Code: E11.65', 'E11.9'), hasDecompressionStream: typeof DecompressionStream === 'function' };
  } catch (e) {
    w.__result = { error: `${(e as Error).name}: ${(e as Error).message}` };
  }
})();
