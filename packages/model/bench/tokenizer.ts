/**
 * Tokenizer benchmark: BPE training time on ~10 MB of medical text (the shipped English + Chinese paragraphs,
 * shuffled and repeated with a fixed seed) at vocab 8192, and encode/decode throughput.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BpeTokenizer, trainBpe } from '../src/tokenizer/index';
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

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  await benchTokenizer();
}
