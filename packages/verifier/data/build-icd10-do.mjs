// Rebuilds the ICD-10 / Disease Ontology subsets shipped in this folder from the raw sources in
// ../shared/data/kg (not shipped to users). Run from the repository root:
//   node packages/verifier/data/build-icd10-do.mjs [path/to/shared/data/kg]
// Deterministic: output depends only on the input files.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const kg = process.argv[2] ?? join(here, '../../../../shared/data/kg');
const clean = (s) => s.replace(/[\t\r\n]+/g, ' ').trim();
/** Atomic write (temp + rename): a reader never sees a half-written file. */
const writeAtomic = (path, data) => {
  writeFileSync(`${path}.tmp`, data);
  renameSync(`${path}.tmp`, path);
};
const gz = (name, text) => writeAtomic(join(here, name), gzipSync(Buffer.from(text, 'utf8'), { level: 9, mtime: 0 }));

// 1. ICD-10-CM FY2022: code<TAB>billable<TAB>long title, sorted by code.
const order = readFileSync(join(kg, 'icd10cm/icd10cm_order_FY2022.tsv'), 'utf8').split('\n').slice(1).filter(Boolean);
const cm = order.map((l) => l.split('\t')).map((f) => [f[1].trim(), f[2].trim(), clean(f[4])]);
cm.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
gz('icd10cm-fy2022.tsv.gz', cm.map((r) => r.join('\t')).join('\n') + '\n');

// 2. Chapters (ICD-10-CM, English) + blocks (ICD-10 WHO blocks, Chinese names from ICD-10-CN).
const chapters = readFileSync(join(kg, 'icd10cm/icd10cm_chapters.tsv'), 'utf8').split('\n').slice(1).filter(Boolean)
  .map((l) => l.split('\t')).map((f) => ['chapter', f[3], f[4], f[0], clean(f[2]), '']);
const catalog = readFileSync(join(kg, 'icd10_cn/disease_catalog.csv'), 'utf8').replace(/^\uFEFF/, '').split('\n').slice(1).filter(Boolean)
  .map((l) => l.split('\t'));
const chapterZh = new Map(catalog.filter((f) => f[2] === '1').map((f) => [f[0], clean(f[3])]));
for (const c of chapters) c[5] = chapterZh.get(c[1]) ?? '';
const blocks = catalog.filter((f) => f[2] === '2').map((f) => ['block', f[0].trim(), f[1].trim(), '', '', clean(f[3])]);
writeAtomic(join(here, 'icd10-chapters-blocks.tsv'),
  ['kind\tstart\tend\tchapter\ttitle_en\ttitle_zh', ...[...chapters, ...blocks].map((r) => r.join('\t'))].join('\n') + '\n');

// 3. ICD-10 (WHO, Chinese edition) 3-character categories with Chinese names.
const cn = readFileSync(join(kg, 'icd10_cn/disease.csv'), 'utf8').replace(/^\uFEFF/, '').split('\n').slice(1).filter(Boolean)
  .map((l) => l.split('\t')).map((f) => [f[0].trim().replace(/[+*†]+$/, ''), clean(f[1] ?? '')]).filter((f) => /^[A-Z][0-9][0-9A-Z]$/.test(f[0]));
cn.sort((a, b) => (a[0] < b[0] ? -1 : 1));
writeAtomic(join(here, 'icd10-who-categories-zh.tsv'), ['code\ttitle_zh', ...cn.map((r) => r.join('\t'))].join('\n') + '\n');

// 4. Disease Ontology subset: id, name, EXACT synonyms, is_a parents, ICD10CM xrefs (2016 OBO + current ICD10inDO).
const obo = readFileSync(join(kg, 'disease_ontology/doid_2016-09-01_full.obo'), 'utf8');
const terms = new Map();
for (const stanza of obo.split(/\n\[/).slice(1)) {
  if (!stanza.startsWith('Term]')) continue;
  const t = { id: '', name: '', syn: [], isA: [], icd: new Set(), obsolete: false };
  for (const line of stanza.split('\n')) {
    let m;
    if ((m = /^id: (DOID:\d+)/.exec(line))) t.id = m[1];
    else if ((m = /^name: (.*)$/.exec(line))) t.name = clean(m[1]);
    else if ((m = /^synonym: "(.*)" EXACT/.exec(line))) t.syn.push(clean(m[1].replace(/\\"/g, '"')));
    else if ((m = /^is_a: (DOID:\d+)/.exec(line))) t.isA.push(m[1]);
    else if ((m = /^xref: ICD10CM:([A-Z0-9.]+)/.exec(line))) t.icd.add(m[1].replace(/\.$/, ''));
    else if (/^is_obsolete: true/.test(line)) t.obsolete = true;
  }
  if (t.id && !t.obsolete) terms.set(t.id, t);
}
for (const l of readFileSync(join(kg, 'disease_ontology/ICD10inDO.tsv'), 'utf8').split('\n').slice(1)) {
  const m = /^"(DOID:\d+)"\t".*"\t"ICD10CM:([A-Z0-9.]+)"/.exec(l);
  if (m && terms.has(m[1])) terms.get(m[1]).icd.add(m[2].replace(/\.$/, ''));
}
const rows = [...terms.values()].sort((a, b) => (a.id < b.id ? -1 : 1))
  .map((t) => [t.id, t.name, t.syn.filter((s) => s && !s.includes('|')).join('|'), t.isA.filter((p) => terms.has(p)).join('|'), [...t.icd].sort().join('|')].join('\t'));
gz('do-subset.tsv.gz', ['id\tname\tsynonyms\tis_a\ticd10cm', ...rows].join('\n') + '\n');
console.log(`icd10cm ${cm.length}, chapters ${chapters.length}, blocks ${blocks.length}, who-zh ${cn.length}, do ${rows.length}`);
