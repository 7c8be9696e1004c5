import { extractQuantity as N } from '../src/rules/numeric';
import { extractQuantity as O } from './old/rules/numeric';
import { parseQuantityAt as PN } from '../src/rules/numeric';
import { parseQuantityAt as PO } from './old/rules/numeric';
const filler = 'The patient is a 54-year-old man with a history of hypertension and diabetes; renal function is preserved, so dose adjustment is not required. ';
const xs = Array.from({ length: 500 }, (_, i) => `${filler.repeat(1 + (i % 3))}\nAnswer: ${(i * 0.37).toFixed(2)} mg`);
function t(name: string, f: (s: string) => unknown) {
  for (let k = 0; k < 3; k++) { const t0 = performance.now(); for (let r = 0; r < 40; r++) for (const x of xs) f(x); if (k == 2) console.log(name, ((40 * xs.length) / (performance.now() - t0) * 1000).toFixed(0)); }
}
t('new', (s) => N(s)); t('old', (s) => O(s));
t('pnew', (s) => PN('12.5 mg', 0)); t('pold', (s) => PO('12.5 mg', 0));
const re1 = /(["'](?:answer|final_answer|value|result|答案)["']\s*:)|(\\boxed\s*\{)|((?:剂量|用量|总量|日剂量|数值|速率|滴速|输注速度|速度|浓度|清除率|体重指数|计算值)\s*(?:约为|应为|应是|为|是|约|等于|:)|约为|应为|等于|即为)|\bfinal\s+answer\b|\banswer\b\s*(?:is\b|would\s+be\b|:|=|-)|\b(?:result|dose|total|value)\s+(?:is|would\s+be|=|:)|(?:最终)?答案|结果[为是]?|≈|=/gi;
const re0 = /(["'](?:answer|final_answer|value|result|答案)["']\s*:)|(\\boxed\s*\{)|\bfinal\s+answer\b|\banswer\b\s*(?:is\b|would\s+be\b|:|=|-)|\b(?:result|dose|total|value)\s+(?:is|would\s+be|=|:)|(?:最终)?答案|结果[为是]?|≈|=/gi;
for (const [n, re] of [['re-new', re1], ['re-old', re0]] as const) t(n, (s) => { re.lastIndex = 0; while (re.exec(s)); });
