/**
 * One grounded answer: BM25 retrieval → `@quarkmed/rag`'s prompt with numbered passages (`buildRagPrompt`, the
 * format the recipe's instruction tuning used, followed by a line break as in the recipe's supervised examples) →
 * tokens streamed by `@quarkmed/model`'s `streamGenerate` (stoppable through an `AbortSignal`) → the model's `[n]`
 * citations checked against the passages (`checkCitations`).
 *
 * Passages are dropped from the end until prompt + answer fit the model's context; none is ever cut mid-text.
 *
 * @packageDocumentation
 */
import { streamGenerate, type FinishReason, type GenerationEvent, type LlamaModel, type Tokenizer } from '@quarkmed/model';
import { buildRagPrompt, checkCitations, type Bm25Index, type CitationReport, type NumberedPassage } from '@quarkmed/rag';
import { BrowserExampleError, PromptBudgetError } from './app-error';

/** Settings of one answer. */
export interface AnswerSettings {
  /** Passages retrieved (fewer go into the prompt when they do not fit). */
  k: number;
  maxNewTokens: number;
  /** 0 is greedy. */
  temperature: number;
  topP: number;
  repetitionPenalty: number;
  /** Seed of the sampler. */
  seed: number;
}

/** What the model and retrieval produced. */
export interface GroundedAnswer {
  /** The passages in the prompt, numbered as the prompt numbers them. */
  passages: NumberedPassage[];
  prompt: string;
  promptTokens: number;
  /** The model's text, exactly as generated. */
  text: string;
  generatedTokens: number;
  finishReason: FinishReason;
  /** The checker's verdict on the model's own `[n]` citations (none when the model cites nothing). */
  citations: CitationReport;
}

/** Callbacks while an answer is produced. */
export interface AnswerHandlers {
  /** The passages, once retrieved (before the first token). */
  onPassages?: (passages: NumberedPassage[], promptTokens: number) => void;
  /** Every generated token, with the text that became final with it. */
  onToken?: (event: GenerationEvent) => void;
}

/**
 * Answers `question` from the passages BM25 finds in `index`.
 *
 * @throws {@link BrowserExampleError} when retrieval finds no passage; {@link PromptBudgetError} when even one
 *   passage does not fit the context with `maxNewTokens` to spare
 */
export async function answerQuestion(
  question: string,
  deps: { model: LlamaModel; tokenizer: Tokenizer; index: Bm25Index },
  settings: AnswerSettings,
  handlers: AnswerHandlers = {},
  signal?: AbortSignal,
): Promise<GroundedAnswer> {
  const hits = deps.index.search(question, settings.k);
  if (hits.length === 0) throw new BrowserExampleError(`no passage of the corpus shares a term with the question ${JSON.stringify(question)}`);
  const documents = hits.map((h) => h.document);
  const maxSeqLen = deps.model.config.maxSeqLen;
  let packed: { prompt: string; passages: NumberedPassage[]; ids: number[] } | undefined;
  for (let n = documents.length; n >= 1; n--) {
    const { prompt, passages } = buildRagPrompt(question, documents, { maxPassages: n });
    const ids = deps.tokenizer.encode(`${prompt}\n`);
    if (ids.length + settings.maxNewTokens <= maxSeqLen) {
      packed = { prompt, passages, ids };
      break;
    }
    if (n === 1) throw new PromptBudgetError(ids.length, settings.maxNewTokens, maxSeqLen);
  }
  const { prompt, passages, ids } = packed!;
  handlers.onPassages?.(passages, ids.length);
  const stream = streamGenerate(deps.model, [ids], {
    tokenizer: deps.tokenizer,
    maxNewTokens: settings.maxNewTokens,
    temperature: settings.temperature,
    topP: settings.topP,
    repetitionPenalty: settings.repetitionPenalty,
    seed: settings.seed,
    validUtf8: true,
    ...(signal ? { signal } : {}),
  });
  let step = await stream.next();
  while (step.done !== true) {
    handlers.onToken?.(step.value);
    step = await stream.next();
  }
  const [result] = step.value;
  return {
    passages,
    prompt,
    promptTokens: ids.length,
    text: result!.text,
    generatedTokens: result!.tokenIds.length,
    finishReason: result!.finishReason,
    citations: checkCitations(result!.text, passages),
  };
}
