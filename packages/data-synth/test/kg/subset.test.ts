import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { KnowledgeGraph, SOURCE_AUTHORITY, type BuildKgResult } from '../../src/kg/index';
import { buildMedicalKg, defaultKgSubsetDir } from '../../src/node/index';

describe('shipped KG subset (data/kg-subset)', () => {
  let res: BuildKgResult;
  let kg: KnowledgeGraph;
  beforeAll(async () => {
    res = await buildMedicalKg();
    kg = res.kg;
  });

  it('loads every source without issues', () => {
    expect(res.issues).toEqual([]);
    expect(res.missing).toEqual([]);
    const s = kg.stats();
    expect(s.entitiesByKind['disease']).toBeGreaterThan(250);
    expect(s.entitiesByKind['code']).toBeGreaterThan(1000);
    expect(s.entitiesByKind['drug']).toBe(601);
    expect(s.triplesByPredicate['treats']).toBe(755);
    expect(s.triplesByPredicate['symptomatic_relief']).toBe(390);
    expect(s.triplesByPredicate['not_indication']).toBe(243);
    expect(s.triplesByPredicate['has_symptom']).toBeGreaterThan(300);
    expect(s.triplesByPredicate['translation']).toBeGreaterThan(300);
  });

  it('carries authority per source', () => {
    expect(SOURCE_AUTHORITY).toMatchObject({ icd10cm: 'A', do: 'A', pharmacotherapydb: 'B', diseaseSymptom: 'C' });
    expect(new Set(kg.triples({ source: 'pharmacotherapydb' }).map((t) => t.authority))).toEqual(new Set(['B']));
    expect(new Set(kg.triples({ source: 'doid' }).map((t) => t.authority))).toEqual(new Set(['A']));
    expect(new Set(kg.triples({ predicate: 'has_symptom' }).map((t) => t.authority))).toEqual(new Set(['C']));
  });

  it('is coherent: ancestors, siblings for distractors, drugs, symptoms', () => {
    const t2dm = kg.entity('DOID:9352');
    expect(t2dm?.name).toBe('type 2 diabetes mellitus');
    expect(kg.ancestors('DOID:9352')).toContain('DOID:4'); // disease, the root
    for (const anc of kg.ancestors('DOID:9352')) expect(kg.has(anc)).toBe(true);
    // every disease's parents are in the subset (closure)
    for (const d of kg.entities('disease')) for (const p of kg.parents(d.id)) expect(kg.has(p), `${d.id} → ${p}`).toBe(true);
    // PharmacotherapyDB diseases all have at least 2 same-kind siblings or children to draw distractors from
    const treated = new Set(kg.triples({ predicate: 'treats' }).map((t) => t.object));
    const withSiblings = [...treated].filter((d) => kg.siblings(d).length >= 2);
    expect(withSiblings.length / treated.size).toBeGreaterThan(0.7);
    expect(kg.triples({ predicate: 'treats', object: 'DOID:9352' }).map((t) => kg.entity(t.subject)?.name)).toContain('Metformin');
    // tuberculosis siblings are other bacterial infectious diseases
    expect(kg.siblings('DOID:399').map((id) => kg.entity(id)?.name)).toContain('leprosy');
  });

  it('looks up ICD-10-CM codes with or without the dot, and DO xrefs', () => {
    expect(kg.entity('ICD10CM:E11')?.name).toBe('Type 2 diabetes mellitus');
    expect(kg.byXref('ICD10CM', 'E11').map((e) => e.id)).toContain('DOID:9352');
    const code = kg.entities('code').find((e) => e.id.includes('.') && e.attributes?.['billable'] === true)!;
    const undotted = code.id.slice('ICD10CM:'.length).replace('.', '');
    expect(kg.byXref('ICD10CM', undotted).map((e) => e.id)).toContain(code.id);
    expect(kg.ancestors(code.id).at(-1)).toMatch(/^ICD10CM_CHAPTER:\d+$/);
  });

  it('has Chinese names where the 3-character code matches', () => {
    expect(kg.entity('ICD10CM:A00')?.names?.zh ?? kg.entity('ICD10CM:E11')?.names?.zh).toBeDefined();
    expect(kg.entity('DOID:9352')?.names?.zh).toEqual(['非胰岛素依赖型糖尿病']);
    expect(kg.byName('非胰岛素依赖型糖尿病').map((e) => e.id)).toContain('DOID:9352');
    expect(kg.entity('ICD10CM_CHAPTER:1')?.names?.zh).toEqual(['某些传染病和寄生虫病']);
  });

  it('matches its manifest checksums and stays small', () => {
    const dir = defaultKgSubsetDir();
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { files: Record<string, { bytes: number; sha256: string }> };
    let total = 0;
    for (const [f, { bytes, sha256 }] of Object.entries(manifest.files)) {
      const buf = readFileSync(join(dir, f));
      expect(buf.length, f).toBe(bytes);
      expect(createHash('sha256').update(buf).digest('hex'), f).toBe(sha256);
      total += bytes;
    }
    expect(total).toBeLessThan(1.5e6);
    const pqa = JSON.parse(readFileSync(join(dir, '../pubmedqa-subset.json'), 'utf8')) as Record<string, { QUESTION: string; final_decision: string }>;
    expect(Object.keys(pqa)).toHaveLength(200);
    for (const q of Object.values(pqa)) expect(['yes', 'no', 'maybe']).toContain(q.final_decision);
  });

  it('requesting a missing source is an issue', async () => {
    const r = await buildMedicalKg({ dir: '/nonexistent', sources: ['do'] });
    expect(r.issues).toHaveLength(1);
    expect(r.issues[0]?.message).toMatch(/source do requested but its file was not found/);
    await expect(buildMedicalKg({ sources: ['nope' as never] })).rejects.toThrow(/unknown source "nope"/);
  });
});
