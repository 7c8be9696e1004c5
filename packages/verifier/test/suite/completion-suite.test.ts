/**
 * The completion suite: every checked-in record of data/completion-suite/*.jsonl goes through its rule
 * verifier and must get the expected verdict and reward. Prints a per-kind tally.
 *
 * Records whose expectation the verifiers do not meet yet and that are reported to their owners are listed in
 * KNOWN_DISAGREEMENTS with the reason; the test asserts they still disagree, so a fix shows up as a failure
 * asking for the entry to be removed (the list can only shrink).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { useShippedVerifierData } from '../../src/node/index';
import { VERIFIER_REGISTRY, createVerifier, type VerifierKind, type VerifierReferences } from '../../src/registry';
import type { VerificationResult, Verdict, Verifier } from '../../src/types';

useShippedVerifierData();

const DIR = fileURLToPath(new URL('../../data/completion-suite/', import.meta.url));

/** One suite record (see data/completion-suite/README.md). */
export interface SuiteRecord {
  id: string;
  /** A canonical verifier kind of the registry (`src/registry.ts`). */
  kind: VerifierKind;
  lang: 'en' | 'zh';
  style: string;
  source: string;
  question: string;
  options?: Record<string, string>;
  reference: unknown;
  config?: Record<string, unknown>;
  completion: string;
  expected: { verdict: Verdict; reward: number };
  note?: string;
}

function loadSuite(): SuiteRecord[] {
  const out: SuiteRecord[] = [];
  for (const f of readdirSync(DIR).filter((n) => n.endsWith('.jsonl')).sort()) {
    const lines = readFileSync(DIR + f, 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (line.trim() === '') return;
      try {
        out.push(JSON.parse(line) as SuiteRecord);
      } catch (e) {
        throw new Error(`${f}:${i + 1}: invalid JSON (${(e as Error).message})`);
      }
    });
  }
  return out;
}

/**
 * How each suite record's reference (see data/completion-suite/README.md) maps onto its kind's reference type.
 * The verifiers themselves come from the registry; `text` needs a model judge and has no suite records.
 */
const TO_REFERENCE: { [K in VerifierKind]?: (x: SuiteRecord) => VerifierReferences[K] } = {
  'multiple-choice': (x) => ({
    answer: x.reference as string,
    options: x.options,
    mode: (x.config?.multiple as 'exact' | 'partial' | undefined) ?? 'exact',
  }),
  'yes-no-maybe': (x) => ({ answer: x.reference as string }),
  icd10: (x) => x.reference as string | string[],
  numeric: (x) => {
    const ref = x.reference as { value: number; unit?: string; absTol?: number; relTol?: number };
    return { value: ref.value, unit: ref.unit, tolerance: { abs: ref.absTol ?? 0, rel: ref.relTol ?? 1e-6 } };
  },
  'drug-json': (x) => x.reference as VerifierReferences['drug-json'],
  keywords: (x) => ({ required: (x.reference as { groups: string[][] }).groups }),
};

const verifiers = new Map<VerifierKind, Verifier<unknown>>();
function run(x: SuiteRecord): VerificationResult | Promise<VerificationResult> | undefined {
  const toRef = TO_REFERENCE[x.kind] as ((x: SuiteRecord) => unknown) | undefined;
  if (toRef === undefined) return undefined;
  let v = verifiers.get(x.kind);
  if (v === undefined) verifiers.set(x.kind, (v = createVerifier(x.kind) as Verifier<unknown>));
  return v.verify(x.completion, toRef(x));
}

/**
 * Records the verifiers currently get wrong, with why the expectation is right. Reported to the verifier
 * owners; remove an entry when its record passes.
 */
const KNOWN_DISAGREEMENTS: Record<string, string> = {
};

const SUITE = loadSuite();
const REWARD_TOL = 1e-6;

describe('completion suite data', () => {
  it('has at least 300 well-formed records, unique ids, English and Chinese, every kind', () => {
    expect(SUITE.length).toBeGreaterThanOrEqual(300);
    const ids = new Set<string>();
    const verdicts: Verdict[] = ['correct', 'partial', 'incorrect', 'unparseable', 'invalid'];
    for (const x of SUITE) {
      expect(ids.has(x.id), `duplicate id ${x.id}`).toBe(false);
      ids.add(x.id);
      expect(typeof x.question, x.id).toBe('string');
      expect(typeof x.completion, x.id).toBe('string');
      expect(verdicts, x.id).toContain(x.expected.verdict);
      expect(x.expected.reward, x.id).toBeGreaterThanOrEqual(0);
      expect(x.expected.reward, x.id).toBeLessThanOrEqual(1);
      expect(x.expected.verdict === 'correct' ? x.expected.reward === 1 : x.expected.reward < 1, `${x.id}: verdict/reward mismatch`).toBe(true);
    }
    expect(new Set(SUITE.map((x) => x.lang))).toEqual(new Set(['en', 'zh']));
    // every record names a registry kind, and every kind with a rule verifier has records
    for (const x of SUITE) expect(Object.keys(VERIFIER_REGISTRY), `${x.id}: kind ${x.kind}`).toContain(x.kind);
    expect(new Set(SUITE.map((x) => x.kind))).toEqual(new Set(Object.keys(TO_REFERENCE)));
    // many realistic wrong answers, not just correct ones
    const wrong = SUITE.filter((x) => x.expected.verdict !== 'correct').length;
    expect(wrong / SUITE.length).toBeGreaterThan(0.3);
    for (const id of Object.keys(KNOWN_DISAGREEMENTS)) expect(ids.has(id), `KNOWN_DISAGREEMENTS names unknown id ${id}`).toBe(true);
  });
});

describe('completion suite through the rule verifiers', () => {
  it('every record gets its expected verdict and reward (per-kind tally printed)', async () => {
    const tally = new Map<string, { n: number; agree: number; known: number; skipped: number }>();
    const mismatches: string[] = [];
    const fixed: string[] = [];
    for (const x of SUITE) {
      const t = tally.get(x.kind) ?? { n: 0, agree: 0, known: 0, skipped: 0 };
      tally.set(x.kind, t);
      t.n++;
      let got: VerificationResult;
      try {
        const pending = run(x);
        if (pending === undefined) {
          t.skipped++;
          continue;
        }
        got = await pending;
      } catch (e) {
        got = { reward: Number.NaN, verdict: 'invalid', evidence: `threw ${(e as Error).name}: ${(e as Error).message}`, source: 'rule' };
      }
      const ok = got.verdict === x.expected.verdict && Math.abs(got.reward - x.expected.reward) <= REWARD_TOL;
      const known = KNOWN_DISAGREEMENTS[x.id];
      if (ok) {
        t.agree++;
        if (known !== undefined) fixed.push(x.id);
      } else if (known !== undefined) {
        t.known++;
      } else {
        mismatches.push(
          `${x.id} [${x.style}] expected ${x.expected.verdict}/${x.expected.reward}, got ${got.verdict}/${+got.reward.toFixed(6)} — ${got.evidence}\n    completion: ${JSON.stringify(x.completion.slice(0, 160))}`,
        );
      }
    }
    const rows = [...tally].map(([k, t]) => `${k.padEnd(13)} ${String(t.n).padStart(4)} records  ${String(t.agree).padStart(4)} agree  ${t.known} known  ${t.skipped} skipped (no verifier)`);
    console.info(`completion suite (${SUITE.length} records):\n${rows.join('\n')}`);
    if (mismatches.length) console.info(`mismatches:\n${mismatches.join('\n')}`);
    expect(fixed, 'these KNOWN_DISAGREEMENTS now pass: remove them').toEqual([]);
    expect(mismatches).toEqual([]);
  });
});
