import { describe, expect, it } from 'vitest';
import { IssueCollector, KnowledgeGraph, LoadError, loadObo, readOboTerms, splitLines } from '../../src/kg/index';

const OBO = `format-version: 1.2
ontology: doid

[Term]
id: DOID:9351
name: diabetes mellitus
def: "A glucose metabolism disease characterized by \\"high\\" blood glucose." [url:http\\://example.org]
synonym: "DM" EXACT ABBREVIATION []
xref: ICD10CM:E08-E13
is_a: DOID:4 ! disease

[Term]
id: DOID:9352
name: type 2 diabetes mellitus
alt_id: DOID:11716x
synonym: "NIDDM" EXACT []
synonym: "adult-onset diabetes" RELATED [SNOMEDCT:123]
synonym: "maturity diabetes" NARROW []
synonym: "broken" SIDEWAYS []
synonym: no quotes EXACT []
xref: ICD10CM:E11 {source="x"}
xref: MESH:D003924 "Diabetes Mellitus, Type 2"
xref: 611644
is_a: DOID:9351 ! diabetes mellitus
this line has no colon

[Term]
name: nameless id

[Term]
id: DOID:1
name: old disease
is_obsolete: true

[Typedef]
id: has_symptom
name: has_symptom

[Term]
id: DOID:4
name: disease
`;

describe('OBO loader', () => {
  it('parses terms, synonyms by scope, xrefs, is_a, escapes and comments', async () => {
    const issues = new IssueCollector('t.obo');
    const terms = [];
    for await (const t of readOboTerms(splitLines(OBO), issues)) terms.push(t);
    expect(terms.map((t) => t.id)).toEqual(['DOID:9351', 'DOID:9352', 'DOID:1', 'DOID:4']);
    const [dm, t2] = terms;
    expect(dm!.def).toBe('A glucose metabolism disease characterized by "high" blood glucose.');
    expect(dm!.defXrefs).toEqual(['url:http://example.org']);
    expect(dm!.synonyms).toEqual([{ text: 'DM', scope: 'EXACT', type: 'ABBREVIATION', xrefs: [] }]);
    expect(dm!.isA).toEqual(['DOID:4']);
    expect(t2!.synonyms.map((s) => [s.text, s.scope])).toEqual([
      ['NIDDM', 'EXACT'],
      ['adult-onset diabetes', 'RELATED'],
      ['maturity diabetes', 'NARROW'],
    ]);
    expect(t2!.xrefs).toEqual([
      { system: 'ICD10CM', code: 'E11' },
      { system: 'MESH', code: 'D003924' },
    ]);
    expect(t2!.altIds).toEqual(['DOID:11716x']);
    expect(terms[2]!.obsolete).toBe(true);
  });

  it('reports malformed lines with the right line numbers', async () => {
    const kg = new KnowledgeGraph();
    const r = await loadObo(kg, splitLines(OBO), { file: 't.obo' });
    expect(r.issues.map((i) => [i.line, i.message.slice(0, 24)])).toEqual([
      [19, 'synonym scope must be EX'],
      [20, 'synonym: value must star'],
      [23, 'xref: expected SYSTEM:CO'],
      [25, 'expected "tag: value", g'],
      [27, '[Term] stanza has no id:'],
    ]);
    expect(r.issues.every((i) => i.file === 't.obo')).toBe(true);
    expect(r.skipped).toBe(1); // the obsolete term
    expect(r.entities).toBe(3);
    expect(kg.has('DOID:1')).toBe(false);
  });

  it('builds entities and triples; alt_id resolves', async () => {
    const kg = new KnowledgeGraph();
    await loadObo(kg, splitLines(OBO), { source: 'doid' });
    const t2 = kg.entity('DOID:11716x');
    expect(t2?.id).toBe('DOID:9352');
    expect(t2?.kind).toBe('disease');
    expect(t2?.synonyms).toEqual(['NIDDM', 'adult-onset diabetes']); // NARROW excluded by default
    expect(t2?.xrefs['ICD10CM']).toEqual(['E11']);
    expect(kg.ancestors('DOID:9352')).toEqual(['DOID:9351', 'DOID:4']);
    expect(kg.triples({ subject: 'DOID:9352', predicate: 'icd10_code' }).map((t) => t.object)).toEqual(['E11']);
    // the block range xref is kept on the entity but is not a code triple
    expect(kg.entity('DOID:9351')?.xrefs['ICD10CM']).toEqual(['E08-E13']);
    expect(kg.triples({ subject: 'DOID:9351', predicate: 'icd10_code' })).toEqual([]);
    expect(kg.triples({ subject: 'DOID:9352', predicate: 'synonym' }).map((t) => t.object)).toEqual(['NIDDM', 'adult-onset diabetes']);
    expect(kg.triples({ subject: 'DOID:9352' }).every((t) => t.source === 'doid' && t.authority === 'A')).toBe(true);
  });

  it('strict mode throws LoadError with file and line', async () => {
    const kg = new KnowledgeGraph();
    await expect(loadObo(kg, splitLines(OBO), { file: 't.obo', strict: true })).rejects.toMatchObject({ name: 'LoadError', file: 't.obo', line: 19 });
    await expect(loadObo(new KnowledgeGraph(), splitLines(OBO), { strict: true })).rejects.toBeInstanceOf(LoadError);
  });

  it('reports duplicate ids and terms without a name', async () => {
    const r = await loadObo(new KnowledgeGraph(), splitLines('[Term]\nid: X:1\nname: a\n\n[Term]\nid: X:1\nname: b\n\n[Term]\nid: X:2\n[Term\nid: X:3\nname: c\n'));
    expect(r.issues.map((i) => [i.line, i.message])).toEqual([
      [5, 'duplicate term id X:1'],
      [9, 'term X:2 has no name: tag'],
      [11, 'malformed stanza header "[Term"'],
    ]);
  });
});
