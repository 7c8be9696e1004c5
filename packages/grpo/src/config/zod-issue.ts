/**
 * Turns the first zod issue of a failed config parse into a {@link GrpoConfigError} naming the field.
 *
 * @packageDocumentation
 */
import type { z } from 'zod';
import { GrpoConfigError } from './config-error';

/** The {@link GrpoConfigError} for the first issue of `error` (unknown keys name the key). */
export function configErrorFromZod(config: string, error: z.ZodError): GrpoConfigError {
  const issue = error.issues[0]!;
  if (issue.code === 'unrecognized_keys') {
    const keys = (issue as { keys: string[] }).keys;
    return new GrpoConfigError(config, keys[0]!, `unknown option (known options are listed in the @quarkmed/grpo README)`);
  }
  const field = issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)';
  return new GrpoConfigError(config, field, issue.message);
}
