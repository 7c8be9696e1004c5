/**
 * The verifier registry: verifier kind name → verifier factory, and the adapter from the verifiable references
 * that `@quarkmed/data-synth` samples carry (`{ kind, value }`) to each verifier's reference type. One naming:
 * a kind's canonical name is its verifier's `name` (`multiple-choice`, `yes-no-maybe`, `icd10`, `numeric`,
 * `drug-json`, `keywords`, plus `text` for free-text references judged by a model component); the completion
 * suite and data-synth's reference kinds use the same names.
 *
 * @packageDocumentation
 */
import { VerifierError } from './error';
import { Icd10Verifier, type Icd10Reference, type Icd10VerifierOptions } from './icd10/icd10-verifier';
import { drugJsonVerifier, type DrugJsonReference } from './rules/drug-json';
import { keywordsVerifier, type KeywordReference } from './rules/keywords';
import { multipleChoiceVerifier, type MultipleChoiceReference } from './rules/multiple-choice';
import { numericVerifier, type NumericReference } from './rules/numeric';
import { yesNoMaybeVerifier, type YesNoMaybeReference } from './rules/yes-no-maybe';
import type { VerificationResult, Verifier } from './types';

/** The reference type of every verifier kind. */
export interface VerifierReferences {
  'multiple-choice': MultipleChoiceReference;
  'yes-no-maybe': YesNoMaybeReference;
  icd10: Icd10Reference;
  numeric: NumericReference;
  'drug-json': DrugJsonReference;
  keywords: KeywordReference;
  /** A free-text reference (a definition, a translation), judged by `options.judge`. */
  text: string;
}

/** A canonical verifier kind name. */
export type VerifierKind = keyof VerifierReferences;

/** Options of the factories ({@link createVerifier}). */
export interface VerifierFactoryOptions {
  /** Options of the ICD-10 verifier (`icd10`). */
  icd10?: Icd10VerifierOptions;
  /**
   * The judge of free-text references (`text`), e.g. a `RemoteJudge`, an `EquivalenceJudge` or an
   * `OntologyVerifier`. Required for `text`: there is no rule verifier of free text.
   */
  judge?: Verifier<string>;
}

/** One registry entry. */
export interface VerifierKindEntry<K extends VerifierKind = VerifierKind> {
  kind: K;
  description: string;
  /** A verifier of this kind. */
  create(options: VerifierFactoryOptions): Verifier<VerifierReferences[K]>;
}

/** Thrown for a kind name the registry does not know, or a factory missing a required option. */
export class VerifierRegistryError extends VerifierError {}

/** Thrown when a sample's reference value does not fit its kind (names the field). */
export class SampleReferenceError extends VerifierError {}

/** kind → entry, for every canonical kind. */
export const VERIFIER_REGISTRY: { readonly [K in VerifierKind]: VerifierKindEntry<K> } = {
  'multiple-choice': {
    kind: 'multiple-choice',
    description: 'option letter(s) in any common answer format; single or multiple response',
    create: () => multipleChoiceVerifier,
  },
  'yes-no-maybe': {
    kind: 'yes-no-maybe',
    description: 'a yes/no/maybe decision (English or Chinese)',
    create: () => yesNoMaybeVerifier,
  },
  icd10: {
    kind: 'icd10',
    description: 'ICD-10 / ICD-10-CM codes with hierarchical credit (needs the ICD-10 data loaded)',
    create: (o) => new Icd10Verifier(o.icd10),
  },
  numeric: {
    kind: 'numeric',
    description: 'a number with tolerance and unit conversion',
    create: () => numericVerifier,
  },
  'drug-json': {
    kind: 'drug-json',
    description: 'drug names listed in a JSON answer (entity-level F1)',
    create: () => drugJsonVerifier,
  },
  keywords: {
    kind: 'keywords',
    description: 'required (and forbidden) concepts mentioned, with synonyms and negation',
    create: () => keywordsVerifier,
  },
  text: {
    kind: 'text',
    description: 'a free-text reference, judged by the model component given as options.judge',
    create: (o) => {
      if (!o.judge || typeof o.judge.verify !== 'function') {
        throw new VerifierRegistryError("text: options.judge must be a Verifier<string> (e.g. a RemoteJudge or OntologyVerifier); free text has no rule verifier");
      }
      return o.judge;
    },
  },
};

const KINDS = Object.keys(VERIFIER_REGISTRY) as VerifierKind[];
const BY_NAME = new Map<string, VerifierKind>(KINDS.map((k) => [k, k]));

/** The canonical kinds, in registry order. */
export function verifierKinds(): VerifierKind[] {
  return [...KINDS];
}

/**
 * The kind of a name, checked.
 *
 * @throws {@link VerifierRegistryError} for an unknown name (the message lists the known names)
 */
export function resolveVerifierKind(name: string): VerifierKind {
  const k = typeof name === 'string' ? BY_NAME.get(name) : undefined;
  if (k === undefined) throw new VerifierRegistryError(`unknown verifier kind ${JSON.stringify(name)}; known: ${[...BY_NAME.keys()].join(', ')}`);
  return k;
}

/**
 * A verifier of a kind.
 *
 * @param kind - a verifier kind
 * @param options - factory options (`judge` is required for `text`)
 * @throws {@link VerifierRegistryError} for an unknown kind or a missing required option
 */
export function createVerifier<K extends VerifierKind>(kind: K, options?: VerifierFactoryOptions): Verifier<VerifierReferences[K]>;
export function createVerifier(kind: string, options?: VerifierFactoryOptions): Verifier<VerifierReferences[VerifierKind]>;
export function createVerifier(kind: string, options: VerifierFactoryOptions = {}): Verifier<VerifierReferences[VerifierKind]> {
  const k = resolveVerifierKind(kind);
  return (VERIFIER_REGISTRY[k] as VerifierKindEntry).create(options) as Verifier<VerifierReferences[VerifierKind]>;
}

/** A verifiable reference as `@quarkmed/data-synth` samples carry it. */
export interface SampleReference {
  kind: string;
  value: unknown;
}

/** The parts of a data-synth sample the adapter reads. */
export interface SampleLike {
  reference?: SampleReference;
  /** Options of a multiple-choice sample. */
  options?: ReadonlyArray<{ letter: string; text: string }>;
}

/** A reference in a verifier's own type, with its canonical kind. */
export type ResolvedReference = { [K in VerifierKind]: { kind: K; reference: VerifierReferences[K] } }[VerifierKind];

const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

/**
 * Turns a sample's `{ kind, value }` reference into its verifier's reference: `choice` → `{ answer, options }`
 * (options from the sample), `yes_no_maybe` → `{ answer }`, `json_drugs` → `{ drugs }`, `keywords` →
 * `{ required }`; `icd10`, `numeric` and `text` values pass as they are.
 *
 * @throws {@link SampleReferenceError} naming the field when the sample has no reference or the value does not fit
 * @throws {@link VerifierRegistryError} for an unknown kind
 */
export function referenceFromSample(sample: SampleLike): ResolvedReference {
  const ref = sample?.reference;
  if (!ref || typeof ref !== 'object') throw new SampleReferenceError('reference: the sample has no verifiable reference');
  const kind = resolveVerifierKind(ref.kind);
  const v = ref.value;
  const bad = (want: string): never => {
    throw new SampleReferenceError(`reference.value: a ${ref.kind} reference needs ${want}, got ${JSON.stringify(v)?.slice(0, 80)}`);
  };
  switch (kind) {
    case 'multiple-choice': {
      if (typeof v !== 'string' && !isStringArray(v)) return bad('option letters');
      const options = sample.options?.length ? Object.fromEntries(sample.options.map((o) => [o.letter, o.text])) : undefined;
      return { kind, reference: { answer: v, ...(options ? { options } : {}) } };
    }
    case 'yes-no-maybe':
      return typeof v === 'string' ? { kind, reference: { answer: v } } : bad("'yes', 'no' or 'maybe'");
    case 'icd10':
      return typeof v === 'string' || isStringArray(v) ? { kind, reference: v } : bad('a code or an array of codes');
    case 'numeric':
      return v !== null && typeof v === 'object' && 'value' in v ? { kind, reference: v as NumericReference } : bad('{ value, unit?, tolerance? }');
    case 'drug-json': {
      if (!Array.isArray(v)) return bad('an array of drugs');
      const drugs = v.map((d, i) => (typeof d === 'string' ? d : typeof (d as { drug?: unknown })?.drug === 'string' ? (d as { drug: string }).drug : bad(`a drug name at [${i}]`)));
      return { kind, reference: { drugs } };
    }
    case 'keywords':
      return isStringArray(v) ? { kind, reference: { required: v } } : bad('an array of keywords');
    case 'text':
      return typeof v === 'string' ? { kind, reference: v } : bad('a string');
  }
}

/**
 * Verifies a completion against a data-synth sample's reference through the registry: resolves the kind,
 * adapts the reference ({@link referenceFromSample}) and runs the kind's verifier.
 *
 * @throws {@link SampleReferenceError}, {@link VerifierRegistryError} as above; whatever the verifier throws for a bad reference
 */
export async function verifySample(completion: string, sample: SampleLike, options: VerifierFactoryOptions = {}): Promise<VerificationResult> {
  const { kind, reference } = referenceFromSample(sample);
  return (createVerifier(kind, options) as Verifier<unknown>).verify(completion, reference);
}
