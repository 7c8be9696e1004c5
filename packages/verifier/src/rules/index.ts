/**
 * Rule verifiers: multiple choice, yes/no/maybe, numeric, keywords, drug JSON, format, exam scoring.
 *
 * @packageDocumentation
 */
export { extractChoice, parseGoldLetters, type AnswerSource, type ChoiceExtraction, type ChoiceExtractionOptions } from './answer-extraction';
export { verifyMultipleChoice, scoreChoice, multipleChoiceVerifier, type MultipleChoiceReference } from './multiple-choice';
export { verifyYesNoMaybe, extractYesNoMaybe, parseYesNoMaybe, yesNoMaybeVerifier, type YesNoMaybe, type YesNoMaybeReference } from './yes-no-maybe';
export {
  verifyNumeric,
  extractQuantity,
  parseQuantityAt,
  convertUnit,
  parseUnit,
  parseUnitAt,
  numericVerifier,
  GLUCOSE_MOLAR_MASS,
  type NumericReference,
  type Quantity,
  type ParsedUnit,
  type Dims,
} from './numeric';
export { verifyKeywords, findMention, keywordsVerifier, type KeywordItem, type KeywordReference } from './keywords';
export { verifyDrugJson, extractDrugs, normalizeDrugName, drugJsonVerifier, type DrugJsonReference } from './drug-json';
export { parseLenient, findJsonValues, type LenientValue } from './lenient-json';
export {
  formatReward,
  withFormat,
  validateSchema,
  findJsonText,
  type FormatSpec,
  type JsonSchema,
  type JsonType,
  type VerifyFn,
} from './format';
export { scoreExam, type ExamRecord, type ExamQuestionResult, type ExamScore } from './exam-scorer';
export { stripReasoning, foldFullWidth, quotedRanges, answerText } from './text';
export { copiedRanges, excludedRanges, isNegated, isNegatedAfter, isAlternative, isQuestioned, inQuestion, withPrompt, type PromptContext } from './answer-policy';
export type { HedgedQuantity } from './numeric';
