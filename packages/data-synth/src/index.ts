export * from './kg/index';
export * from './random';
export * from './curate/index';
export * from './mix/index';
export * from './tasks/index';
export {
  TEMPLATE_BANK,
  GROUP_TEMPLATE_BANK,
  TemplateError,
  templatesFor,
  renderTemplate,
  translateTriples,
  translateTriplesWithReport,
  translateEntityCard,
  translateEntityCards,
  modelTranslateTriples,
  buildVerbalisationPrompt,
  backTranslationFilter,
  backTranslationFilterSync,
  buildLexicon,
  extractFacts,
  checkSentence,
  createModelExtractor,
  buildExtractionPrompt,
  entityStats,
  selectEntities,
  selectTriples,
  selectSentences,
} from './translate/index';
export type {
  Sentence,
  Paragraph,
  TranslateKg,
  TranslateOptions,
  TextGenerationOptions,
  Template,
  EntityCardOptions,
  ModelTranslateOptions,
  ModelTranslationResult,
  Lexicon,
  ExtractedFact,
  ExtractionResult,
  FactExtractor,
  CheckResult,
  DropReason,
} from './translate/index';
