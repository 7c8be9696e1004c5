/**
 * Format rewards: a required JSON schema and required sections, usable alone ({@link formatReward}) or added to
 * a task verifier with a weight ({@link withFormat}).
 *
 * Checks (reward = passed / total, verdict `correct` when all pass, `incorrect` when none, else `partial`):
 * - each required **section**: a tag `'<think>'` needs a `<think>…</think>` pair (opening before closing); a
 *   heading `'Diagnosis'` (or `'## Diagnosis'`) needs a line that is a markdown heading (`#…`), a bold line
 *   (`**Diagnosis**`) or starts with `Diagnosis:` (case-insensitive, `：` too);
 * - `ordered: true`: one more check, that the sections appear in the listed order;
 * - `schema`: two checks, that the answer part holds JSON (the last fenced block, else the last balanced
 *   `{…}`/`[…]` outside reasoning) that parses **strictly** with `JSON.parse`, and that it validates against the
 *   schema — a subset of JSON Schema: `type` (string, number, integer, boolean, object, array, null, or a list),
 *   `required`, `properties`, `enum`, `items`.
 *
 * @packageDocumentation
 */
import type { VerificationResult, Verifier, VerifyContext } from '../types';
import { stripReasoning } from './text';
import { expectObject, VerifierArgumentError } from '../argument-error';

/** The JSON Schema subset understood by {@link validateSchema}. */
export interface JsonSchema {
  type?: JsonType | readonly JsonType[];
  required?: readonly string[];
  properties?: Readonly<Record<string, JsonSchema>>;
  enum?: readonly unknown[];
  items?: JsonSchema;
}
/** JSON types of {@link JsonSchema.type}. */
export type JsonType = 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array' | 'null';

/** What {@link formatReward} checks. */
export interface FormatSpec {
  /** Required sections: tags like `'<think>'`, `'<answer>'`, or headings like `'Diagnosis'`. */
  sections?: readonly string[];
  /** Sections must appear in the listed order (one extra check). */
  ordered?: boolean;
  /** A JSON value validating against this schema must be present (outside reasoning). */
  schema?: JsonSchema;
}

function typeOf(v: unknown): JsonType {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v as JsonType;
}

/**
 * Validates `value` against the schema subset; returns the list of violations (empty when valid), each with a
 * JSON-pointer-like path.
 */
export function validateSchema(value: unknown, schema: JsonSchema, path = '$', depth = 0): string[] {
  const errors: string[] = [];
  if (depth > 32) return [`${path}: schema nesting too deep`];
  if (schema.type !== undefined) {
    const types = (Array.isArray(schema.type) ? schema.type : [schema.type]) as readonly JsonType[];
    const t = typeOf(value);
    const ok = types.includes(t) || (t === 'integer' && types.includes('number'));
    if (!ok) return [`${path}: expected ${types.join('|')}, got ${t}`];
  }
  if (schema.enum !== undefined && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
    errors.push(`${path}: ${JSON.stringify(value)?.slice(0, 40)} is not one of ${JSON.stringify(schema.enum).slice(0, 80)}`);
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const obj = value as Record<string, unknown>;
    for (const k of schema.required ?? []) if (!(k in obj)) errors.push(`${path}: missing required "${k}"`);
    for (const [k, sub] of Object.entries(schema.properties ?? {})) {
      if (k in obj) errors.push(...validateSchema(obj[k], sub, `${path}.${k}`, depth + 1));
    }
  }
  if (Array.isArray(value) && schema.items) {
    value.forEach((x, i) => errors.push(...validateSchema(x, schema.items!, `${path}[${i}]`, depth + 1)));
  }
  return errors;
}

/** The JSON text of the answer part: the last fenced block, else the last balanced `{…}`/`[…]`. */
export function findJsonText(text: string): string | null {
  // The last complete fenced block (indexOf walk: linear).
  let last: string | null = null;
  for (let open = text.indexOf('```'); open >= 0; ) {
    const nl = text.indexOf('\n', open + 3);
    if (nl < 0) break;
    const close = text.indexOf('```', nl + 1);
    if (close < 0) break;
    last = text.slice(nl + 1, close);
    open = text.indexOf('```', close + 3);
  }
  if (last !== null && /^\s*[{[]/.test(last)) return last.trim();
  // Last balanced top-level {…} or […] (string-aware), scanning once.
  let best: [number, number] | null = null;
  let depth = 0;
  let start = -1;
  let inStr = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inStr) {
      if (c === '\\') i++;
      else if (c === '"') inStr = false;
      continue;
    }
    if (depth > 0 && c === '"') inStr = true;
    else if (c === '{' || c === '[') {
      if (depth === 0) start = i;
      depth++;
    } else if ((c === '}' || c === ']') && depth > 0) {
      depth--;
      if (depth === 0) best = [start, i + 1];
    } else if (c === '\n' && depth > 0 && text[i + 1] === '\n' && !/[\s,{[\]}"]/.test(text[i + 2] ?? '')) {
      // a blank line followed by prose inside an unclosed bracket: abandon it
      depth = 0;
    }
  }
  return best ? text.slice(best[0], best[1]) : null;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Position of a required section in `text` (-1 if absent). */
function sectionAt(text: string, section: string): number {
  const tag = /^<\s*([A-Za-z][\w-]*)\s*>$/.exec(section.trim());
  if (tag) {
    const name = tag[1]!;
    const open = text.indexOf(`<${name}>`);
    if (open < 0) return -1;
    return text.indexOf(`</${name}>`, open) > open ? open : -1;
  }
  const title = section.replace(/^#+\s*/, '').trim();
  if (!title) return -1;
  const t = escapeRe(title);
  const re = new RegExp(`^[ \\t]{0,3}(?:#{1,6}[ \\t]+(?:\\*\\*)?${t}|\\*\\*${t}|${t}[ \\t]*(?:\\*\\*[ \\t]*)?[:：])`, 'im');
  const m = re.exec(text);
  return m ? m.index : -1;
}

/**
 * Scores the format of a completion (see the module documentation). Reward in [0, 1].
 *
 * @throws {@link VerifierArgumentError} naming `spec` when it requires nothing or is malformed (`spec.sections`, `spec.schema`).
 */
export function formatReward(completion: string, spec: FormatSpec): VerificationResult {
  expectObject(spec, 'spec', 'a format spec');
  if (spec.sections !== undefined && (!Array.isArray(spec.sections) || spec.sections.some((x) => typeof x !== 'string'))) {
    throw new VerifierArgumentError('spec.sections', `expected an array of section names, got ${JSON.stringify(spec.sections)?.slice(0, 60)}`);
  }
  if (spec.schema !== undefined) expectObject(spec.schema, 'spec.schema', 'a JSON schema');
  const sections = spec.sections ?? [];
  if (sections.length === 0 && !spec.schema) throw new VerifierArgumentError('spec', 'a format spec needs sections or a schema');
  const text = typeof completion === 'string' ? completion : '';
  const passed: string[] = [];
  const failed: string[] = [];
  const positions: number[] = [];
  for (const s of sections) {
    const pos = sectionAt(text, s);
    positions.push(pos);
    (pos >= 0 ? passed : failed).push(`section ${s}`);
  }
  if (spec.ordered && sections.length > 1) {
    const ok = positions.every((p, i) => p >= 0 && (i === 0 || p > positions[i - 1]!));
    (ok ? passed : failed).push('sections in order');
  }
  let schemaErrors: string[] = [];
  if (spec.schema) {
    const json = findJsonText(stripReasoning(text));
    let value: unknown;
    let parsed = false;
    if (json !== null) {
      try {
        value = JSON.parse(json);
        parsed = true;
      } catch {
        parsed = false;
      }
    }
    (parsed ? passed : failed).push('valid JSON');
    schemaErrors = parsed ? validateSchema(value, spec.schema) : ['no valid JSON'];
    (schemaErrors.length === 0 ? passed : failed).push('schema');
  }
  const total = passed.length + failed.length;
  const reward = passed.length / total;
  return {
    reward,
    verdict: reward === 1 ? 'correct' : reward === 0 ? 'incorrect' : 'partial',
    evidence: failed.length ? `failed: ${failed.join('; ')}${schemaErrors.length && spec.schema ? ` (${schemaErrors.slice(0, 3).join('; ')})` : ''}` : `all ${total} format checks pass`,
    source: 'rule',
    details: { passed, failed, schemaErrors },
  };
}

/** A task verifier: a {@link Verifier} or a plain function. */
export type VerifyFn<Ref> = (completion: string, reference: Ref, context?: VerifyContext) => VerificationResult | Promise<VerificationResult>;

/**
 * Adds a weighted format reward to a task verifier: reward = task.reward + weight × format.reward (so in
 * [0, 1 + weight]); the verdict and source are the task's; `details.task` and `details.format` keep both results.
 *
 * @param verifier - the task verifier.
 * @param formatCheck - a {@link FormatSpec} or a function scoring the format of a completion.
 * @param weight - the format weight (≥ 0).
 * @throws {@link VerifierArgumentError} naming `weight` when negative or not finite, `verifier` when it is not one, or
 *   the `spec` field at fault.
 */
export function withFormat<Ref>(
  verifier: Verifier<Ref> | VerifyFn<Ref>,
  formatCheck: FormatSpec | ((completion: string) => VerificationResult),
  weight: number,
): Verifier<Ref> {
  if (!(weight >= 0) || !Number.isFinite(weight)) throw new VerifierArgumentError('weight', `expected a finite number ≥ 0, got ${weight}`);
  if (typeof verifier !== 'function' && (verifier === null || typeof verifier !== 'object' || typeof verifier.verify !== 'function')) {
    throw new VerifierArgumentError('verifier', 'expected a Verifier or a verify function');
  }
  if (typeof formatCheck !== 'function') formatReward('', formatCheck); // validates the spec now, not at the first completion
  const task: VerifyFn<Ref> = typeof verifier === 'function' ? verifier : (c, r, ctx) => (ctx === undefined ? verifier.verify(c, r) : verifier.verify(c, r, ctx));
  const fmt = typeof formatCheck === 'function' ? formatCheck : (c: string) => formatReward(c, formatCheck);
  const combine = (t: VerificationResult, f: VerificationResult): VerificationResult => ({
    ...t,
    reward: t.reward + weight * f.reward,
    evidence: `${t.evidence} | format ${f.reward.toFixed(2)}×${weight}: ${f.evidence}`,
    details: { ...(t.details ?? {}), task: t, format: f, formatWeight: weight },
  });
  const name = typeof verifier === 'function' ? verifier.name || 'task' : verifier.name;
  return {
    name: `${name}+format`,
    verify(completion: string, reference: Ref, context?: VerifyContext) {
      const f = fmt(completion);
      const t = context === undefined ? task(completion, reference) : task(completion, reference, context);
      return t instanceof Promise ? t.then((r) => combine(r, f)) : combine(t, f);
    },
  };
}
