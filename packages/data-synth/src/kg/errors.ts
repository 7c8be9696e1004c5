/**
 * Load errors and issue collection shared by all knowledge-graph loaders.
 *
 * @packageDocumentation
 */
import { DataSynthError } from '../error';
import type { LoadIssue } from './types';

/**
 * Thrown by a loader in `strict` mode at the first malformed line, and in any mode for an input that cannot be read
 * as UTF-8 text (a missing file, a directory, invalid UTF-8). `file` and `line` say where.
 */
export class LoadError extends DataSynthError {
  /** The file (or label) being read. */
  readonly file: string;
  /** 1-based line number of the problem (0 when it concerns the whole file). */
  readonly line: number;
  constructor(file: string, line: number, message: string) {
    super(`${file}:${line}: ${message}`);
    this.name = 'LoadError';
    this.file = file;
    this.line = line;
  }
}

/** Thrown for an invalid loader option (an empty delimiter, a missing column mapping, an unknown source, ...); names the option. */
export class LoadOptionsError extends DataSynthError {
  /** The option at fault, e.g. `delimiter` or `columns.predicate`. */
  readonly option: string;
  constructor(option: string, message: string) {
    super(message);
    this.name = 'LoadOptionsError';
    this.option = option;
  }
}

/** Thrown by {@link KnowledgeGraph} for an entity or triple it cannot hold (empty id, unknown predicate, bad authority). */
export class KnowledgeGraphError extends DataSynthError {
  override name = 'KnowledgeGraphError';
}

/** Options every loader accepts about malformed input. */
export interface IssueOptions {
  /** Throw a {@link LoadError} at the first malformed line instead of collecting a {@link LoadIssue}. Default false. */
  strict?: boolean;
  /** Label used in issues and errors (defaults to the file path, or `'<input>'` for in-memory lines). */
  file?: string;
  /** Called for every issue as it is found (in addition to collecting it). */
  onIssue?: (issue: LoadIssue) => void;
}

/**
 * Collects {@link LoadIssue}s for one input, or throws in strict mode.
 * Loaders use it so that no malformed line is silently dropped.
 */
export class IssueCollector {
  readonly issues: LoadIssue[] = [];
  constructor(
    readonly file: string,
    private readonly strict = false,
    private readonly onIssue?: (issue: LoadIssue) => void,
  ) {}

  /**
   * Report a malformed line.
   *
   * @param line - 1-based line number.
   * @param message - what is wrong, naming the offending field.
   * @throws LoadError in strict mode.
   */
  report(line: number, message: string): void {
    if (this.strict) throw new LoadError(this.file, line, message);
    const issue: LoadIssue = { file: this.file, line, message };
    this.issues.push(issue);
    this.onIssue?.(issue);
  }
}
