/**
 * A small deterministic embedder for store tests: hashed character trigrams into `dimension` buckets (a real
 * lexical embedding, so nearest neighbours are meaningful), unit-normalised.
 */
import type { Embedder } from '../../src/types';

export class HashEmbedder implements Embedder {
  readonly normalized = true;
  calls = 0;
  constructor(readonly dimension = 32) {}

  embedOne(text: string): Float32Array {
    const v = new Float32Array(this.dimension);
    const t = ` ${text.toLowerCase()} `;
    for (let i = 0; i + 3 <= t.length; i++) {
      let h = 2166136261;
      for (let j = i; j < i + 3; j++) h = Math.imul(h ^ t.charCodeAt(j), 16777619);
      v[(h >>> 0) % this.dimension]! += 1;
    }
    let s = 0;
    for (const x of v) s += x * x;
    const inv = 1 / Math.sqrt(s || 1);
    return v.map((x) => x * inv);
  }

  async embedDocuments(texts: readonly string[]): Promise<Float32Array[]> {
    this.calls++;
    return Promise.resolve(texts.map((t) => this.embedOne(t)));
  }

  async embedQuery(text: string): Promise<Float32Array> {
    return Promise.resolve(this.embedOne(text));
  }
}

/** Brute-force cosine top-k in plain JavaScript (the reference for the tfjs matmul search). */
export function bruteForceTopK(query: Float32Array, rows: { id: string; v: Float32Array }[], k: number): { id: string; score: number }[] {
  const norm = (v: Float32Array): number => Math.sqrt(v.reduce((a, x) => a + x * x, 0)) || 1;
  const qn = norm(query);
  return rows
    .map((r) => ({ id: r.id, score: r.v.reduce((a, x, i) => a + x * query[i]!, 0) / (norm(r.v) * qn) }))
    .sort((a, b) => b.score - a.score)
    .slice(0, k);
}

export const MEDICAL_DOCS = [
  { id: 'htn', text: 'Hypertension is treated first with thiazide diuretics, ACE inhibitors or calcium channel blockers.', lang: 'en', authority: 'A' },
  { id: 'dm2', text: 'Metformin is the first-line drug for type 2 diabetes mellitus when renal function allows.', lang: 'en', authority: 'A' },
  { id: 'asthma', text: 'Inhaled corticosteroids control persistent asthma; short-acting beta agonists relieve symptoms.', lang: 'en', authority: 'B' },
  { id: 'cap', text: 'Community-acquired pneumonia in outpatients is treated with amoxicillin or a macrolide.', lang: 'en', authority: 'B' },
  { id: 'mi', text: 'Acute myocardial infarction needs aspirin, reperfusion therapy and a beta blocker.', lang: 'en', authority: 'C' },
  { id: 'gerd', text: 'Proton pump inhibitors heal erosive oesophagitis in gastro-oesophageal reflux disease.', lang: 'en', authority: 'D' },
  { id: 'zh-gxy', text: '高血压患者首选噻嗪类利尿剂、血管紧张素转换酶抑制剂或钙通道阻滞剂治疗。', lang: 'zh', authority: 'A' },
  { id: 'zh-tnb', text: '二甲双胍是2型糖尿病的一线治疗药物。', lang: 'zh', authority: 'B' },
  { id: 'zh-xc', text: '吸入性糖皮质激素是控制持续性哮喘的首选药物。', lang: 'zh', authority: 'C' },
];
