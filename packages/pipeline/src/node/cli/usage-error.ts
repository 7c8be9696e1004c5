import { PipelineError } from '../../error';

/** A bad command line: printed as one line, exit status 2. */
export class CliUsageError extends PipelineError {}
