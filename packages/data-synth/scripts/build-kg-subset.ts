/**
 * Extract the small, coherent, attributed knowledge-graph subset shipped in `data/kg-subset/` (and
 * `data/pubmedqa-subset.json`) from the full sources in `../shared/data` (not available to users).
 *
 *   pnpm exec tsx --conditions=@quarkmed/source packages/data-synth/scripts/build-kg-subset.ts [sharedDataDir] [seed]
 *
 * Selection (deterministic for a seed):
 * - all PharmacotherapyDB diseases, plus a seeded sample of diseases that have symptoms and an ICD-10-CM xref,
 *   plus up to 2 siblings each (distractors), then all their `is_a` ancestors (closure);
 * - the ICD-10-CM codes they map to, those codes' ancestors, and up to 5 nearest siblings per code;
 * - their disease–symptom pairs and the symptoms (with ancestors) from the Symptom Ontology;
 * - all PharmacotherapyDB indications (its 97 diseases are all kept);
 * - ICD-10 Chinese names of the 3-character categories in the subset; the whole chapter tables;
 * - a seeded sample of PubMedQA PQA-L questions.
 * Files keep their original formats, so the package's loaders read the subset exactly like the full data.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IssueCollector } from '../src/kg/errors';
import { normalizeIcd10 } from '../src/kg/codes';
import { readOboTerms, type OboTerm } from '../src/kg/obo';
import { fileInput } from '../src/node/file-input';
import { mulberry32, sample, shuffle } from '../src/random';

const here = dirname(fileURLToPath(import.meta.url));
const shared = process.argv[2] ?? join(here, '../../../../shared/data');
const seed = Number(process.argv[3] ?? 20240601);
const outDir = join(here, '../data/kg-subset');
const kgDir = join(shared, 'kg');
if (!existsSync(kgDir)) {
  console.error(`build-kg-subset: ${kgDir} not found`);
  process.exit(1);
}
mkdirSync(outDir, { recursive: true });
const rand = mulberry32(seed);

const P = {
  doid: join(kgDir, 'disease_ontology/doid_2016-09-01_full.obo'),
  symp: join(kgDir, 'kg_triples/symp.obo'),
  ds: join(kgDir, 'disease_ontology/disease-symptom.tsv'),
  pdb: join(kgDir, 'kg_triples/pharmacotherapydb_indications.tsv'),
  icd: join(kgDir, 'icd10cm/icd10cm_order_FY2022.tsv'),
  chapters: join(kgDir, 'icd10cm/icd10cm_chapters.tsv'),
  cn: join(kgDir, 'icd10_cn/disease.csv'),
  cnCat: join(kgDir, 'icd10_cn/disease_catalog.csv'),
  pqa: join(shared, 'pubmedqa/pqal_dev500.json'),
};

async function terms(file: string): Promise<Map<string, OboTerm>> {
  const m = new Map<string, OboTerm>();
  for await (const t of readOboTerms(fileInput(file), new IssueCollector(file))) m.set(t.id, t);
  return m;
}
function tsvRows(file: string): { header: string; rows: string[][]; lines: string[] } {
  const lines = readFileSync(file, 'utf8').replace(/^\uFEFF/, '').split(/\r?\n/).filter((l) => l.length > 0);
  return { header: lines[0] as string, rows: lines.slice(1).map((l) => l.split('\t')), lines: lines.slice(1) };
}
function closure(start: Iterable<string>, parents: (id: string) => string[]): Set<string> {
  const out = new Set<string>(start);
  const stack = [...out];
  while (stack.length) {
    for (const p of parents(stack.pop() as string)) {
      if (out.has(p)) continue;
      out.add(p);
      stack.push(p);
    }
  }
  return out;
}
/** Raw `[Term]` stanzas of the selected ids, with the file header (Typedefs dropped). */
function oboSubset(file: string, keep: Set<string>): string {
  const text = readFileSync(file, 'utf8');
  const parts = text.split(/\n(?=\[)/);
  const header = (parts[0] as string).trimEnd();
  const kept = parts.slice(1).filter((p) => {
    if (!p.startsWith('[Term]')) return false;
    const id = /\nid: (\S+)/.exec(p)?.[1];
    return id !== undefined && keep.has(id);
  });
  return `${header}\n\n${kept.map((p) => p.trimEnd()).join('\n\n')}\n`;
}

const doTerms = await terms(P.doid);
const live = (id: string): boolean => {
  const t = doTerms.get(id);
  return !!t && !t.obsolete && !!t.name;
};
const icdXrefs = (t: OboTerm): string[] => t.xrefs.filter((x) => x.system === 'ICD10CM' && /^[A-Z]\d[0-9A-Z](\.[0-9A-Z]{1,4})?$/.test(x.code)).map((x) => x.code);
const childrenOf = new Map<string, string[]>();
for (const t of doTerms.values()) if (live(t.id)) for (const p of t.isA) childrenOf.set(p, [...(childrenOf.get(p) ?? []), t.id]);

// 1. diseases
const pdb = tsvRows(P.pdb);
const pdbDiseases = new Set(pdb.rows.map((r) => r[0] as string).filter(live));
const ds = tsvRows(P.ds);
const symptomCount = new Map<string, number>();
for (const r of ds.rows) symptomCount.set(r[0] as string, (symptomCount.get(r[0] as string) ?? 0) + 1);
const withSymptoms = [...symptomCount.keys()].filter((id) => live(id) && (symptomCount.get(id) ?? 0) >= 2 && icdXrefs(doTerms.get(id) as OboTerm).length > 0).sort();
const core = new Set<string>(pdbDiseases);
for (const id of sample(withSymptoms, Math.max(0, 190 - core.size), rand)) core.add(id);
const withSiblings = new Set(core);
for (const id of [...core].sort()) {
  const sibs = new Set<string>();
  for (const p of doTerms.get(id)?.isA ?? []) for (const c of childrenOf.get(p) ?? []) if (c !== id) sibs.add(c);
  const ranked = shuffle([...sibs].sort(), rand).sort((a, b) => icdXrefs(doTerms.get(b) as OboTerm).length - icdXrefs(doTerms.get(a) as OboTerm).length);
  for (const s of ranked.slice(0, 2)) withSiblings.add(s);
}
const diseases = closure(withSiblings, (id) => (doTerms.get(id)?.isA ?? []).filter(live));
writeFileSync(join(outDir, 'doid.obo'), oboSubset(P.doid, diseases));

// 2. ICD-10-CM codes
const icd = tsvRows(P.icd);
const icdCodes = icd.rows.map((r) => r[1] as string);
const icdSet = new Set(icdCodes);
const icdParent = (c: string): string | undefined => {
  for (let k = c.length - 1; k >= 3; k--) if (icdSet.has(c.slice(0, k))) return c.slice(0, k);
  return undefined;
};
const icdChildren = new Map<string, string[]>();
const categories: string[] = [];
for (const c of icdCodes) {
  const p = icdParent(c);
  if (p) icdChildren.set(p, [...(icdChildren.get(p) ?? []), c]);
  else categories.push(c);
}
const wantedCodes = new Set<string>();
for (const id of diseases) for (const x of icdXrefs(doTerms.get(id) as OboTerm)) if (icdSet.has(normalizeIcd10(x))) wantedCodes.add(normalizeIcd10(x));
const keepCodes = new Set<string>();
for (const c of wantedCodes) {
  for (let p: string | undefined = c; p; p = icdParent(p)) keepCodes.add(p);
  const p = icdParent(c);
  const group = p ? (icdChildren.get(p) as string[]) : categories;
  const i = group.indexOf(c);
  for (const s of group.slice(Math.max(0, i - 2), i + 3)) keepCodes.add(s);
  for (const ch of (icdChildren.get(c) ?? []).slice(0, 5)) keepCodes.add(ch);
}
// every kept code needs its ancestors present for the hierarchy
for (const c of [...keepCodes]) for (let p = icdParent(c); p; p = icdParent(p)) keepCodes.add(p);
writeFileSync(join(outDir, 'icd10cm_order.tsv'), [icd.header, ...icd.lines.filter((_, i) => keepCodes.has(icdCodes[i] as string))].join('\n') + '\n');
writeFileSync(join(outDir, 'icd10cm_chapters.tsv'), readFileSync(P.chapters, 'utf8').replace(/\r\n/g, '\n')); // LF: no git line-ending surprises

// 3. symptoms
const dsKept = ds.lines.filter((_, i) => diseases.has(ds.rows[i]?.[0] as string));
writeFileSync(join(outDir, 'disease-symptom.tsv'), [ds.header, ...dsKept].join('\n') + '\n');
const sympTerms = await terms(P.symp);
const symptoms = closure(
  dsKept.map((l) => l.split('\t')[2] as string).filter((id) => sympTerms.has(id)),
  (id) => sympTerms.get(id)?.isA ?? [],
);
writeFileSync(join(outDir, 'symp.obo'), oboSubset(P.symp, symptoms));

// 4. drugs: all indications
writeFileSync(join(outDir, 'pharmacotherapydb_indications.tsv'), readFileSync(P.pdb));

// 5. Chinese names of the kept 3-character categories; the whole chapter/block catalogue
const cats = new Set([...keepCodes].map((c) => c.slice(0, 3)));
const cn = tsvRows(P.cn);
writeFileSync(join(outDir, 'icd10_cn_disease.tsv'), [cn.header, ...cn.lines.filter((_, i) => cats.has((cn.rows[i]?.[0] as string).replace(/[+*]/g, '')))].join('\n') + '\n');
writeFileSync(join(outDir, 'icd10_cn_catalog.tsv'), readFileSync(P.cnCat));

// 6. PubMedQA
const pqa = JSON.parse(readFileSync(P.pqa, 'utf8')) as Record<string, unknown>;
const pqaIds = sample(Object.keys(pqa).sort(), 200, rand).sort();
writeFileSync(join(here, '../data/pubmedqa-subset.json'), JSON.stringify(Object.fromEntries(pqaIds.map((k) => [k, pqa[k]]))) + '\n');

// manifest
const files = ['doid.obo', 'symp.obo', 'icd10cm_order.tsv', 'icd10cm_chapters.tsv', 'disease-symptom.tsv', 'pharmacotherapydb_indications.tsv', 'icd10_cn_disease.tsv', 'icd10_cn_catalog.tsv'];
const manifest = {
  seed,
  generatedBy: 'packages/data-synth/scripts/build-kg-subset.ts',
  counts: { diseases: diseases.size, coreDiseases: core.size, icd10cmCodes: keepCodes.size, symptoms: symptoms.size, diseaseSymptomPairs: dsKept.length, pubmedqa: pqaIds.length },
  files: Object.fromEntries(
    [...files.map((f) => [f, join(outDir, f)] as const), ['../pubmedqa-subset.json', join(here, '../data/pubmedqa-subset.json')] as const].map(([f, p]) => {
      const buf = readFileSync(p);
      return [f, { bytes: buf.length, sha256: createHash('sha256').update(buf).digest('hex') }];
    }),
  ),
};
writeFileSync(join(outDir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
console.log(JSON.stringify(manifest, null, 2));
