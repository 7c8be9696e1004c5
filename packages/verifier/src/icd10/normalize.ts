/**
 * Normalisation of ICD-10 / ICD-10-CM code strings: case, dots, spaces, full-width characters and
 * English/Chinese punctuation ("e11.9", "E11 9", "Ｅ１１．９", "E11。9", "E11·9" all become `E119`).
 *
 * @packageDocumentation
 */
import { VerifierError } from '../error';

/** Thrown by {@link parseIcd10Code} when a string is not shaped like an ICD-10 code. */
export class Icd10FormatError extends VerifierError {
  constructor(message: string) {
    super(message);
    this.name = 'Icd10FormatError';
  }
}

/** A code in canonical form. */
export interface NormalizedIcd10Code {
  /** Without dot, upper case: `E119`. */
  code: string;
  /** With the dot after the third character: `E11.9` (3-character codes have none). */
  dotted: string;
  /** The 3-character category: `E11`. */
  category: string;
}

/** Characters used as the decimal point of a code in English and Chinese text. */
export const CODE_DOT_CHARS = '.。．·・‧';
const DOTS_RE = /[.。．·・‧]/g;
const SHAPE_RE = /^[A-Z][0-9][0-9A-Z][0-9A-Z]{0,4}$/;

/**
 * Full-width letters/digits/punctuation to ASCII (NFKC), keeping the Chinese full stop `。` as is.
 *
 * @param text - any text
 * @returns the text in NFKC form
 */
export function toHalfWidth(text: string): string {
  return text.normalize('NFKC');
}

/**
 * Inserts the dot after the category: `E119` → `E11.9`; `E11` stays `E11`.
 *
 * @param code - a code without dot (as {@link normalizeIcd10Code} returns it)
 */
export function formatIcd10Code(code: string): string {
  return code.length > 3 ? `${code.slice(0, 3)}.${code.slice(3)}` : code;
}

/**
 * Canonical form of one code string, or `null` when it is not shaped like an ICD-10 code
 * (a letter, a digit, a digit or letter, then up to four letters/digits). Removes spaces and dots
 * (ASCII, full-width, Chinese `。`, middle dots), upper-cases, and drops a trailing `-` or `.-`
 * ("E11.-" means the category). Shape only: see {@link Icd10CodeList} for validity.
 *
 * @param raw - e.g. "e11.9", " E11 .9 ", "Ｅ１１．９"
 */
export function normalizeIcd10Code(raw: string): NormalizedIcd10Code | null {
  if (typeof raw !== 'string') return null;
  const s = toHalfWidth(raw).toUpperCase().replace(/\s+/g, '').replace(/[-–]+$/, '').replace(DOTS_RE, '');
  if (!SHAPE_RE.test(s)) return null;
  return { code: s, dotted: formatIcd10Code(s), category: s.slice(0, 3) };
}

/**
 * Like {@link normalizeIcd10Code} but throws.
 *
 * @param raw - the code string
 * @param argName - the argument name used in the error message (default "code")
 * @throws {@link Icd10FormatError} naming the argument and the value when it is not shaped like a code
 */
export function parseIcd10Code(raw: string, argName = 'code'): NormalizedIcd10Code {
  const n = normalizeIcd10Code(raw);
  if (!n) {
    throw new Icd10FormatError(
      `${argName}: ${JSON.stringify(raw)} is not an ICD-10 code (expected a letter, a digit, a digit or letter, then up to 4 characters, e.g. "E11.9")`,
    );
  }
  return n;
}
