import { describe, expect, it } from 'vitest';
import { IssueCollector, KnowledgeGraph, loadTriplesDelimited, readDelimited, splitDelimited, splitLines } from '../../src/kg/index';

describe('delimited reader', () => {
  it('splits quoted CSV fields with delimiters and doubled quotes', () => {
    expect(splitDelimited('a,"b, c","say ""hi""",', ',')).toEqual(['a', 'b, c', 'say "hi"', '']);
    expect(splitDelimited('"DOID:1"\t"x"', '\t')).toEqual(['DOID:1', 'x']);
    expect(splitDelimited('"open, field', ',')).toBeUndefined();
  });

  it('reads rows by header, multi-line quoted fields, and reports bad rows at their line', async () => {
    const csv = ['id,label,parent', 'DOID:1,"disease, general",', 'DOID:2,"multi', 'line",DOID:1', 'DOID:3,too,many,fields', '', 'DOID:4,ok,DOID:1', 'DOID:5,"never closed,x'];
    const issues = new IssueCollector('t.csv');
    const rows = [];
    for await (const r of readDelimited(csv, issues)) rows.push(r);
    expect(rows.map((r) => [r.line, r.fields['id'], r.fields['label']])).toEqual([
      [2, 'DOID:1', 'disease, general'],
      [3, 'DOID:2', 'multi\nline'],
      [7, 'DOID:4', 'ok'],
    ]);
    expect(issues.issues).toEqual([
      { file: 't.csv', line: 5, message: 'expected 3 fields (id, label, parent), got 4' },
      { file: 't.csv', line: 8, message: 'unterminated quoted field at end of file' },
    ]);
  });

  it('loads triples with a column mapping, predicate map and per-row authority', async () => {
    const kg = new KnowledgeGraph();
    const tsv = splitLines('s\tp\to\tsn\ton\tauth\nX:1\tsub\tX:2\tchild\tparent\tA\nX:3\tbogus\tX:2\tc3\tparent\tA\nX:4\tsub\tX:2\tc4\tparent\tZ\nX:5\tskip\tX:2\tc5\tparent\tB\n\tsub\tX:2\t\t\tA\n');
    const r = await loadTriplesDelimited(kg, tsv, {
      file: 'rel.tsv',
      source: 'test',
      columns: { subject: 's', predicate: 'p', object: 'o', subjectName: 'sn', objectName: 'on', authority: 'auth' },
      predicateMap: { sub: 'is_a', skip: null },
      subjectKind: 'disease',
      objectKind: 'disease',
    });
    expect(r.triples).toBe(1);
    expect(r.skipped).toBe(1);
    expect(r.issues.map((i) => [i.line, i.message])).toEqual([
      [3, 'unknown predicate "bogus" in column p'],
      [4, 'authority must be A–E, got "Z"'],
      [6, 'empty subject (s)'],
    ]);
    expect(kg.parents('X:1')).toEqual(['X:2']);
    expect(kg.entity('X:2')?.name).toBe('parent');
    expect(kg.triples({ predicate: 'is_a' })[0]).toEqual({ subject: 'X:1', predicate: 'is_a', object: 'X:2', source: 'test', authority: 'A' });
  });

  it('reports header columns that are missing', async () => {
    const r = await loadTriplesDelimited(new KnowledgeGraph(), ['a\tb', '1\t2'], { columns: { subject: 'a', object: 'zzz' }, predicate: 'is_a' });
    expect(r.issues[0]?.message).toMatch(/columns zzz not in header/);
  });
});
