/**
 * Reading a recipe configuration from an object, YAML or JSON text, with every problem reported by key path and file.
 *
 * @packageDocumentation
 */
import { parseDocument } from 'yaml';
import { RecipeConfigError } from './config-error';
import { recipeConfigSchema, type RecipeConfig } from './schema';

function pathOf(path: readonly PropertyKey[]): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p))).join('.').replace(/\.\[/g, '[');
}

/**
 * Validates a configuration object and fills every default.
 *
 * @param input - the configuration (`{}` or `undefined`: every default)
 * @param file - the file it came from, named in errors
 * @throws {@link RecipeConfigError} naming the file and the key path of every problem
 */
export function parseRecipeConfig(input: unknown, file?: string): RecipeConfig {
  const r = recipeConfigSchema.safeParse(input ?? {});
  if (r.success) return r.data;
  throw new RecipeConfigError(
    file,
    r.error.issues.map((i) => {
      let message = i.message;
      if (i.code === 'unrecognized_keys') message = `unknown key${i.keys.length > 1 ? 's' : ''} ${i.keys.map((k) => JSON.stringify(k)).join(', ')}`;
      return { path: pathOf(i.path), message };
    }),
  );
}

/**
 * Parses YAML (or JSON: YAML is a superset) configuration text into a plain object, without validating it.
 *
 * @throws {@link RecipeConfigError} for a syntax error or a duplicate key (with its line and column) or a document
 *   that is not a mapping
 */
export function parseConfigDocument(text: string, file?: string): Record<string, unknown> {
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new RecipeConfigError(
      file,
      doc.errors.map((e) => ({ path: '', message: `line ${e.linePos?.[0]?.line ?? '?'}, column ${e.linePos?.[0]?.col ?? '?'}: ${e.message.split('\n')[0]}` })),
    );
  }
  const value: unknown = doc.toJS() ?? {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new RecipeConfigError(file, [{ path: '', message: 'must be a mapping of keys' }]);
  return value as Record<string, unknown>;
}

/**
 * Parses and validates a YAML or JSON configuration text.
 *
 * @throws {@link RecipeConfigError} for a syntax error (with line and column) or an invalid config
 */
export function parseRecipeConfigText(text: string, file?: string): RecipeConfig {
  return parseRecipeConfig(parseConfigDocument(text, file), file);
}

/** Deep merge of plain objects (arrays and scalars of `over` replace those of `base`). */
export function mergeConfig(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] =
      v !== null && typeof v === 'object' && !Array.isArray(v) && b !== null && typeof b === 'object' && !Array.isArray(b)
        ? mergeConfig(b as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}
