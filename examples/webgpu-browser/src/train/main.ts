/**
 * The train page: starts the backend (WebGPU, else wasm, with the reason shown), prepares the tiny training job on
 * the shipped corpus, and trains on Start, one optimizer step at a time, until the step count or Stop; the loss of
 * every step goes to the live uPlot chart.
 */
import type { StepLog } from '@quarkmed/model';
import { backendRequestFrom, describeBackend, startBackend } from '../backend';
import { parseCorpus } from '../corpus-index';
import { fetchWithProgress } from '../fetch-progress';
import { numberParam } from '../page-params';
import { LossPlot } from './loss-plot';
import { DEFAULT_TINY_LM, prepareTinyLm, type TinyLm, type TinyLmSettings } from './tiny-lm';

const $ = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`train page: element #${id} is missing`);
  return el as T;
};

const ui = {
  backend: $('backend'),
  job: $('job-info'),
  error: $('error'),
  steps: $<HTMLInputElement>('steps'),
  start: $<HTMLButtonElement>('start'),
  stop: $<HTMLButtonElement>('stop'),
  status: $('train-status'),
  plot: $('plot'),
  step: $('step'),
  first: $('first-loss'),
  last: $('last-loss'),
  uniform: $('uniform-loss'),
  speed: $('speed'),
};

function showError(error: unknown): void {
  document.body.dataset['state'] = 'error';
  ui.error.hidden = false;
  ui.error.textContent = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

async function main(): Promise<void> {
  const search = location.search;
  const base: TinyLmSettings = {
    ...DEFAULT_TINY_LM,
    steps: numberParam(search, 'steps', { default: DEFAULT_TINY_LM.steps, min: 1, max: 10_000, integer: true }),
    seed: numberParam(search, 'seed', { default: DEFAULT_TINY_LM.seed, min: 0, max: 2 ** 32 - 1, integer: true }),
    peakLr: numberParam(search, 'peakLr', { default: DEFAULT_TINY_LM.peakLr, min: 1e-6, max: 1, integer: false }),
  };
  ui.steps.value = String(base.steps);
  const status = await startBackend(backendRequestFrom(search));
  ui.backend.textContent = describeBackend(status);
  document.body.dataset['backend'] = status.choice.name;
  if (status.fallbackReason) document.body.dataset['fallback'] = status.fallbackReason;

  const corpusUrl = new URL('corpus/corpus.jsonl', location.href).href;
  const corpus = parseCorpus(new TextDecoder().decode(await fetchWithProgress(corpusUrl)), corpusUrl);
  const plot = new LossPlot(ui.plot);

  let job: TinyLm | undefined;
  let steps = base.steps;
  let stopRequested = false;
  let running = false;
  let tokens = 0;
  let ms = 0;
  const losses: number[] = [];
  const onStep = (log: StepLog): void => {
    plot.add(log.step, log.loss);
    losses.push(log.loss);
    ui.plot.dataset['losses'] = JSON.stringify(losses);
    tokens += log.numItems;
    ms += log.ms;
    ui.step.textContent = `${log.step} / ${steps}`;
    ui.step.dataset['value'] = String(log.step);
    if (log.step === 1) {
      ui.first.textContent = log.loss.toFixed(4);
      ui.first.dataset['value'] = String(log.loss);
    }
    ui.last.textContent = log.loss.toFixed(4);
    ui.last.dataset['value'] = String(log.loss);
    ui.speed.textContent = ms > 0 ? `${Math.round((tokens / ms) * 1000)}` : '–';
  };

  ui.stop.addEventListener('click', () => {
    stopRequested = true;
    ui.status.textContent = 'stopping after this step…';
  });
  ui.start.addEventListener('click', () => {
    if (running) return;
    void (async () => {
      if (job === undefined) {
        steps = numberParam(`?steps=${encodeURIComponent(ui.steps.value)}`, 'steps', { default: base.steps, min: 1, max: 10_000, integer: true });
        ui.status.textContent = 'training the tokenizer…';
        await new Promise((resolve) => setTimeout(resolve, 0));
        job = prepareTinyLm(corpus, { ...base, steps }, onStep);
        ui.steps.disabled = true;
        ui.job.textContent =
          `Llama, ${job.parameters.toLocaleString('en')} parameters, ${base.numLayers} layers × ${base.hiddenSize} hidden; byte-level BPE of ${job.vocabSize} ids ` +
          `trained here on ${base.records} records; ${job.examples.length} windows of ${base.seqLen + 1} tokens, batch ${base.batchSize}, seed ${base.seed}`;
        ui.uniform.textContent = Math.log(job.vocabSize).toFixed(4);
      }
      running = true;
      stopRequested = false;
      ui.start.disabled = true;
      ui.stop.disabled = false;
      document.body.dataset['state'] = 'training';
      ui.status.textContent = 'training…';
      let done = Number(ui.step.dataset['value'] ?? '0');
      while (!stopRequested && done < steps) {
        await job.trainer.train(job.examples, { steps: 1 });
        done++;
      }
      running = false;
      ui.stop.disabled = true;
      ui.start.disabled = done >= steps;
      ui.status.textContent = done >= steps ? `finished ${done} steps` : `stopped at step ${done}`;
      document.body.dataset['state'] = done >= steps ? 'done' : 'stopped';
    })().catch(showError);
  });
  ui.start.disabled = false;
  document.body.dataset['state'] = 'ready';
}

main().catch(showError);
