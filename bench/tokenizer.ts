/**
 * `pnpm bench tokenizer`: byte-level BPE training time on 10 MB of medical text (the shipped English and Chinese
 * paragraphs, shuffled with a seed and repeated) at vocab 8192, and encode/decode throughput; encode MB/s of the
 * fast BPE engine vs `@huggingface/tokenizers` on the real Llama 3 / Qwen3 tokenizer.json files (and the library
 * path serving Llama 2) on the same text.
 */
import { benchRealTokenizers, benchTokenizer } from '../packages/model/bench/tokenizer';
import { writeJsonAtomic } from './lib/json';
import type { SuiteContext, SuiteOutcome } from './lib/suite';

export const description = 'BPE training time on 10 MB of text (vocab 8192), encode/decode MB/s; real tokenizers: fast path vs library encode MB/s';

export async function run(ctx: SuiteContext): Promise<SuiteOutcome> {
  const result = {
    ...(await benchTokenizer(ctx.quick ? { targetBytes: 1024 * 1024 } : {})),
    ...(await benchRealTokenizers({ quick: ctx.quick })),
  };
  writeJsonAtomic(ctx.jsonPath, { suite: ctx.suite, quick: ctx.quick, result });
  return { errors: 0, jsonPath: ctx.jsonPath };
}
