/**
 * Hybrid verification: rules decide when they are conclusive; the model component is asked only when they
 * are not; which one decided is recorded. Modes `rule-only`, `model-only` and `hybrid` for ablations.
 *
 * The answer policy (`rules/answer-policy.ts`) is never overruled: a rule result that found a hedge
 * (`details.hedge`), a ruled-out answer (`details.negated`) or an answer only asked (`details.questioned`) is
 * conclusive whatever `isConclusive` says, so a model never rescues a hedge. The context's `prompt` is passed to both components.
 *
 * @packageDocumentation
 */
import { VerifierError } from '../error';
import type { VerificationResult, Verifier, VerifyContext } from '../types';

/** Invalid options of {@link HybridVerifier} (names the option). */
export class HybridVerifierError extends VerifierError {}

/** Ablation modes. */
export type HybridMode = 'rule-only' | 'model-only' | 'hybrid';

/** Options of {@link HybridVerifier}. */
export interface HybridOptions<Ref> {
  /** The rule verifier (e.g. {@link OntologyVerifier}, an ICD-10 or multiple-choice verifier). */
  rule: Verifier<Ref>;
  /** The model component (e.g. {@link EquivalenceJudge}, {@link RemoteJudge}). */
  model: Verifier<Ref>;
  /** Default 'hybrid'. */
  mode?: HybridMode;
  /**
   * Whether a rule result is conclusive. Default: `details.conclusive` when it is a boolean, else every
   * verdict but 'unparseable'. A hedge, a ruled-out or an only-asked answer (`details.hedge`, `details.negated`,
   * `details.questioned`) is conclusive regardless ({@link isPolicyOutcome}).
   */
  isConclusive?: (result: VerificationResult) => boolean;
}

/**
 * Whether a rule result is an outcome of the answer policy that no model may overrule: a hedge
 * (`details.hedge === true`), a ruled-out answer (`details.negated === true`) or an answer only asked
 * (`details.questioned === true`).
 */
export function isPolicyOutcome(result: VerificationResult): boolean {
  const d = result.details;
  return d !== undefined && d !== null && (d.hedge === true || d.negated === true || d.questioned === true);
}

/** The default conclusiveness test (see {@link HybridOptions.isConclusive}). */
export function defaultIsConclusive(result: VerificationResult): boolean {
  const c = result.details?.conclusive;
  if (typeof c === 'boolean') return c;
  return result.verdict !== 'unparseable';
}

/**
 * Combines a rule verifier and a model component. The result is the deciding component's, with
 * `source` set to 'rule' or 'model' and `details.hybrid` = `{ mode, decidedBy, ruleVerdict?, ruleConclusive? }`.
 */
export class HybridVerifier<Ref> implements Verifier<Ref> {
  readonly name: string;
  readonly mode: HybridMode;
  private readonly rule: Verifier<Ref>;
  private readonly model: Verifier<Ref>;
  private readonly isConclusive: (r: VerificationResult) => boolean;
  /** How often each component decided since construction. */
  readonly counts = { rule: 0, model: 0 };

  /** @throws {@link HybridVerifierError} for an unknown mode or a missing component */
  constructor(options: HybridOptions<Ref>) {
    if (options === null || typeof options !== 'object') throw new HybridVerifierError(`options: expected { rule, model, mode? }, got ${options === null ? 'null' : typeof options}`);
    if (options.isConclusive !== undefined && typeof options.isConclusive !== 'function') throw new HybridVerifierError('options.isConclusive must be a function');
    this.mode = options.mode ?? 'hybrid';
    if (!['rule-only', 'model-only', 'hybrid'].includes(this.mode)) {
      throw new HybridVerifierError(`options.mode must be 'rule-only', 'model-only' or 'hybrid', got ${JSON.stringify(this.mode)}`);
    }
    if (!options.rule || typeof options.rule.verify !== 'function') throw new HybridVerifierError('options.rule must be a Verifier');
    if (!options.model || typeof options.model.verify !== 'function') throw new HybridVerifierError('options.model must be a Verifier');
    this.rule = options.rule;
    this.model = options.model;
    this.isConclusive = options.isConclusive ?? defaultIsConclusive;
    this.name = `hybrid(${this.rule.name},${this.model.name})`;
  }

  /**
   * Verifies with the rule, and with the model when the mode says so.
   *
   * @param completion - the model's output
   * @param reference - the gold answer
   * @param context - the prompt, passed to the rule and to the model component
   */
  async verify(completion: string, reference: Ref, context?: VerifyContext): Promise<VerificationResult> {
    if (this.mode === 'model-only') return this.fromModel(completion, reference, context, undefined);
    const r = await (context === undefined ? this.rule.verify(completion, reference) : this.rule.verify(completion, reference, context));
    const conclusive = isPolicyOutcome(r) || this.isConclusive(r);
    if (this.mode === 'rule-only' || conclusive) {
      this.counts.rule++;
      return { ...r, source: 'rule', details: { ...r.details, hybrid: { mode: this.mode, decidedBy: 'rule', ruleVerdict: r.verdict, ruleConclusive: conclusive } } };
    }
    return this.fromModel(completion, reference, context, r);
  }

  private async fromModel(completion: string, reference: Ref, context: VerifyContext | undefined, rule: VerificationResult | undefined): Promise<VerificationResult> {
    const m = await (context === undefined ? this.model.verify(completion, reference) : this.model.verify(completion, reference, context));
    this.counts.model++;
    const hybrid = rule
      ? { mode: this.mode, decidedBy: 'model', ruleVerdict: rule.verdict, ruleConclusive: false, ruleEvidence: rule.evidence }
      : { mode: this.mode, decidedBy: 'model' };
    return { ...m, source: 'model', details: { ...m.details, hybrid } };
  }
}
