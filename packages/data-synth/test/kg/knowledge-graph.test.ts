import { describe, expect, it } from 'vitest';
import { KnowledgeGraph, type Entity } from '../../src/kg/index';

const ent = (id: string, name: string, extra: Partial<Entity> = {}): Entity => ({ id, kind: 'disease', name, language: 'en', synonyms: [], xrefs: {}, ...extra });

function tree(): KnowledgeGraph {
  // disease ← {infection ← {flu, cold, covid}, cancer ← {lung cancer}}
  const kg = new KnowledgeGraph();
  for (const [id, name] of [['D:0', 'disease'], ['D:1', 'infection'], ['D:2', 'cancer'], ['D:3', 'Influenza'], ['D:4', 'common cold'], ['D:5', 'COVID-19'], ['D:6', 'lung cancer']] as const) kg.addEntity(ent(id, name));
  kg.addEntity({ id: 'S:1', kind: 'symptom', name: 'fever', language: 'en', synonyms: [], xrefs: {} });
  const isA = (s: string, o: string): boolean => kg.addTriple({ subject: s, predicate: 'is_a', object: o, source: 't', authority: 'A' });
  isA('D:1', 'D:0');
  isA('D:2', 'D:0');
  isA('D:3', 'D:1');
  isA('D:4', 'D:1');
  isA('D:5', 'D:1');
  isA('D:6', 'D:2');
  isA('S:1', 'D:1'); // a different kind under the same parent
  return kg;
}

describe('KnowledgeGraph', () => {
  it('answers hierarchy queries', () => {
    const kg = tree();
    expect(kg.parents('D:3')).toEqual(['D:1']);
    expect(kg.children('D:1')).toEqual(['D:3', 'D:4', 'D:5', 'S:1']);
    expect(kg.ancestors('D:3')).toEqual(['D:1', 'D:0']);
    expect(kg.ancestors('D:3', 1)).toEqual(['D:1']);
    expect(kg.descendants('D:0')).toEqual(['D:1', 'D:2', 'D:3', 'D:4', 'D:5', 'S:1', 'D:6']);
    expect(kg.siblings('D:3')).toEqual(['D:4', 'D:5']);
    expect(kg.siblings('D:3', { sameKind: false })).toEqual(['D:4', 'D:5', 'S:1']);
    expect(kg.siblings('D:6')).toEqual([]);
    expect(kg.siblings('D:0')).toEqual([]);
  });

  it('tolerates is_a cycles', () => {
    const kg = tree();
    kg.addTriple({ subject: 'D:0', predicate: 'is_a', object: 'D:3', source: 't', authority: 'A' });
    expect(kg.ancestors('D:3').sort()).toEqual(['D:0', 'D:1']);
  });

  it('merges entities, looks up names and synonyms case-insensitively', () => {
    const kg = tree();
    kg.addEntity(ent('D:3', 'flu', { synonyms: ['grippe', 'Influenza'], xrefs: { ICD10CM: ['J11.1'], mesh: ['D007251'] }, definition: 'a viral infection' }));
    const e = kg.entity('D:3');
    expect(e?.name).toBe('Influenza');
    expect(e?.synonyms).toEqual(['flu', 'grippe']); // the other preferred name first, 'Influenza' (= name) dropped
    expect(e?.definition).toBe('a viral infection');
    expect(kg.byName('INFLUENZA').map((x) => x.id)).toEqual(['D:3']);
    expect(kg.byName('  influenza ')).toHaveLength(1);
    expect(kg.bySynonym('Grippe').map((x) => x.id)).toEqual(['D:3']);
    expect(kg.findByName('FLU').map((x) => x.id)).toEqual(['D:3']);
    expect(kg.byName('nothing')).toEqual([]);
    expect(kg.byXref('MESH', 'd007251').map((x) => x.id)).toEqual(['D:3']);
    expect(kg.byXref('ICD10CM', 'J111').map((x) => x.id)).toEqual(['D:3']);
    expect(kg.entity('D:3')?.xrefs['ICD10CM']).toEqual(['J11.1']);
    kg.addXref('D:3', 'ICD10CM', 'J111'); // same code without the dot: not duplicated
    expect(kg.entity('D:3')?.xrefs['ICD10CM']).toEqual(['J11.1']);
  });

  it('filters and de-duplicates triples, validates input, counts stats', () => {
    const kg = tree();
    expect(kg.addTriple({ subject: 'D:3', predicate: 'is_a', object: 'D:1', source: 't', authority: 'A' })).toBe(false);
    kg.addTriple({ subject: 'D:3', predicate: 'has_symptom', object: 'S:1', source: 'ds', authority: 'C' });
    kg.addTriple({ subject: 'D:3', predicate: 'synonym', object: 'grippe', objectIsLiteral: true, source: 'do', authority: 'A' });
    expect(kg.triples({ subject: 'D:3' })).toHaveLength(3);
    expect(kg.triples({ subject: 'D:3', minAuthority: 'B' }).map((t) => t.predicate)).toEqual(['is_a', 'synonym']);
    expect(kg.triples({ predicate: ['has_symptom', 'synonym'] })).toHaveLength(2);
    expect(kg.triples({ object: 'grippe' }).map((t) => t.subject)).toEqual(['D:3']);
    expect(kg.triples({ object: 'S:1', predicate: 'has_symptom' })).toHaveLength(1);
    expect(() => kg.addTriple({ subject: 'a', predicate: 'causes' as never, object: 'b', source: 's', authority: 'A' })).toThrow(/unknown predicate "causes"/);
    expect(() => kg.addTriple({ subject: 'a', predicate: 'is_a', object: 'b', source: 's', authority: 'Z' as never })).toThrow(/authority/);
    expect(() => kg.addEntity(ent('', 'x'))).toThrow(/entity.id/);
    const s = kg.stats();
    expect(s).toMatchObject({ entities: 8, triples: 9, entitiesByKind: { disease: 7, symptom: 1 }, triplesByPredicate: { is_a: 7, has_symptom: 1, synonym: 1 }, triplesByAuthority: { A: 8, C: 1 } });
    expect(kg.entities('symptom').map((e) => e.id)).toEqual(['S:1']);
  });

  it('resolves aliases in entity(), triples and hierarchy', () => {
    const kg = tree();
    kg.addAlias('D:OLD', 'D:3');
    expect(kg.entity('D:OLD')?.name).toBe('Influenza');
    kg.addTriple({ subject: 'D:OLD', predicate: 'has_symptom', object: 'S:1', source: 's', authority: 'C' });
    expect(kg.triples({ subject: 'D:3', predicate: 'has_symptom' })).toHaveLength(1);
    expect(kg.parents('D:OLD')).toEqual(['D:1']);
  });
});
