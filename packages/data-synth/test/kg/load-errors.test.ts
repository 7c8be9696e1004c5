/**
 * Every way a loader can fail to read its input is a typed LoadError naming the file and the line: a missing file, a
 * directory, invalid UTF-8 (strict and lenient mode alike: a file in another encoding is not a malformed line), an
 * unterminated quote (strict; lenient mode reports it as an issue at the same place).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataSynthError } from '../../src/error';
import {
  IssueCollector,
  KnowledgeGraph,
  KnowledgeGraphError,
  LoadError,
  LoadOptionsError,
  loadIcd10cm,
  loadJsonl,
  loadObo,
  loadPharmacotherapyDb,
  loadTriplesDelimited,
  readDelimited,
  readLines,
  type LineInput,
} from '../../src/kg/index';
import { buildMedicalKg, fileInput } from '../../src/node/index';

const root = mkdtempSync(join(tmpdir(), 'quarkmed-load-errors-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const enc = new TextEncoder();
const bytes = (...parts: Array<string | number[]>): Uint8Array => {
  const arrays = parts.map((p) => (typeof p === 'string' ? enc.encode(p) : Uint8Array.from(p)));
  const out = new Uint8Array(arrays.reduce((n, a) => n + a.length, 0));
  let o = 0;
  for (const a of arrays) {
    out.set(a, o);
    o += a.length;
  }
  return out;
};

/** An OBO file whose term name on line 6 holds a 0xFF byte (not UTF-8). */
const BAD_OBO = bytes('format-version: 1.2\n\n[Term]\nid: DOID:1\nname: ok\n\n[Term]\nid: DOID:2\nname: chol', [0xff], 'era\n');
const BAD_LINE = 9;

async function rejection(p: Promise<unknown>): Promise<LoadError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(LoadError);
  expect(e).toBeInstanceOf(DataSynthError);
  return e as LoadError;
}

describe('loader input errors are LoadErrors with the path and line', () => {
  it('a missing file names the path (every loader, and buildMedicalKg with an explicit path)', async () => {
    const missing = join(root, 'nope', 'doid.obo');
    for (const run of [
      () => loadObo(new KnowledgeGraph(), fileInput(missing)),
      () => loadJsonl(new KnowledgeGraph(), fileInput(missing)),
      () => loadIcd10cm(new KnowledgeGraph(), fileInput(missing)),
      () => loadPharmacotherapyDb(new KnowledgeGraph(), fileInput(missing)),
      () => buildMedicalKg({ dir: root, paths: { do: missing } }),
    ]) {
      const e = await rejection(run());
      expect(e).toMatchObject({ file: missing, line: 0 });
      expect(e.message).toBe(`${missing}:0: file not found`);
    }
  });

  it('a directory names the path', async () => {
    const dir = join(root, 'a-directory.tsv');
    mkdirSync(dir);
    const e = await rejection(loadTriplesDelimited(new KnowledgeGraph(), fileInput(dir), { columns: { subject: 's', object: 'o' }, predicate: 'is_a' }));
    expect(e).toMatchObject({ file: dir, line: 0 });
    expect(e.message).toMatch(/is a directory, not a file/);
  });

  it('invalid UTF-8 in an entity name throws in strict and in lenient mode, at its line and byte offset', async () => {
    const file = join(root, 'bad.obo');
    writeFileSync(file, BAD_OBO);
    for (const strict of [true, false]) {
      const kg = new KnowledgeGraph();
      const e = await rejection(loadObo(kg, fileInput(file), { strict }));
      expect(e).toMatchObject({ file, line: BAD_LINE });
      expect(e.message).toContain(`invalid UTF-8: byte 0xff at byte offset ${BAD_OBO.indexOf(0xff)}`);
      // nothing with a replacement character got into the graph
      expect(kg.entities().some((x) => x.name.includes('\uFFFD'))).toBe(false);
    }
  });

  it('finds the bad line when the invalid sequence straddles chunks, or is cut off at the end', async () => {
    // 霍 is E9 9C 8D; split it across chunks (valid), then a lone continuation byte on line 3.
    const good = bytes('a\n', [0xe9]);
    const rest = bytes([0x9c, 0x8d], '\nx', [0x8d], '\n');
    const stream = (chunks: Uint8Array[]): ReadableStream<Uint8Array> =>
      new ReadableStream({
        start(c) {
          for (const ch of chunks) c.enqueue(ch);
          c.close();
        },
      });
    const lines = async (input: LineInput, label?: string): Promise<string[]> => {
      const out: string[] = [];
      for await (const l of label === undefined ? readLines(input) : readLines(input, label)) out.push(l.text);
      return out;
    };
    const e = await rejection(lines(stream([good, rest]), 'chunks.txt'));
    expect(e).toMatchObject({ file: 'chunks.txt', line: 3 });
    expect(e.message).toContain('byte 0x8d at byte offset 7');
    expect(await lines(stream([good, bytes([0x9c, 0x8d], '\n')]))).toEqual(['a', '霍']);
    // an overlong encoding and a surrogate are invalid too
    await rejection(lines(bytes('x\n', [0xc0, 0xaf])));
    await rejection(lines(bytes([0xed, 0xa0, 0x80])));
    // a sequence cut off at the end of the input
    const cut = await rejection(lines({ name: 'cut.txt', bytes: stream([bytes('a\nb', [0xe9, 0x9c])]) }));
    expect(cut).toMatchObject({ file: 'cut.txt', line: 2 });
    expect(cut.message).toContain('truncated multi-byte sequence');
  });

  it('an unterminated quote: a LoadError at its line in strict mode, an issue at the same line otherwise', async () => {
    const file = join(root, 'open-quote.tsv');
    writeFileSync(file, 's\to\nX:1\tX:2\n"X:3\tX:4\nX:5\tX:6\n');
    const opts = { columns: { subject: 's', object: 'o' }, predicate: 'is_a' as const };
    const e = await rejection(loadTriplesDelimited(new KnowledgeGraph(), fileInput(file), { ...opts, strict: true }));
    expect(e).toMatchObject({ file, line: 3 });
    expect(e.message).toBe(`${file}:3: unterminated quoted field at end of file`);
    const kg = new KnowledgeGraph();
    const r = await loadTriplesDelimited(kg, fileInput(file), opts);
    expect(r.issues).toEqual([{ file, line: 3, message: 'unterminated quoted field at end of file' }]);
    expect(r.triples).toBe(1);
    expect(r.source).toBe('open-quote.tsv');
    // the bound: the rest of the file is not swallowed, the open record is reported with its span
    const issues = new IssueCollector('mem.tsv');
    const got: string[] = [];
    for await (const row of readDelimited(['s\to', '"a\tb', 'c\td', 'e\tf', 'g\th'], issues, { maxQuotedSpan: 8 })) got.push(row.fields['s']!);
    expect(issues.issues).toEqual([{ file: 'mem.tsv', line: 2, message: 'unterminated quoted field (over 8 characters, lines 2–3 skipped)' }]);
    expect(got).toEqual(['e', 'g']);
  });

  it('reads the same rows from text, lines, bytes, a stream and a file', async () => {
    const text = '\uFEFFdoid_id\tdrugbank_id\tdisease\tdrug\tcategory\nDOID:9352\tDB00331\t2 型糖尿病\tMetformin\tDM\r\nDOID:9352\tDB00945\tT2DM\tAspirin\tSYM\n';
    const file = join(root, 'ind.tsv');
    writeFileSync(file, text);
    const inputs: LineInput[] = [
      text,
      text.split('\n'),
      enc.encode(text),
      new Blob([text]).stream() as ReadableStream<Uint8Array>,
      (async function* () {
        const b = enc.encode(text);
        for (let i = 0; i < b.length; i += 3) yield b.subarray(i, i + 3);
      })(),
      fileInput(file),
    ];
    const results = [];
    for (const input of inputs) {
      const kg = new KnowledgeGraph();
      const r = await loadPharmacotherapyDb(kg, input);
      results.push([r.triples, r.issues.length, kg.entity('DOID:9352')?.name, kg.triples().map((t) => t.predicate).join()]);
    }
    // the BOM before the header is stripped (else doid_id would not be found), \r\n is one line end
    for (const r of results) expect(r).toEqual(results[0]);
    expect(results[0]).toEqual([2, 0, '2 型糖尿病', 'treats,symptomatic_relief']);
  });

  it('bad options and graph inputs are typed errors naming the option or field', async () => {
    const issues = new IssueCollector('x');
    const drain = async (o: object): Promise<unknown> => {
      for await (const _ of readDelimited(['a,b'], issues, o)) void _;
      return undefined;
    };
    await expect(drain({ delimiter: '' })).rejects.toMatchObject({ name: 'LoadOptionsError', option: 'delimiter' });
    await expect(drain({ delimiter: ',', quote: ',' })).rejects.toMatchObject({ name: 'LoadOptionsError', option: 'quote' });
    await expect(drain({ maxQuotedSpan: 0 })).rejects.toBeInstanceOf(LoadOptionsError);
    await expect(loadTriplesDelimited(new KnowledgeGraph(), ['a\tb'], { columns: { subject: 'a', object: 'b' } })).rejects.toMatchObject({ option: 'columns.predicate' });
    await expect(buildMedicalKg({ dir: root, sources: ['nope' as never] })).rejects.toBeInstanceOf(LoadOptionsError);
    await expect(loadObo(new KnowledgeGraph(), 42 as unknown as LineInput)).rejects.toBeInstanceOf(LoadError);
    await expect(loadObo(new KnowledgeGraph(), [1, 2] as unknown as LineInput)).rejects.toMatchObject({ name: 'LoadError', line: 1 });
    const kg = new KnowledgeGraph();
    expect(() => kg.addEntity({ id: '', kind: 'other', name: 'x', language: 'en', synonyms: [], xrefs: {} })).toThrow(KnowledgeGraphError);
    expect(() => kg.addTriple({ subject: 'a', predicate: 'nope' as never, object: 'b', source: 's', authority: 'A' })).toThrow(KnowledgeGraphError);
  });
});
