import { describe, expect, it } from 'vitest';
import { KnowledgeGraph, kgToJsonl, loadJsonl } from '../../src/kg/index';

describe('JSONL loader', () => {
  it('loads entities and triples and reports malformed lines', async () => {
    const lines = [
      '{"type":"entity","id":"DOID:1","kind":"disease","name":"disease"}',
      '{"id":"DOID:2","kind":"disease","name":"flu","synonyms":["influenza"],"xrefs":{"ICD10CM":["J11.1"]}}',
      '{"subject":"DOID:2","predicate":"is_a","object":"DOID:1","authority":"A","source":"x"}',
      '{not json',
      '',
      '{"subject":"DOID:2","predicate":"causes","object":"DOID:1"}',
      '{"subject":"DOID:2","predicate":"is_a","object":"DOID:1","authority":"F"}',
      '{"id":"DOID:3","kind":"virus","name":"v"}',
      '[1,2]',
      '{"type":"other"}',
    ];
    const kg = new KnowledgeGraph();
    const r = await loadJsonl(kg, lines, { file: 'kg.jsonl' });
    expect(r.entities).toBe(2);
    expect(r.triples).toBe(1);
    expect(r.issues.map((i) => i.line)).toEqual([4, 6, 7, 8, 9, 10]);
    expect(r.issues[1]?.message).toMatch(/predicate "causes"/);
    expect(kg.byXref('ICD10CM', 'J111').map((e) => e.id)).toEqual(['DOID:2']);
    expect(kg.bySynonym('Influenza').map((e) => e.id)).toEqual(['DOID:2']);
  });

  it('round-trips a graph', async () => {
    const kg = new KnowledgeGraph();
    kg.addEntity({ id: 'A', kind: 'disease', name: 'a', language: 'en', synonyms: ['aa'], xrefs: { MESH: ['D1'] }, names: { zh: ['甲'] }, attributes: { x: 1 } });
    kg.addEntity({ id: 'B', kind: 'disease', name: 'b', language: 'en', synonyms: [], xrefs: {} });
    kg.addTriple({ subject: 'A', predicate: 'is_a', object: 'B', source: 's', authority: 'B' });
    kg.addTriple({ subject: 'A', predicate: 'translation', object: '甲', objectIsLiteral: true, objectLanguage: 'zh', source: 's', authority: 'C' });
    const kg2 = new KnowledgeGraph();
    const r = await loadJsonl(kg2, [...kgToJsonl(kg)]);
    expect(r.issues).toEqual([]);
    expect(kg2.entities()).toEqual(kg.entities());
    expect(kg2.triples()).toEqual(kg.triples());
  });
});
