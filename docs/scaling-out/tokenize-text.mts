/**
 * Turns text into the token-id JSONL that continue_in_torch.py trains on, with the checkpoint's own tokenizer
 * (`tokenizer.json` next to the weights), one `{"input_ids": [...]}` per non-empty line.
 *
 * Usage (repository root): pnpm exec tsx --conditions=@quarkmed/source docs/scaling-out/tokenize-text.mts \
 *   <checkpoint-dir> <text-file> <out.jsonl> [--max-lines N] [--max-tokens N]
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { loadTokenizer } from '@quarkmed/model/node';

const args = process.argv.slice(2);
const positional = args.filter((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
const [dir, textFile, out] = positional;
if (!dir || !textFile || !out) {
  console.error('usage: tokenize-text.mts <checkpoint-dir> <text-file> <out.jsonl> [--max-lines N] [--max-tokens N]');
  process.exit(2);
}
const flag = (name: string, fallback: number): number => {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const n = Number(args[i + 1]);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`${name}: expected a positive integer, got ${args[i + 1]}`);
    process.exit(2);
  }
  return n;
};
const tokenizer = await loadTokenizer(dir);
const lines = readFileSync(textFile, 'utf8').split('\n').filter((l) => l.trim().length > 0).slice(0, flag('--max-lines', 64));
const maxTokens = flag('--max-tokens', 128);
writeFileSync(`${out}.tmp`, lines.map((l) => JSON.stringify({ input_ids: tokenizer.encode(l).slice(0, maxTokens) })).join('\n') + '\n');
renameSync(`${out}.tmp`, out);
console.log(`${lines.length} sequences (≤ ${maxTokens} tokens each) → ${out}`);
