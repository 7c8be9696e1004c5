/**
 * What every verifier returns, so that a reward can be audited.
 *
 * @packageDocumentation
 */

/** Which component decided. */
export type VerdictSource = 'rule' | 'model';

/** The outcome of a verification. */
export type Verdict = 'correct' | 'partial' | 'incorrect' | 'unparseable' | 'invalid';

/** The result of every verifier. */
export interface VerificationResult {
  /** In [0, 1] unless a verifier documents otherwise (format rewards may be weighted). */
  reward: number;
  verdict: Verdict;
  /** Human-readable evidence: what was extracted, matched or why nothing was. */
  evidence: string;
  source: VerdictSource;
  /** Verifier-specific details (extracted answer, matched level, precision/recall, ...). */
  details?: Record<string, unknown>;
}

/**
 * What a verifier may know besides the completion and the reference: the prompt, so that text the model copied
 * from it (an option list, the question naming candidate codes) is never read as its answer.
 */
export interface VerifyContext {
  /** The prompt (question, options, instructions) the completion answers. */
  prompt?: string;
}

/** A verifier of one answer against a reference. */
export interface Verifier<Ref = unknown> {
  readonly name: string;
  /**
   * @param completion - the model's output
   * @param reference - the gold answer
   * @param context - the prompt (optional; verifiers that read it ignore lines copied from it)
   */
  verify(completion: string, reference: Ref, context?: VerifyContext): VerificationResult | Promise<VerificationResult>;
}
