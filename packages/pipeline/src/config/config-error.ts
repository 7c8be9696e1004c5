import { PipelineError } from '../error';

/**
 * A recipe configuration that does not validate: names the file (when it came from one) and the key path of
 * every problem, e.g. `recipe.yaml: pretrain.steps: must be an integer >= 1, got 0`.
 */
export class RecipeConfigError extends PipelineError {
  /** The config file, when the config came from one. */
  readonly file: string | undefined;
  /** Every problem as `{ path, message }`; `path` is dotted (`rl1.grpo.numGenerations`), `''` for the root. */
  readonly issues: readonly { path: string; message: string }[];

  constructor(file: string | undefined, issues: readonly { path: string; message: string }[]) {
    const where = file === undefined ? 'recipe config' : file;
    super(`${where}: ${issues.map((i) => (i.path === '' ? i.message : `${i.path}: ${i.message}`)).join('; ')}`);
    this.file = file;
    this.issues = issues;
  }
}
