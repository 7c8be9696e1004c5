/**
 * The input shapes that cost the rule verifiers the most per megabyte (floods of cues, openers and quote
 * marks), shared by the linear-time test and `pnpm bench verifier`.
 */
export const WORST_SHAPES: ReadonlyArray<readonly [name: string, unit: string]> = [
  ['chinese cues', '答案选'],
  ['chinese cues with colon', '答案：选'],
  ['answer cues', 'answer: '],
  ['blockquote lines', '>\n'],
  ['open brackets', '['],
  ['open objects', '{"a":'],
  ['boxed', '\\boxed{'],
  ['quotes', '"a '],
  ['option lines', 'A. x\nB. y\n'],
  ['numbers and ranges', '1-2 or 3, '],
];

/** `unit` repeated to exactly `bytes` UTF-16 code units. */
export function fillShape(unit: string, bytes: number): string {
  return unit.repeat(Math.ceil(bytes / unit.length)).slice(0, bytes);
}
