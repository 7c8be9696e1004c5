/**
 * `pnpm bench verifier`: rule verifications per second on one core (this process's single JS thread) over a
 * seeded corpus of realistic completions (English and Chinese, several answer styles, reasoning of 200–1500
 * characters). Target: at least 100k/s for multiple choice (issue 5); the other rule verifiers are reported
 * without a target. Then seconds per megabyte of every rule verifier on the worst input shapes at 4 MB
 * (`packages/verifier/test/adversarial/worst-shapes.ts`); target: the worst under 0.3 s/MB. `--quick` shortens
 * the time budget and uses 1 MB inputs.
 *
 * The machine may be shared: throughput is the best of N short windows (wall clock, so a window in which this
 * process had its core to itself counts), with the median window and the rate per CPU-second of this process
 * (`process.cpuUsage`, which excludes time the core was given to others) reported next to it, and the load
 * average at the start printed; worst shapes are the best of 3 runs.
 */
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import {
  formatReward,
  verifyDrugJson,
  verifyKeywords,
  verifyMultipleChoice,
  verifyNumeric,
  verifyYesNoMaybe,
  type MultipleChoiceReference,
} from '../packages/verifier/src/rules/index';
import { Icd10Verifier } from '../packages/verifier/src/icd10/index';
import { useShippedVerifierData } from '../packages/verifier/src/node/index';
import { fillShape, WORST_SHAPES } from '../packages/verifier/test/adversarial/worst-shapes';
import { writeJsonAtomic } from './lib/json';
import type { SuiteContext, SuiteOutcome } from './lib/suite';
import { printTable } from './lib/table';
import { mulberry32 } from '@quarkmed/model';

export const description = 'rule verifier throughput (verifications/s, one core); target ≥ 100k/s for multiple choice';

/** Multiple-choice target, verifications per second. */
const TARGET_MC = 100_000;
/** Worst-shape target, seconds per megabyte (every rule verifier, 4 MB inputs). */
const TARGET_S_PER_MB = 0.3;

const EN = [
  'The patient presents with acute chest pain radiating to the left arm and diaphoresis.',
  'ST elevation in leads II, III and aVF suggests an inferior myocardial infarction.',
  'Option A is reasonable but does not explain the laboratory findings.',
  'The history of peptic ulcer disease makes NSAIDs a poor choice here.',
  'Renal function is preserved, so dose adjustment is not required.',
  'Given the time course, an infectious cause is less likely than an autoimmune one.',
];
const ZH = ['患者男性，49岁，突发右下腹痛3小时。', '体格检查可见腹股沟区包块，有压痛。', '选项A不能解释全部临床表现。', '结合病史与辅助检查，考虑嵌顿疝可能性大。'];
const OPTIONS = { A: 'Aspirin', B: 'Ibuprofen', C: 'Acetaminophen', D: 'Warfarin', E: 'Heparin' };

/** A seeded corpus of multiple-choice completions with their references. */
function mcCorpus(n: number, seed: number): Array<[string, MultipleChoiceReference]> {
  const r = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const out: Array<[string, MultipleChoiceReference]> = [];
  for (let i = 0; i < n; i++) {
    const zh = r() < 0.35;
    const sentences = 2 + Math.floor(r() * 12);
    let reasoning = '';
    for (let k = 0; k < sentences; k++) reasoning += pick(zh ? ZH : EN) + ' ';
    const multi = r() < 0.2;
    const gold = multi ? pick(['AC', 'BD', 'ACE', 'BCD']) : pick(['A', 'B', 'C', 'D', 'E']);
    const said = r() < 0.7 ? gold : pick(['A', 'B', 'C', 'D', 'E']);
    const styles = [
      () => `${reasoning}\n\nThe answer is ${said}.`,
      () => `${reasoning}\n\`\`\`json\n{"answer": "${said}"}\n\`\`\``,
      () => `<think>${reasoning}</think>\n答案：${said}`,
      () => `${reasoning} Therefore, \\boxed{${said}}`,
      () => `${reasoning}\n{"answer": ${JSON.stringify(said.split(''))}}`,
      () => `${reasoning}\n正确答案是${said.split('').join('、')}。`,
      () => `${reasoning}\nAnswer: ${said.toLowerCase()}`,
      () => `${reasoning}\nThe answer is ${said[0]} or ${said === 'E' ? 'D' : 'E'}.`,
    ];
    out.push([pick(styles)(), { answer: gold, options: r() < 0.5 ? OPTIONS : undefined, mode: r() < 0.5 ? 'exact' : 'partial' }]);
  }
  return out;
}

interface Case {
  name: string;
  run: () => number;
  count: number;
  avgChars: number;
  target?: number;
}

/** Windows per verifier: throughput is the best window (see the module documentation). */
const WINDOWS = 10;

/** CPU time of this process (user + system), milliseconds. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/**
 * Runs `fn` repeatedly in {@link WINDOWS} windows of `budgetMs / WINDOWS` each (after one warm-up pass);
 * returns the best window's verifications per second (wall clock), the median window's, and verifications per
 * CPU-second over all windows.
 */
function throughput(fn: () => number, budgetMs: number): { perSec: number; medianPerSec: number; perCpuSec: number; verifications: number; ms: number } {
  fn();
  const rates: number[] = [];
  let verifications = 0;
  let wall = 0;
  const c0 = cpuMs();
  for (let w = 0; w < WINDOWS; w++) {
    let n = 0;
    const t0 = performance.now();
    let t = t0;
    while (t - t0 < budgetMs / WINDOWS) {
      n += fn();
      t = performance.now();
    }
    rates.push((n / (t - t0)) * 1000);
    verifications += n;
    wall += t - t0;
  }
  const cpu = cpuMs() - c0;
  rates.sort((a, b) => a - b);
  return { perSec: rates[rates.length - 1]!, medianPerSec: rates[rates.length >> 1]!, perCpuSec: (verifications / cpu) * 1000, verifications, ms: wall };
}

export async function run(ctx: SuiteContext): Promise<SuiteOutcome> {
  const budgetMs = ctx.quick ? 300 : 3000;
  const load = loadavg().map((x) => +x.toFixed(2));
  const mc = mcCorpus(2000, 20261125);
  const r = mulberry32(7);
  const sink = { reward: 0 };
  const filler = (k: number): string => Array.from({ length: k }, () => EN[Math.floor(r() * EN.length)]).join(' ');
  const ynm = Array.from({ length: 500 }, (_, i) => `${filler(1 + (i % 8))}\nFinal answer: ${['yes', 'no', 'maybe'][i % 3]}`);
  const num = Array.from({ length: 500 }, (_, i) => `${filler(1 + (i % 8))}\nAnswer: ${(i * 0.37).toFixed(2)} mg`);
  const kw = Array.from({ length: 500 }, (_, i) => `${filler(1 + (i % 8))} Order a CT scan, troponin${i % 2 ? ' and an ECG' : ''}; no MRI.`);
  const drug = Array.from({ length: 500 }, (_, i) => `${filler(1 + (i % 6))}\n\`\`\`json\n{"drugs": ["metformin", "aspirin 81 mg"${i % 3 ? ', "lipitor",' : ''}]}\n\`\`\``);
  const fmt = Array.from({ length: 500 }, (_, i) => `<think>${filler(1 + (i % 6))}</think>\n## Diagnosis\nMI\n\`\`\`json\n{"answer": "B"}\n\`\`\``);
  const avg = (xs: readonly string[]): number => xs.reduce((a, s) => a + s.length, 0) / xs.length;
  const loop = <T>(xs: readonly T[], f: (x: T) => { reward: number }) => () => {
    for (const x of xs) sink.reward += f(x).reward;
    return xs.length;
  };
  const cases: Case[] = [
    { name: 'multiple choice', run: loop(mc, ([c, ref]) => verifyMultipleChoice(c, ref)), count: mc.length, avgChars: avg(mc.map((m) => m[0])), target: TARGET_MC },
    { name: 'yes/no/maybe', run: loop(ynm, (c) => verifyYesNoMaybe(c, { answer: 'yes' })), count: ynm.length, avgChars: avg(ynm) },
    { name: 'numeric', run: loop(num, (c) => verifyNumeric(c, { value: 0.5, unit: 'g', tolerance: { rel: 0.01 } })), count: num.length, avgChars: avg(num) },
    {
      name: 'keywords',
      run: loop(kw, (c) => verifyKeywords(c, { required: [['CT', 'computed tomography'], 'troponin', ['ECG', 'EKG']], forbidden: ['MRI'] })),
      count: kw.length,
      avgChars: avg(kw),
    },
    {
      name: 'drug JSON',
      run: loop(drug, (c) => verifyDrugJson(c, { drugs: ['metformin', 'aspirin', 'atorvastatin'], synonyms: { atorvastatin: ['Lipitor'] } })),
      count: drug.length,
      avgChars: avg(drug),
    },
    {
      name: 'format',
      run: loop(fmt, (c) => formatReward(c, { sections: ['<think>', 'Diagnosis'], ordered: true, schema: { type: 'object', required: ['answer'] } })),
      count: fmt.length,
      avgChars: avg(fmt),
    },
  ];
  const rows: string[][] = [];
  const results: Array<Record<string, unknown>> = [];
  let errors = 0;
  for (const c of cases) {
    try {
      const t = throughput(c.run, budgetMs);
      const pass = c.target === undefined ? '-' : t.perSec >= c.target ? 'PASS' : 'FAIL';
      const fmt = (x: number): string => Math.round(x).toLocaleString('en-US');
      rows.push([c.name, String(c.count), c.avgChars.toFixed(0), fmt(t.perSec), fmt(t.medianPerSec), fmt(t.perCpuSec), c.target ? c.target.toLocaleString('en-US') : '-', pass]);
      results.push({ name: c.name, corpus: c.count, avgChars: c.avgChars, perSec: t.perSec, medianPerSec: t.medianPerSec, perCpuSec: t.perCpuSec, verifications: t.verifications, ms: t.ms, target: c.target ?? null, pass });
    } catch (e) {
      errors++;
      console.error(`${c.name}:`, e);
    }
  }
  printTable(
    `rule verifications per second (one core, ${budgetMs} ms per verifier in ${WINDOWS} windows${ctx.quick ? ', --quick' : ''})`,
    ['verifier', 'corpus', 'avg chars', 'verif/s (best)', 'median', 'per CPU-s', 'target', 'result'],
    rows,
    [
      'seeded corpora (seed 20261125 for multiple choice); single JS thread = one core; the target applies to the best window',
      `load average at start ${load.join(', ')} (on a shared machine the median window is slower than the best)`,
      `checksum ${sink.reward.toFixed(0)}`,
    ],
  );
  // Worst shapes: seconds per MB for each rule verifier (the best of three runs).
  useShippedVerifierData();
  const icd = new Icd10Verifier();
  const mb = ctx.quick ? 1 : 4;
  const verifiers: Array<[string, (s: string) => unknown]> = [
    ['multiple choice', (s) => verifyMultipleChoice(s, { answer: 'AC', options: OPTIONS, mode: 'partial' })],
    ['multiple choice (letters)', (s) => verifyMultipleChoice(s, { answer: 'B' })],
    ['yes/no/maybe', (s) => verifyYesNoMaybe(s, { answer: 'yes' })],
    ['numeric', (s) => verifyNumeric(s, { value: 5.5, unit: 'mmol/L', lastNumberFallback: true })],
    ['keywords', (s) => verifyKeywords(s, { required: [['CT', 'computed tomography'], '肌钙蛋白'], forbidden: ['MRI'] })],
    ['drug JSON', (s) => verifyDrugJson(s, { drugs: ['aspirin'] })],
    ['ICD-10', (s) => icd.verify(s, 'I10')],
  ];
  const shapeRows: string[][] = [];
  const shapes: Array<Record<string, unknown>> = [];
  let worst = { sPerMb: 0, shape: '', verifier: '' };
  for (const [shape, unit] of WORST_SHAPES) {
    const text = fillShape(unit, mb << 20);
    for (const [name, verify] of verifiers) {
      let ms = Infinity;
      for (let k = 0; k < 3; k++) {
        const t0 = performance.now();
        verify(text);
        ms = Math.min(ms, performance.now() - t0);
      }
      const sPerMb = ms / 1000 / mb;
      shapes.push({ shape, verifier: name, mb, sPerMb });
      if (sPerMb > worst.sPerMb) worst = { sPerMb, shape, verifier: name };
    }
    const row = shapes.slice(-verifiers.length).map((x) => (x.sPerMb as number).toFixed(3));
    shapeRows.push([shape, ...row]);
  }
  const shapePass = worst.sPerMb < TARGET_S_PER_MB ? 'PASS' : 'FAIL';
  printTable(
    `seconds per MB on the worst input shapes (${mb} MB inputs, best of 3)`,
    ['shape', ...verifiers.map(([n]) => n)],
    shapeRows,
    [`worst: ${worst.sPerMb.toFixed(3)} s/MB (${worst.verifier}, ${worst.shape}); target < ${TARGET_S_PER_MB} s/MB: ${shapePass}`],
  );
  writeJsonAtomic(ctx.jsonPath, { suite: ctx.suite, quick: ctx.quick, budgetMs, windows: WINDOWS, loadAverage: load, results, worstShapes: { mb, target: TARGET_S_PER_MB, worst, pass: shapePass, shapes } });
  return { errors, jsonPath: ctx.jsonPath };
}
