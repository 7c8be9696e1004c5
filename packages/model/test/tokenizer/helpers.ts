/** Shared fixtures of the tokenizer tests (not a test file). */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { trainBpe, type BpeTokenizer } from '../../src/tokenizer/index';

export const DATA_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'data', 'medical-text');

export { mulberry32 } from '../../src/decoder/init';

export function readMedical(file: 'en' | 'zh'): string {
  return readFileSync(join(DATA_DIR, file === 'en' ? 'pubmedqa-abstracts.en.txt' : 'cmexam-explanations.zh.txt'), 'utf8');
}

export function paragraphs(text: string): string[] {
  return text
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
}

let medical: BpeTokenizer | undefined;
/** A tokenizer trained on the shipped English + Chinese paragraphs (vocab 3000), trained once per file. */
export function medicalTokenizer(): BpeTokenizer {
  medical ??= trainBpe([...paragraphs(readMedical('en')), ...paragraphs(readMedical('zh'))], { vocabSize: 3000 });
  return medical;
}

const POOLS: [number, number][] = [
  [0x20, 0x7e], // ASCII printable
  [0x00, 0x1f], // controls
  [0xa0, 0x17f], // Latin-1 / Latin Extended-A
  [0x300, 0x36f], // combining marks
  [0x391, 0x3c9], // Greek
  [0x4e00, 0x4fff], // CJK
  [0x3000, 0x303f], // CJK punctuation (U+3000 ideographic space)
  [0x2000, 0x206f], // general punctuation incl. U+2028, zero-width chars
  [0x1f300, 0x1f64f], // emoji (astral, surrogate pairs)
  [0x10000, 0x1007f], // Linear B (astral letters)
  [0xfff0, 0xfffd], // specials incl. U+FFFD
];

/** A random string of `len` code points from mixed scripts (no lone surrogates unless `loneSurrogates`). */
export function randomUnicode(rand: () => number, len: number, loneSurrogates = false): string {
  let s = '';
  for (let i = 0; i < len; i++) {
    if (loneSurrogates && rand() < 0.05) {
      s += String.fromCharCode(0xd800 + Math.floor(rand() * 0x800));
      continue;
    }
    const r = rand();
    if (r < 0.15) {
      s += ' ';
      continue;
    }
    const [lo, hi] = POOLS[Math.floor(rand() * POOLS.length)];
    s += String.fromCodePoint(lo + Math.floor(rand() * (hi - lo + 1)));
  }
  return s;
}
