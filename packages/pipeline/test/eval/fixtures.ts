/** Paths and readers of the shipped benchmark format samples (test helper). */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const SAMPLES = fileURLToPath(new URL('../fixtures/bench-samples/', import.meta.url));

export function samplePath(name: string): string {
  return `${SAMPLES}${name}`;
}

export function sampleText(name: string): string {
  return readFileSync(samplePath(name), 'utf8');
}

/** The JSON records of a JSON Lines sample. */
export function sampleLines(name: string): Record<string, unknown>[] {
  return sampleText(name)
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** JSON Lines of records. */
export function jsonl(records: readonly unknown[]): string {
  return records.map((r) => JSON.stringify(r)).join('\n') + '\n';
}
