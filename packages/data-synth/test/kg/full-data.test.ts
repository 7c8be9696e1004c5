/**
 * Loads the full sources from ../shared/data (CI has them, users do not: skipped when absent) and checks the
 * memory bound of the streaming loaders.
 *
 * Stated bounds (Node 20, measured ~2.3 s and ~200 MB for everything on a 2-core machine):
 * - streaming the 95,524-row ICD-10-CM order file without keeping records: heap growth < 32 MB;
 * - streaming the full Disease Ontology (9,344 terms, 4 MB) without keeping terms: heap growth < 32 MB;
 * - building the whole graph (ICD-10-CM + DO + SYMP + pairs + indications + Chinese names, ~104k entities,
 *   ~128k triples): heap growth < 320 MB (the graph itself; ≈ 3 KB per entity with its indexes).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IssueCollector, readIcd10cmOrder, readOboTerms } from '../../src/kg/index';
import { buildMedicalKg, fileInput } from '../../src/node/index';

const KG_DIR = join(__dirname, '../../../../../shared/data/kg');
const have = existsSync(join(KG_DIR, 'icd10cm/icd10cm_order_FY2022.tsv'));
const MB = 1024 * 1024;

function heap(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed;
}

describe.skipIf(!have)('full shared data (../shared/data/kg)', () => {
  it('streams the whole ICD-10-CM order file in bounded memory', async () => {
    const h0 = heap();
    let peak = 0;
    let n = 0;
    let billable = 0;
    const t0 = performance.now();
    const issues = new IssueCollector('icd10cm');
    for await (const r of readIcd10cmOrder(fileInput(join(KG_DIR, 'icd10cm/icd10cm_order_FY2022.tsv')), issues)) {
      n++;
      if (r.billable) billable++;
      if (n % 5000 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed - h0);
    }
    const ms = performance.now() - t0;
    console.log(`ICD-10-CM stream: ${n} rows in ${ms.toFixed(0)} ms, peak heap growth ${(peak / MB).toFixed(1)} MB`);
    expect(n).toBe(95524);
    expect(billable).toBe(72748);
    expect(issues.issues).toEqual([]);
    expect(peak).toBeLessThan(32 * MB);
  });

  it('streams the whole Disease Ontology in bounded memory', async () => {
    const h0 = heap();
    let peak = 0;
    let n = 0;
    let syn = 0;
    const t0 = performance.now();
    const issues = new IssueCollector('doid');
    for await (const t of readOboTerms(fileInput(join(KG_DIR, 'disease_ontology/doid_2016-09-01_full.obo')), issues)) {
      n++;
      syn += t.synonyms.length;
      if (n % 1000 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed - h0);
    }
    console.log(`DO stream: ${n} terms in ${(performance.now() - t0).toFixed(0)} ms, peak heap growth ${(peak / MB).toFixed(1)} MB, issues ${issues.issues.length}`);
    expect(n).toBe(9344);
    expect(syn).toBe(15269);
    // the one real malformed line of this release: "xref: 611644" (no prefix)
    expect(issues.issues.map((i) => i.message)).toEqual(['xref: expected SYSTEM:CODE, got "611644"']);
    expect(peak).toBeLessThan(32 * MB);
  });

  it('builds the full graph within the stated bound and reports timings', async () => {
    const h0 = heap();
    const t0 = performance.now();
    const { kg, issues, results } = await buildMedicalKg({ dir: KG_DIR });
    const ms = performance.now() - t0;
    const growth = heap() - h0;
    const s = kg.stats();
    console.log(`full KG: ${s.entities} entities, ${s.triples} triples in ${ms.toFixed(0)} ms; heap growth ${(growth / MB).toFixed(0)} MB; ` + Object.entries(results).map(([k, r]) => `${k} ${r!.ms.toFixed(0)} ms`).join(', '));
    expect(s.entitiesByKind['code']).toBe(95524);
    expect(s.entitiesByKind['disease']).toBeGreaterThan(6900);
    expect(kg.byXref('ICD10CM', 'E119').map((e) => e.id)).toEqual(['ICD10CM:E11.9']);
    expect(issues.length).toBeLessThan(5);
    expect(issues[0]).toMatchObject({ line: 20822 });
    expect(growth).toBeLessThan(320 * MB);
  });
});
