/**
 * Verifier data without the file system (the main entry) and with it (the node entry): a typed error before
 * anything is loaded, loading the shipped files through fetch (default locations and a real HTTP server),
 * handing over bytes, every bad input named, and the Node reader.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Icd10CodeList } from '../../src/icd10/code-list';
import {
  ICD10_DATA_FILES,
  VerifierDataError,
  clearVerifierData,
  hasVerifierData,
  loadShippedVerifierData,
  provideVerifierData,
  readDataText,
} from '../../src/icd10/data-files';
import { Icd10Verifier } from '../../src/icd10/icd10-verifier';
import { readVerifierDataFile, useShippedVerifierData, verifierDataPath } from '../../src/node/index';
import { setVerifierDataReader } from '../../src/icd10/data-files';

const DATA = fileURLToPath(new URL('../../data/', import.meta.url));
const bytes = (name: string): Uint8Array => new Uint8Array(readFileSync(DATA + name));
/** A fetch over file: URLs, recording what was asked. */
function fileFetch(asked: string[]) {
  return async (url: URL): Promise<Response> => {
    asked.push(url.href);
    try {
      return new Response(readFileSync(fileURLToPath(url)));
    } catch {
      return new Response('not found', { status: 404 });
    }
  };
}

describe('verifier data in the main entry (no file system)', () => {
  it('says how to load the data when nothing is loaded', () => {
    clearVerifierData();
    setVerifierDataReader(undefined);
    expect(() => readDataText('icd10-chapters-blocks.tsv')).toThrow(VerifierDataError);
    expect(() => new Icd10CodeList()).toThrow(/icd10cm-fy2022.tsv.gz: is not loaded: in a browser `await loadShippedVerifierData\(\)`/);
    expect(() => readDataText('icd10-chapters-blocks.tsv', '/somewhere')).toThrow(/needs the file system: call useShippedVerifierData\(\)/);
  });

  it('loads the shipped files through fetch from the default location next to the module', async () => {
    clearVerifierData();
    const asked: string[] = [];
    await loadShippedVerifierData({ files: ICD10_DATA_FILES, fetch: fileFetch(asked) });
    // src/icd10/../data/ does not exist; src/icd10/../../data/ is the package's data/
    expect(asked[0]).toMatch(/\/src\/data\/icd10cm-fy2022\.tsv\.gz$/);
    expect(asked.slice(1).every((u) => /\/packages\/verifier\/data\//.test(u))).toBe(true);
    for (const f of ICD10_DATA_FILES) expect(hasVerifierData(f)).toBe(true);
    expect(hasVerifierData('do-subset.tsv.gz')).toBe(false);
    const list = new Icd10CodeList();
    expect(list.sizeCm).toBe(95524);
    expect(new Icd10Verifier({ codeList: list }).verify('Diagnosis: E11.9', 'E11.9')).toMatchObject({ reward: 1, verdict: 'correct' });
  });

  it('loads from a base URL over HTTP, and names the URL and status of a failed fetch', async () => {
    clearVerifierData();
    const server = createServer((req, res) => {
      const name = (req.url ?? '').replace(/^\/v\//, '');
      if (req.url?.startsWith('/v/') && /^[\w.-]+$/.test(name)) {
        try {
          res.writeHead(200).end(readFileSync(DATA + name));
        } catch {
          res.writeHead(404).end();
        }
      } else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      await loadShippedVerifierData({ baseUrl: `${base}/v`, files: ['icd10-chapters-blocks.tsv', 'do-subset.tsv.gz'] });
      expect(readDataText('icd10-chapters-blocks.tsv')).toBe(readFileSync(DATA + 'icd10-chapters-blocks.tsv', 'utf8'));
      expect(readDataText('do-subset.tsv.gz').startsWith('id\t')).toBe(true);
      await expect(loadShippedVerifierData({ baseUrl: `${base}/nowhere/`, files: ['icd10-chapters-blocks.tsv'] })).rejects.toThrow(
        new RegExp(`icd10-chapters-blocks.tsv: fetching ${base}/nowhere/icd10-chapters-blocks.tsv returned HTTP 404`),
      );
    } finally {
      await new Promise((r) => server.close(r));
    }
    await expect(loadShippedVerifierData({ files: [], fetch: fileFetch([]) })).rejects.toThrow(/at least one data file/);
    await expect(loadShippedVerifierData({ files: ['x.tsv' as never], fetch: fileFetch([]) })).rejects.toThrow(/x.tsv: not a verifier data file/);
  });

  it('takes bytes: gzip (inflated), already inflated, or text; rejects bad input by file name', async () => {
    clearVerifierData();
    const gz = bytes('icd10-who-categories-zh.tsv');
    const text = readFileSync(DATA + 'icd10-who-categories-zh.tsv', 'utf8');
    await provideVerifierData({ 'do-subset.tsv.gz': gzipSync(Buffer.from('id\tname\nDOID:1\tdisease\n')) });
    expect(readDataText('do-subset.tsv.gz')).toBe('id\tname\nDOID:1\tdisease\n');
    await provideVerifierData({ 'icd10-who-categories-zh.tsv': gz.buffer.slice(gz.byteOffset, gz.byteOffset + gz.byteLength) as ArrayBuffer });
    expect(readDataText('icd10-who-categories-zh.tsv')).toBe(text);
    await provideVerifierData({ 'do-subset.tsv.gz': 'id\tname\n' }); // a server may have removed the gzip layer
    expect(readDataText('do-subset.tsv.gz')).toBe('id\tname\n');
    const truncated = bytes('do-subset.tsv.gz').slice(0, 500);
    await expect(provideVerifierData({ 'do-subset.tsv.gz': truncated })).rejects.toThrow(/do-subset.tsv.gz: is not valid gzip data/);
    await expect(provideVerifierData({ 'icd10-chapters-blocks.tsv': new Uint8Array([0xff, 0xfe, 0x41]) })).rejects.toThrow(/icd10-chapters-blocks.tsv: is not valid UTF-8 text/);
    await expect(provideVerifierData({ 'icd10-chapters-blocks.tsv': '  \n' })).rejects.toThrow(/icd10-chapters-blocks.tsv: is empty/);
    await expect(provideVerifierData({ 'icd10-chapters-blocks.tsv': new Uint8Array([0x41, 0, 0x42]) })).rejects.toThrow(/holds binary data/);
    await expect(provideVerifierData({ 'icd10.tsv': 'x' } as never)).rejects.toThrow(/icd10.tsv: not a verifier data file; expected one of/);
    await expect(provideVerifierData({ 'icd10-chapters-blocks.tsv': 42 as never })).rejects.toThrow(/expected an ArrayBuffer, a typed array or a string/);
    // a failed call leaves what was loaded before
    expect(readDataText('do-subset.tsv.gz')).toBe('id\tname\n');
  });
});

describe('verifier data from disk (the node entry)', () => {
  it('reads the shipped files, and names missing files and directories', () => {
    clearVerifierData();
    expect(verifierDataPath('icd10cm-fy2022.tsv.gz')).toBe(DATA + 'icd10cm-fy2022.tsv.gz');
    expect(readVerifierDataFile('icd10-chapters-blocks.tsv').split('\n')[0]).toMatch(/^kind\t/);
    expect(() => verifierDataPath('missing.tsv')).toThrow(/missing.tsv: not found in /);
    expect(() => readVerifierDataFile('README.md', '/nonexistent-dir')).toThrow(VerifierDataError);
    expect(() => useShippedVerifierData({ dataDir: '/nonexistent-dir' })).toThrow(/options.dataDir "\/nonexistent-dir" is not an existing directory/);
    useShippedVerifierData();
    expect(new Icd10CodeList().sizeCm).toBe(95524);
    expect(() => new Icd10CodeList('/nonexistent-dir')).toThrow(/icd10cm-fy2022.tsv.gz: not found in \/nonexistent-dir/);
  });
});
