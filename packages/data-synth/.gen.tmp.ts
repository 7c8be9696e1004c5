import { readFileSync } from 'node:fs';
import { buildMedicalKg } from './src/kg/build';
import { generateTasks, builtinRegistry } from './src/tasks';
const { kg } = await buildMedicalKg();
const pubmedqa = JSON.parse(readFileSync('data/pubmedqa-subset.json', 'utf8'));
for (const language of ['en', 'zh'] as const) {
  const t0 = performance.now();
  const s = generateTasks(kg, { countPerTask: 1000, seed: 1, language, pubmedqa });
  const counts: Record<string, number> = {};
  for (const x of s) counts[x.task] = (counts[x.task] ?? 0) + 1;
  console.log(language, s.length, (performance.now() - t0).toFixed(0), 'ms', JSON.stringify(counts));
  const missing = builtinRegistry().list().filter(d => d.languages.includes(language) && !counts[d.name]).map(d => d.name);
  console.log('missing', missing);
  const seen = new Set<string>();
  for (const x of s) { if (seen.has(x.task)) continue; seen.add(x.task); console.log('-----', x.id, JSON.stringify(x.reference)); for (const m of x.messages) console.log(`[${m.role}] ${m.content.slice(0, 400)}`); }
}
