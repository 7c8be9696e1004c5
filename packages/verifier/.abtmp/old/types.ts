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

/** A verifier of one answer against a reference. */
export interface Verifier<Ref = unknown> {
  readonly name: string;
  verify(completion: string, reference: Ref): VerificationResult | Promise<VerificationResult>;
}
