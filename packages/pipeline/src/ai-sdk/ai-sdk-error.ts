/**
 * Errors of the Vercel AI SDK provider.
 *
 * @packageDocumentation
 */
import { PipelineError } from '../error';

/**
 * A prompt or call option the local model cannot honour (a file part, a tool message, a bad setting); `field` names
 * the offending part, e.g. `prompt[2].content[0]` or `settings.modelId`.
 */
export class AiSdkInputError extends PipelineError {
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`quarkmed AI SDK provider: ${field} ${problem}`);
  }
}
