/**
 * The retrieval corpus shipped to the browser, built from the repository's own attributed medical text
 * (`data/medical-text`: 150 PubMedQA abstract records, MIT; 150 CMExam question explanations, Apache-2.0; see its
 * README), one record per paragraph. Nothing is copied into this example's sources: `prepare-model` writes the
 * records into the (git-ignored) `public/corpus/`.
 *
 * @packageDocumentation
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RunDirectoryError } from '../src/app-error';
import type { CorpusRecord } from '../src/corpus-index';

/** The shipped files and their attribution. */
export const CORPUS_SOURCES = [
  { file: 'pubmedqa-abstracts.en.txt', prefix: 'pubmedqa', language: 'en', dataset: 'PubMedQA PQA-L (github.com/pubmedqa/pubmedqa)', license: 'MIT' },
  { file: 'cmexam-explanations.zh.txt', prefix: 'cmexam', language: 'zh', dataset: 'CMExam validation split (github.com/williamliujl/CMExam)', license: 'Apache-2.0' },
] as const;

/** Records of every paragraph of the shipped files in `dataDir` (`data/medical-text`). */
export async function corpusRecords(dataDir: string): Promise<CorpusRecord[]> {
  const out: CorpusRecord[] = [];
  for (const s of CORPUS_SOURCES) {
    const path = join(dataDir, s.file);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      throw new RunDirectoryError(dataDir, `cannot read the shipped corpus file ${s.file} (${(error as Error).message})`);
    }
    const paragraphs = text.split(/\n\s*\n/).map((p) => p.trim()).filter((p) => p !== '');
    paragraphs.forEach((p, i) => {
      out.push({
        id: `${s.prefix}-${i + 1}`,
        text: p,
        source: `${s.dataset}, shipped record ${i + 1} of ${s.file}`,
        title: titleOf(p, s.language),
        language: s.language,
        license: s.license,
      });
    });
  }
  return out;
}

/** The first words of a paragraph (8 English words, or 16 characters of Chinese). */
function titleOf(text: string, language: 'en' | 'zh'): string {
  if (language === 'zh') return text.length > 16 ? `${text.slice(0, 16)}…` : text;
  const words = text.split(/\s+/);
  return words.length > 8 ? `${words.slice(0, 8).join(' ')}…` : text;
}
