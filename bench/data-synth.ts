/**
 * `pnpm bench data-synth`: throughput of the data pipeline of `@quarkmed/data-synth`.
 *
 * - Knowledge graph → text → tasks (when `../shared/data/kg` exists: the full ICD-10-CM FY2022 order file + the
 *   full Disease Ontology + the ICD-10 Chinese names; with `--quick` or without the shared data, the shipped
 *   subset): load triples/s,
 *   template translation sentences/s, instruction-task samples/s.
 * - Curation on the shipped medical text (`data/medical-text`, PubMedQA English + CMExam Chinese paragraphs plus
 *   seeded near-duplicate copies): normalise + quality docs/s, MinHash signatures docs/s, MinHash LSH dedup docs/s,
 *   the whole `curate()` pipeline docs/s.
 * - Output: `writeShards` MB/s (sharded JSONL + manifest with SHA-256, into a temporary folder).
 *
 * Single-threaded, CPU only (`--backends` is ignored). Timings are medians over repeated runs (see `lib/timing.ts`);
 * the knowledge-graph stages run once each on the full data (they take seconds).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { curate, dedupNear, MinHasher, normalizeText, qualityCheck, type Doc } from '../packages/data-synth/src/curate';
import type { KgSourceName } from '../packages/data-synth/src/kg';
import { buildMedicalKg, defaultKgSubsetDir, writeShards } from '../packages/data-synth/src/node';
import { mulberry32 } from '../packages/data-synth/src/random';
import { generateTasks } from '../packages/data-synth/src/tasks';
import { translateTriples } from '../packages/data-synth/src/translate';
import { BENCH_DIR, writeJsonAtomic } from './lib/json';
import type { SuiteContext, SuiteOutcome } from './lib/suite';
import { printTable } from './lib/table';
import { fmtMs, measure, PLANS } from './lib/timing';

export const description = 'data-synth: KG load triples/s, translation + task samples/s, MinHash/LSH dedup docs/s, shard writer MB/s';

const REPO = resolve(BENCH_DIR, '..');
const SHARED_KG = resolve(REPO, '../shared/data/kg');
const TEXT_DIR = join(REPO, 'data/medical-text');

interface Row {
  stage: string;
  data: string;
  items: number;
  unit: string;
  ms: number;
  perSecond: number;
  extra?: string;
}

function fmtRate(x: number): string {
  if (x >= 1e6) return `${(x / 1e6).toFixed(2)}M`;
  if (x >= 1e3) return `${(x / 1e3).toFixed(1)}k`;
  return x.toFixed(1);
}

/** Shipped paragraphs plus `copies` seeded near-duplicates of each (a few words or characters changed). */
function curationCorpus(copies: number): Doc[] {
  const docs: Doc[] = [];
  const rand = mulberry32(20241125);
  for (const [file, lang, source] of [
    ['pubmedqa-abstracts.en.txt', 'en', 'pubmedqa'],
    ['cmexam-explanations.zh.txt', 'zh', 'cmexam'],
  ] as const) {
    const paras = readFileSync(join(TEXT_DIR, file), 'utf8')
      .split(/\n\s*\n/)
      .map((p) => p.trim())
      .filter((p) => p.length > 0);
    for (const [i, p] of paras.entries()) {
      docs.push({ id: `${source}-${i}`, text: p, source, authority: 'B', language: lang });
      for (let c = 0; c < copies; c++) {
        const cps = Array.from(p);
        for (let k = 0; k < 3; k++) {
          const j = Math.floor(rand() * cps.length);
          cps[j] = lang === 'zh' ? '某' : 'x';
        }
        docs.push({ id: `${source}-${i}-copy${c}`, text: cps.join(''), source: `${source}-copies`, authority: 'D', language: lang });
      }
    }
  }
  return docs;
}

async function time(fn: () => void | Promise<void>, quick: boolean): Promise<number> {
  return (await measure(fn, quick ? PLANS.quick : { ...PLANS.full, maxIters: 10 })).medianMs;
}

async function once<T>(fn: () => Promise<T> | T): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

export async function run(ctx: SuiteContext): Promise<SuiteOutcome> {
  const rows: Row[] = [];
  let errors = 0;
  const notes: string[] = [];
  const add = (stage: string, data: string, items: number, unit: string, ms: number, extra?: string): void => {
    rows.push({ stage, data, items, unit, ms, perSecond: (items / ms) * 1000, extra });
  };

  // --- Knowledge graph → text → tasks --------------------------------------------------------------------
  const full = !ctx.quick && existsSync(SHARED_KG);
  const kgDir = full ? SHARED_KG : defaultKgSubsetDir();
  const kgLabel = full ? 'full ICD-10-CM + DO + ICD-10 zh' : 'shipped KG subset';
  if (!full) notes.push(ctx.quick ? '--quick: knowledge-graph stages on the shipped subset' : `${SHARED_KG} not found: knowledge-graph stages on the shipped subset`);
  try {
    // ICD-10-CM + Disease Ontology, plus the ICD-10 Chinese names so that Chinese sentences can be rendered.
    const sources: KgSourceName[] = ['icd10cmChapters', 'icd10cm', 'do', 'icd10cn', 'icd10cnCatalog'];
    const load = await once(() => buildMedicalKg({ dir: kgDir, sources }));
    const { kg, issues } = load.value;
    add('KG load (stream + parse)', kgLabel, kg.tripleCount, 'triples', load.ms, `${kg.size} entities, ${issues.length} issues`);

    const triples = kg.triples();
    for (const language of ['en', 'zh'] as const) {
      const tr = await once(() => translateTriples(kg, triples, { language, seed: 1 }));
      add(`translate triples → sentences (${language})`, kgLabel, tr.value.length, 'samples', tr.ms, `${triples.length - tr.value.length} skipped`);
    }

    const countPerTask = full ? 2000 : 50;
    const gen = await once(() => generateTasks(kg, { countPerTask, seed: 1, language: 'en' }));
    const tasks = new Set(gen.value.map((s) => s.task)).size;
    add('instruction tasks (en)', kgLabel, gen.value.length, 'samples', gen.ms, `${tasks} task types, ≤ ${countPerTask} each`);
  } catch (error) {
    console.error('data-synth bench: knowledge-graph stages failed:', error);
    errors++;
  }

  // --- Curation -----------------------------------------------------------------------------------------
  try {
    const docs = curationCorpus(ctx.quick ? 1 : 5);
    const label = `${docs.length} shipped paragraphs + copies`;
    const texts = docs.map((d) => normalizeText(d.text));
    const chars = texts.reduce((a, t) => a + t.length, 0);
    add(
      'normalise + quality filters',
      label,
      docs.length,
      'docs',
      await time(() => {
        for (const d of docs) qualityCheck(normalizeText(d.text));
      }, ctx.quick),
      `${(chars / 1e6).toFixed(2)}M chars`,
    );
    const mh = new MinHasher({ numPerm: 128, seed: 1 });
    add(
      'MinHash signatures (128 perm, 5-shingles)',
      label,
      docs.length,
      'docs',
      await time(() => {
        for (const t of texts) mh.signature(t);
      }, ctx.quick),
    );
    let dropped = 0;
    const lshMs = await time(() => {
      dropped = dedupNear(texts, { threshold: 0.8, seed: 1 }).duplicateOf.size;
    }, ctx.quick);
    add('MinHash LSH dedup (sign + band + verify + union-find)', label, docs.length, 'docs', lshMs, `${dropped} near-duplicates dropped`);
    let kept = 0;
    const curMs = await time(async () => {
      kept = (await curate(docs)).report.kept;
    }, ctx.quick);
    add('curate() pipeline', label, docs.length, 'docs', curMs, `${kept} kept`);
  } catch (error) {
    console.error('data-synth bench: curation stages failed:', error);
    errors++;
  }

  // --- Shard writer -----------------------------------------------------------------------------------------
  const tmp = mkdtempSync(join(tmpdir(), 'quarkmed-bench-shards-'));
  try {
    const docs = curationCorpus(ctx.quick ? 2 : 20).map((d) => ({ ...d, task: 'pretrain' }));
    let bytes = 0;
    let shards = 0;
    const ms = await time(async () => {
      const m = await writeShards(docs, { dir: tmp, shardSize: 1000, seed: 1, fsync: false });
      bytes = m.bytes;
      shards = m.shards.length;
    }, ctx.quick);
    add('writeShards (JSONL + sha256 + manifest, no fsync)', `${docs.length} records`, bytes / 1e6, 'MB', ms, `${shards} shards`);
  } catch (error) {
    console.error('data-synth bench: shard writer failed:', error);
    errors++;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }

  printTable(
    `data-synth throughput (Node ${process.version}, single thread)`,
    ['stage', { header: 'data', align: 'left' }, 'items', 'ms', 'per second', { header: 'notes', align: 'left' }],
    rows.map((r) => [
      r.stage,
      r.data,
      r.unit === 'MB' ? `${r.items.toFixed(1)} MB` : `${r.items} ${r.unit}`,
      fmtMs(r.ms),
      `${fmtRate(r.perSecond)} ${r.unit}/s`,
      r.extra ?? '',
    ]),
    notes,
  );
  writeJsonAtomic(ctx.jsonPath, { suite: ctx.suite, quick: ctx.quick, node: process.version, fullData: full, rows, notes });
  return { errors, jsonPath: ctx.jsonPath };
}
