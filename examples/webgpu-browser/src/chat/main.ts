/**
 * The chat page: starts the backend (WebGPU, else wasm, with the reason shown), downloads the recipe checkpoint with
 * a progress bar, indexes the shipped corpus with BM25, and answers questions: retrieved passages go into the
 * prompt as `[n]`, the model's tokens stream into the page, Stop aborts generation, and the model's own citations
 * are checked against the passages. The passages are listed as "Sources" (what retrieval gave the model); a passage
 * is marked as cited only when the model's text cites it.
 */
import type { CitationReport, NumberedPassage } from '@quarkmed/rag';
import { backendRequestFrom, describeBackend, startBackend } from '../backend';
import { loadCheckpointFromUrl } from '../checkpoint-loader';
import { loadCorpusIndex, type CorpusIndex } from '../corpus-index';
import { answerQuestion, type AnswerSettings } from '../grounded-answer';
import { numberParam } from '../page-params';
import type { LoadedCheckpoint } from '../checkpoint-loader';

const $ = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`chat page: element #${id} is missing`);
  return el as T;
};

const ui = {
  backend: $('backend'),
  progress: $<HTMLProgressElement>('weights-progress'),
  progressLabel: $('weights-label'),
  modelInfo: $('model-info'),
  corpusInfo: $('corpus-info'),
  error: $('error'),
  form: $<HTMLFormElement>('ask-form'),
  question: $<HTMLTextAreaElement>('question'),
  ask: $<HTMLButtonElement>('ask'),
  stop: $<HTMLButtonElement>('stop'),
  maxNewTokens: $<HTMLInputElement>('max-new-tokens'),
  genStatus: $('gen-status'),
  answer: $('answer'),
  verdict: $('citation-verdict'),
  sources: $<HTMLOListElement>('sources'),
};

/** Most answer tokens the form accepts; the context decides how many passages still fit. */
const MAX_NEW_TOKENS = 1024;
/** Answer tokens reserved when the corpus is chunked (so k chunks, the instructions and the question fit with them). */
const CHUNK_RESERVE_TOKENS = 64;

const kib = (n: number): string => (n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(2)} MiB` : `${(n / 1024).toFixed(1)} KiB`);

function showError(error: unknown): void {
  document.body.dataset['state'] = 'error';
  ui.error.hidden = false;
  ui.error.textContent = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function renderSources(passages: readonly NumberedPassage[]): void {
  ui.sources.replaceChildren(
    ...passages.map((p) => {
      const li = document.createElement('li');
      li.value = p.n;
      li.dataset['n'] = String(p.n);
      const mark = document.createElement('span');
      mark.className = 'mark';
      mark.textContent = `[${p.n}] `;
      const text = document.createElement('span');
      text.className = 'text';
      text.textContent = p.text;
      const meta = document.createElement('div');
      meta.className = 'meta';
      const m = p.document.metadata;
      meta.textContent = `${String(m['source'] ?? '')} · licence ${String(m['license'] ?? 'unknown')} · chunk ${String(m['id'] ?? '')}`;
      const flag = document.createElement('div');
      flag.className = 'cited-flag meta';
      li.append(mark, text, meta, flag);
      return li;
    }),
  );
}

function renderVerdict(report: CitationReport): void {
  for (const li of Array.from(ui.sources.querySelectorAll<HTMLLIElement>('li'))) {
    const n = Number(li.dataset['n']);
    const cited = report.cited.includes(n);
    li.classList.toggle('cited', cited);
    li.querySelector('.cited-flag')!.textContent = cited
      ? `cited by the model: ${report.supported.includes(n) ? 'supported' : 'not supported'} by the citation checker`
      : 'not cited by the model';
  }
  ui.verdict.dataset['cited'] = report.cited.join(',');
  ui.verdict.dataset['ok'] = String(report.ok);
  if (report.cited.length === 0) {
    ui.verdict.textContent = 'The model cited no passage. Citation checker: not ok (no [n] in the answer). The sources at the right are what retrieval gave the model.';
    return;
  }
  const list = (ns: number[]): string => (ns.length === 0 ? 'none' : ns.map((n) => `[${n}]`).join(' '));
  ui.verdict.textContent =
    `The model cited ${list(report.cited)}. Citation checker: supported ${list(report.supported)}, unsupported ${list(report.unsupported)}, ` +
    `not among the sources ${list(report.notGiven)}; verdict ${report.ok ? 'ok' : 'not ok'} (support is lexical overlap).`;
}

async function main(): Promise<void> {
  const search = location.search;
  const settings: AnswerSettings = {
    k: numberParam(search, 'k', { default: 3, min: 1, max: 8, integer: true }),
    maxNewTokens: numberParam(search, 'maxNewTokens', { default: 48, min: 1, max: MAX_NEW_TOKENS, integer: true }),
    temperature: numberParam(search, 'temperature', { default: 0.8, min: 0, max: 2, integer: false }),
    topP: numberParam(search, 'topP', { default: 0.95, min: 0.01, max: 1, integer: false }),
    repetitionPenalty: numberParam(search, 'repetitionPenalty', { default: 1.3, min: 1, max: 3, integer: false }),
    seed: numberParam(search, 'seed', { default: 1, min: 0, max: 2 ** 32 - 1, integer: true }),
  };
  const status = await startBackend(backendRequestFrom(search));
  ui.backend.textContent = describeBackend(status);
  document.body.dataset['backend'] = status.choice.name;
  if (status.fallbackReason) document.body.dataset['fallback'] = status.fallbackReason;

  const t0 = performance.now();
  const loaded: LoadedCheckpoint = await loadCheckpointFromUrl(new URL('model/', location.href).href, {
    onProgress: (p) => {
      ui.progress.max = Math.max(1, p.total);
      ui.progress.value = p.loaded;
      ui.progressLabel.textContent = `${kib(p.loaded)} of ${kib(p.total)} (${p.file})`;
    },
  });
  ui.progressLabel.textContent = `${kib(loaded.bytes)} loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s`;
  const { model, tokenizer, manifest } = loaded;
  ui.modelInfo.textContent = `stage ${manifest.stage} of ${manifest.run} · ${model.parameterCount().toLocaleString('en')} parameters · context ${model.config.maxSeqLen} tokens · vocabulary ${model.config.vocabSize}`;

  // Chunks small enough that k of them, the instructions, the question and the answer fit the context.
  const chunkTokens = Math.max(16, Math.min(96, Math.floor((model.config.maxSeqLen - CHUNK_RESERVE_TOKENS - 64) / settings.k)));
  ui.maxNewTokens.value = String(settings.maxNewTokens);
  const corpus: CorpusIndex = await loadCorpusIndex(new URL('corpus/corpus.jsonl', location.href).href, tokenizer, chunkTokens);
  ui.corpusInfo.textContent = `BM25 over ${corpus.records} records cut into ${corpus.chunks} chunks of at most ${chunkTokens} tokens (${corpus.skipped} without index terms left out); top ${settings.k} passages per question`;

  let controller: AbortController | undefined;
  ui.stop.addEventListener('click', () => controller?.abort());
  ui.form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (controller !== undefined) return;
    const question = ui.question.value.trim();
    if (question === '') return;
    let maxNewTokens: number;
    try {
      maxNewTokens = numberParam(`?n=${encodeURIComponent(ui.maxNewTokens.value)}`, 'n', { default: settings.maxNewTokens, min: 1, max: MAX_NEW_TOKENS, integer: true });
    } catch {
      ui.genStatus.textContent = `answer tokens must be an integer in [1, ${MAX_NEW_TOKENS}], got ${JSON.stringify(ui.maxNewTokens.value)}`;
      return;
    }
    controller = new AbortController();
    const signal = controller.signal;
    ui.ask.disabled = true;
    ui.stop.disabled = false;
    ui.answer.textContent = '';
    ui.answer.dataset['tokens'] = '0';
    ui.answer.dataset['finish'] = '';
    ui.verdict.textContent = '…';
    delete ui.verdict.dataset['ok'];
    ui.sources.replaceChildren();
    document.body.dataset['state'] = 'generating';
    const started = performance.now();
    let firstTokenAt: number | undefined;
    void answerQuestion(
      question,
      { model, tokenizer, index: corpus.index },
      { ...settings, maxNewTokens },
      {
        onPassages: (passages, promptTokens) => {
          renderSources(passages);
          ui.genStatus.textContent = `prompt ${promptTokens} tokens with ${passages.length} passages; generating…`;
        },
        onToken: (e) => {
          ui.answer.textContent += e.text;
          ui.answer.dataset['tokens'] = String(e.step + 1);
          firstTokenAt ??= performance.now();
          ui.genStatus.textContent = `generating… ${e.step + 1} tokens`;
        },
      },
      signal,
    )
      .then((answer) => {
        ui.answer.textContent = answer.text;
        ui.answer.dataset['tokens'] = String(answer.generatedTokens);
        ui.answer.dataset['finish'] = answer.finishReason;
        const secs = (performance.now() - started) / 1000;
        const first = firstTokenAt === undefined ? '' : `; first token after ${((firstTokenAt - started) / 1000).toFixed(1)} s, then ${answer.generatedTokens > 1 ? (((performance.now() - firstTokenAt) / 1000 / (answer.generatedTokens - 1)) * 1000).toFixed(0) : '–'} ms per token`;
        ui.genStatus.textContent = `${answer.finishReason === 'abort' ? 'stopped' : 'finished'} (${answer.finishReason}): ${answer.generatedTokens} tokens in ${secs.toFixed(1)} s${first}`;
        renderVerdict(answer.citations);
        document.body.dataset['state'] = 'ready';
      })
      .catch(showError)
      .finally(() => {
        controller = undefined;
        ui.ask.disabled = false;
        ui.stop.disabled = true;
      });
  });
  ui.ask.disabled = false;
  document.body.dataset['state'] = 'ready';
}

main().catch(showError);
