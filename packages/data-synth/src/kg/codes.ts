/**
 * Code normalisation for cross-references: ICD-10 / ICD-10-CM codes are compared without their dot and
 * upper-cased (`'e11.9'`, `'E11.9'` and `'E119'` are the same code).
 *
 * @packageDocumentation
 */

/** Systems whose codes are ICD-10 style (dot after the third character). */
export const ICD10_SYSTEMS: ReadonlySet<string> = new Set(['ICD10CM', 'ICD10', 'ICD10WHO', 'ICD10CN']);

/** Canonical system name: upper-cased, trimmed, `ICD-10-CM` → `ICD10CM`. */
export function normalizeSystem(system: string): string {
  return system.trim().toUpperCase().replace(/[-\s]/g, '');
}

/**
 * ICD-10 code without its dot, upper-cased and trimmed: `'e11.9'` → `'E119'`.
 *
 * @param code - a code with or without the dot.
 */
export function normalizeIcd10(code: string): string {
  return code.trim().toUpperCase().replace(/\./g, '');
}

/**
 * ICD-10 code in its display form, dot after the third character: `'E119'` → `'E11.9'`, `'E11'` → `'E11'`.
 *
 * @param code - a code with or without the dot.
 */
export function formatIcd10(code: string): string {
  const c = normalizeIcd10(code);
  return c.length > 3 ? `${c.slice(0, 3)}.${c.slice(3)}` : c;
}

/** True when `code` looks like an ICD-10(-CM) code (letter, digit, alnum, then up to 4 alphanumerics). */
export function isIcd10Like(code: string): boolean {
  return /^[A-Z][0-9][0-9A-Z](?:[0-9A-Z]{1,4})?$/.test(normalizeIcd10(code));
}

/** Normalised lookup key of a code in `system` (ICD-10 systems lose their dot; all codes are upper-cased). */
export function normalizeCode(system: string, code: string): string {
  const sys = normalizeSystem(system);
  return ICD10_SYSTEMS.has(sys) ? normalizeIcd10(code) : code.trim().toUpperCase();
}

/** The KG entity id of an ICD-10-CM code: `ICD10CM:E11.9`. */
export function icd10cmId(code: string): string {
  return `ICD10CM:${formatIcd10(code)}`;
}
