/**
 * Retrieval augmentation of a request: passages from a `@quarkmed/rag` retriever packaged with rag's prompt format,
 * and the cited passages returned to the client.
 *
 * @packageDocumentation
 */
import { buildRagPrompt, checkCitations, type NumberedPassage, type Retriever } from '@quarkmed/rag';

/** Retrieval settings of the server. */
export interface ServeRetrievalOptions {
  /** Any `@quarkmed/rag` retriever (`HybridRetriever`, `Bm25Retriever`, a vector store's retriever). */
  retriever: Retriever;
  /** Passages put in the prompt at most. Default: all the retriever returns. */
  maxPassages?: number;
  /** Language of the instructions; default `auto` (by the question's script). */
  language?: 'en' | 'zh' | 'auto';
}

/** A passage as returned in the response's `citations` field. */
export interface CitedPassage {
  /** The number the prompt gave it, as cited `[n]`. */
  index: number;
  id: string | null;
  title: string | null;
  source: string | null;
  text: string;
}

/** A question packaged with its passages. */
export interface RetrievedContext {
  prompt: string;
  passages: NumberedPassage[];
  citations: CitedPassage[];
}

/** The citation check of one answer (rag's lexical support check), as returned per choice. */
export interface CitationCheck {
  cited: number[];
  supported: number[];
  unsupported: number[];
  not_given: number[];
  ok: boolean;
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

/**
 * Retrieves passages for `question` and packages them with `buildRagPrompt`; undefined when the retriever finds none
 * (the request then goes to the model as it came).
 */
export async function retrieveContext(options: ServeRetrievalOptions, question: string, signal?: AbortSignal): Promise<RetrievedContext | undefined> {
  const documents = await options.retriever.invoke(question, signal ? { signal } : {});
  if (documents.length === 0) return undefined;
  const { prompt, passages } = buildRagPrompt(question, documents, {
    ...(options.language ? { language: options.language } : {}),
    ...(options.maxPassages ? { maxPassages: options.maxPassages } : {}),
  });
  const citations = passages.map((p) => ({
    index: p.n,
    id: str(p.document.metadata.id),
    title: str(p.document.metadata.title),
    source: str(p.document.metadata.source),
    text: p.text,
  }));
  return { prompt, passages, citations };
}

/** Checks the `[n]` citations of an answer against the passages it was given. */
export function citationCheck(answer: string, context: RetrievedContext): CitationCheck {
  const r = checkCitations(answer, context.passages);
  return { cited: r.cited, supported: r.supported, unsupported: r.unsupported, not_given: r.notGiven, ok: r.ok };
}
