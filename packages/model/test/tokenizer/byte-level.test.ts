import { describe, expect, it } from 'vitest';
import { BYTE_TO_UNICODE, fromByteLevel, toByteLevel, toWellFormed, UNICODE_TO_BYTE } from '../../src/tokenizer/index';

describe('byte-level alphabet', () => {
  it('maps the 256 bytes to 256 distinct single characters, printable ASCII to itself', () => {
    expect(BYTE_TO_UNICODE).toHaveLength(256);
    expect(new Set(BYTE_TO_UNICODE).size).toBe(256);
    for (const ch of BYTE_TO_UNICODE) expect(ch.length).toBe(1);
    expect(BYTE_TO_UNICODE[0x41]).toBe('A');
    expect(BYTE_TO_UNICODE[0x20]).toBe('Ġ'); // GPT-2 space
    expect(BYTE_TO_UNICODE[0x0a]).toBe('Ċ'); // GPT-2 newline
    expect(BYTE_TO_UNICODE[0x00]).toBe('Ā');
    expect(BYTE_TO_UNICODE[0xad]).toBe('Ń'); // soft hyphen is remapped
    for (let b = 0; b < 256; b++) expect(UNICODE_TO_BYTE.get(BYTE_TO_UNICODE[b].charCodeAt(0))).toBe(b);
  });

  it('round-trips UTF-8 bytes through byte-level strings', () => {
    const s = '心 héllo 😀\n';
    const bl = toByteLevel(s);
    expect(bl).toBe('å¿ĥĠhÃ©lloĠðŁĺĢĊ');
    expect(new TextDecoder().decode(fromByteLevel(bl))).toBe(s);
  });

  it('toWellFormed replaces only lone surrogates', () => {
    expect(toWellFormed('a\uD800b')).toBe('a\uFFFDb');
    expect(toWellFormed('\uDC00x\uD83D')).toBe('\uFFFDx\uFFFD');
    expect(toWellFormed('😀')).toBe('😀');
  });
});
