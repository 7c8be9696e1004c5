import { buildMedicalKg } from './src/kg/build';
import { generateTasks, splitByEntity, checkLeakage } from './src/tasks';
const t0 = performance.now();
const { kg } = await buildMedicalKg({ dir: '/work/shared/data/kg' });
console.log('kg', kg.stats().entities, ((performance.now() - t0) / 1000).toFixed(1), 's', process.memoryUsage().rss >> 20, 'MB');
for (const language of ['en', 'zh'] as const) {
  const t1 = performance.now();
  const s = generateTasks(kg, { countPerTask: 200, seed: 1, language });
  const counts: Record<string, number> = {};
  for (const x of s) counts[x.task] = (counts[x.task] ?? 0) + 1;
  console.log(language, s.length, ((performance.now() - t1) / 1000).toFixed(1), 's', JSON.stringify(counts));
}
const split = splitByEntity(kg, { seed: 1 });
const t2 = performance.now();
const train = generateTasks(kg, { countPerTask: 200, seed: 2, split: { entitySplit: split, name: 'train' } });
const test = generateTasks(kg, { countPerTask: 100, seed: 2, split: { entitySplit: split, name: 'test' } });
const r = checkLeakage(test, train, { graph: kg });
console.log('split', train.length, test.length, 'leaks', r.leaks.length, ((performance.now() - t2) / 1000).toFixed(1), 's');
