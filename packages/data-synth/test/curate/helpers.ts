/** Shared fixtures for the curation tests: the shipped PubMedQA / CMExam paragraphs and seeded edits. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mulberry32 } from '../../src/random';

const TEXT_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../../../data/medical-text');

/** Paragraphs of a shipped file (`pubmedqa-abstracts.en.txt` or `cmexam-explanations.zh.txt`). */
export function shippedParagraphs(file: string): string[] {
  return readFileSync(join(TEXT_DIR, file), 'utf8')
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
}

/** Replaces `n` distinct words of `text` (seeded positions) with `replacement`-i. */
export function changeWords(text: string, n: number, seed: number): string {
  const words = text.split(' ');
  const rand = mulberry32(seed);
  const done = new Set<number>();
  while (done.size < n) {
    const i = Math.floor(rand() * words.length);
    if (done.has(i)) continue;
    done.add(i);
    words[i] = `zzword${done.size}`;
  }
  return words.join(' ');
}

/** Replaces `n` distinct Han characters of `text` (seeded positions) with other Han characters. */
export function changeChars(text: string, n: number, seed: number): string {
  const cps = Array.from(text);
  const rand = mulberry32(seed);
  const han = cps.map((c, i) => (/\p{Script=Han}/u.test(c) ? i : -1)).filter((i) => i >= 0);
  const done = new Set<number>();
  const subs = '甲乙丙丁戊己庚辛壬癸';
  while (done.size < n) {
    const i = han[Math.floor(rand() * han.length)]!;
    if (done.has(i)) continue;
    cps[i] = subs[done.size % subs.length]!;
    done.add(i);
  }
  return cps.join('');
}
