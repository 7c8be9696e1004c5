/** The built-in task types, in registration order (grouped by dimension). */
import { chapterClassification } from './chapter-classification';
import { definitionGeneration } from './definition-generation';
import { definitionMatching } from './definition-matching';
import { diagnosticDialogue } from './diagnostic-dialogue';
import { diseaseFromSymptoms } from './disease-from-symptoms';
import { drugIndicationMc } from './drug-indication';
import { entitySummary } from './entity-summary';
import { factualConsistency } from './factual-consistency';
import { falsePremiseRefusal } from './false-premise';
import { hypernymIdentification } from './hypernym-identification';
import { icd10CodeToTitle } from './icd10-code-to-title';
import { icd10Coding } from './icd10-coding';
import { jsonDrugExtraction } from './json-drug-extraction';
import { layTerminologyAdaptation } from './lay-adaptation';
import { notIndicationDetection } from './not-indication';
import { pubmedqaYesNoMaybe } from './pubmedqa';
import { relevanceExtraction } from './relevance-extraction';
import { retrievalNoiseCitation } from './retrieval-noise';
import { siblingDiscrimination } from './sibling-discrimination';
import { subtypeIdentification } from './subtype-identification';
import { symptomListing } from './symptom-listing';
import { synonymDiscrimination } from './synonym-discrimination';
import { termTranslation } from './term-translation';
import type { TaskDefinition } from './types';

/** Every built-in task type. */
export const BUILTIN_TASKS: readonly TaskDefinition[] = [
  // comprehension
  synonymDiscrimination,
  hypernymIdentification,
  definitionMatching,
  icd10CodeToTitle,
  relevanceExtraction,
  jsonDrugExtraction,
  // generation
  definitionGeneration,
  layTerminologyAdaptation,
  entitySummary,
  termTranslation,
  // knowledge application
  icd10Coding,
  drugIndicationMc,
  notIndicationDetection,
  symptomListing,
  chapterClassification,
  subtypeIdentification,
  // analysis and reasoning
  diseaseFromSymptoms,
  factualConsistency,
  falsePremiseRefusal,
  retrievalNoiseCitation,
  pubmedqaYesNoMaybe,
  diagnosticDialogue,
  siblingDiscrimination,
];

export {
  chapterClassification,
  definitionGeneration,
  definitionMatching,
  diagnosticDialogue,
  diseaseFromSymptoms,
  drugIndicationMc,
  entitySummary,
  factualConsistency,
  falsePremiseRefusal,
  hypernymIdentification,
  icd10CodeToTitle,
  icd10Coding,
  jsonDrugExtraction,
  layTerminologyAdaptation,
  notIndicationDetection,
  pubmedqaYesNoMaybe,
  relevanceExtraction,
  retrievalNoiseCitation,
  siblingDiscrimination,
  subtypeIdentification,
  symptomListing,
  synonymDiscrimination,
  termTranslation,
};
