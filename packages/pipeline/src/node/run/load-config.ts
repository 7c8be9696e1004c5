/**
 * Loading a recipe configuration file (YAML or JSON) under a named scale.
 *
 * @packageDocumentation
 */
import { readFile } from 'node:fs/promises';
import { RecipeConfigError } from '../../config/config-error';
import { parseConfigDocument, parseRecipeConfig } from '../../config/parse';
import { withScale } from '../../config/scales';
import type { RecipeConfig } from '../../config/schema';

/**
 * The configuration of `file` (none: every default) over the overrides of `scale` (default `quickstart`), with
 * `overrides` (e.g. command-line options) applied last.
 *
 * @throws {@link index.RecipeConfigError | RecipeConfigError} naming the file and the key path (or the line of a syntax error)
 */
export async function loadRecipeConfig(file: string | undefined, scale = 'quickstart', overrides: Record<string, unknown> = {}): Promise<RecipeConfig> {
  let input: unknown = {};
  if (file !== undefined) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      throw new RecipeConfigError(file, [{ path: '', message: `cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` }]);
    }
    input = parseConfigDocument(text, file);
  }
  const scaled = withScale(scale, input);
  return parseRecipeConfig(withScale('quickstart', { ...scaled, ...overrides }), file);
}
