/**
 * Stage `eval`: the numbers behind the report's effects, on held-out data, each with a 95% Wilson interval, all
 * through the evaluation harness (the same path as `quarkmed eval`):
 *
 * - the harness's held-out knowledge probes (`buildKnowledgeProbes`: data-synth's verifiable tasks on the test side
 *   of the run's entity split, so no probe's answer fact is in the training data), answered by every model stage
 *   (and the pre-training baseline without knowledge translation) as a `LocalModel`: with `eval.scoring:
 *   'likelihood'` (the default) the option whose text is most likely after `Answer:` (`acc_norm`, the harness's
 *   likelihood scoring), with `'generate'` a greedy JSON answer (`buildEvalPrompt`) scored by the verifier: probe
 *   accuracy;
 * - verifiable accuracy: the same runs' single-answer multiple-choice probes (the first `eval.verifiable`);
 * - the final model's probes again with BM25 retrieval over the corpus (passages packaged by the harness);
 * - the stage-1 verifier's reward accuracy in hybrid, rule-only and model-only mode (labelled completions, no model).
 *
 * Each run's predictions are written (`predictions/<model>.jsonl`), so `quarkmed eval --rescore` can score them
 * again without generating.
 *
 * @packageDocumentation
 */
import { loadCheckpointFromFiles, type LlamaModel, type Tokenizer } from '@quarkmed/model';
import { Bm25Index, Bm25Retriever } from '@quarkmed/rag';
import { EquivalenceJudge } from '@quarkmed/verifier';
import { MODEL_STAGES, type StageName } from '../config/stage-names';
import type { RecipeConfig } from '../config/schema';
import { accuracyReport, type AccuracyCell } from '../eval/accuracy';
import { evaluate, type EvalRun } from '../eval/harness';
import { buildKnowledgeProbes, PROBE_TASKS } from '../eval/knowledge-probes';
import { serializePredictions } from '../eval/predictions';
import { buildLikelihoodPrompt, likelihoodContinuations } from '../eval/likelihood';
import { buildEvalPrompt } from '../eval/prompt';
import type { ChoiceItem, YesNoMaybeItem } from '../eval/types';
import { LocalModel } from '../models/local-model';
import { wilson, type Accuracy } from '../report/interval';
import { choiceVerifier } from './choice-verifier';
import { docsFromJsonl } from './corpus';
import { instructionSamples, isVerifiableChoice } from './instruction-data';
import { runTokenizer, tokenizerFromFiles } from './model-files';
import { buildRewardProbes, rewardAgreement } from './reward-probes';
import { trainJudge } from './rl1';
import { StageError } from './stage-error';
import type { StageContext, StageDefinition, StageFile, StageOutput } from './types';

const decoder = new TextDecoder();

/** The evaluation results (`eval/eval.json`). */
export interface EvalResults {
  /** How the probes were answered (`eval.scoring`; absent in runs before likelihood scoring: `generate`). */
  scoring?: 'generate' | 'likelihood';
  /** Knowledge-probe accuracy (the harness) per model (`pretrain-baseline`, `pretrain`, `ift`, ...). */
  probes: Record<string, Accuracy>;
  /** The final model's probe accuracy with retrieval (BM25 over the corpus). */
  probesWithRetrieval: Accuracy | null;
  /** The model the retrieval comparison used. */
  finalModel: string | null;
  /** Verifiable accuracy (single-answer multiple-choice probes) per model stage. */
  verifiable: Record<string, Accuracy>;
  /** Stage-1 reward accuracy per verifier mode. */
  rewardAccuracy: { hybrid: Accuracy; ruleOnly: Accuracy; modelOnly: Accuracy } | null;
}

async function loadStageModel(ctx: StageContext, stage: StageName, prefix = ''): Promise<{ model: LlamaModel; tokenizer: Tokenizer } | undefined> {
  if ((await ctx.artifact(stage, `${prefix}config.json`)) === undefined) return undefined;
  const model = await loadCheckpointFromFiles(async (n: string) => ctx.artifact(stage, prefix + n));
  const tj = await ctx.artifact(stage, `${prefix}tokenizer.json`);
  if (tj === undefined) throw new StageError('eval', `stage ${stage} has a model without tokenizer.json`);
  return { model, tokenizer: tokenizerFromFiles(tj, await ctx.artifact(stage, `${prefix}tokenizer_config.json`)) };
}

type ProbeItem = ChoiceItem | YesNoMaybeItem;

/** An accuracy of the report from a harness accuracy cell (the harness's Wilson interval; NaN for no items). */
function accuracyOf(c: AccuracyCell): Accuracy {
  return { correct: c.correct, total: c.n, value: c.n === 0 ? Number.NaN : c.accuracy, low: c.ci.low, high: c.ci.high };
}

/**
 * The held-out probes of the run: the harness's knowledge probes on the test side of the run's entity split
 * (`seed`), in English, at most `count` (spread over the probe tasks; single-response ones only under likelihood
 * scoring), those whose plain prompt leaves room for
 * `maxNewTokens` in `maxSeqLen` under the run's tokenizer and, under likelihood scoring, whose likelihood prompt with
 * each option fits `maxSeqLen` (so every model is asked the same questions in full).
 */
export function evalProbes(ctx: StageContext, kg: Parameters<typeof buildKnowledgeProbes>[0], tokenizer: Pick<Tokenizer, 'encode'> | undefined, count: number): ProbeItem[] {
  const { maxNewTokens } = ctx.config.eval;
  const items = buildKnowledgeProbes(kg, { seed: ctx.seed, splitSeed: ctx.config.seed, split: 'test', language: 'en', countPerTask: Math.max(1, Math.ceil((2 * count) / PROBE_TASKS.length)) });
  const { maxSeqLen } = ctx.config.model;
  const likelihood = ctx.config.eval.scoring === 'likelihood';
  // generate: the JSON prompt and maxNewTokens fit; likelihood: also the prompt and its longest option fit
  const fits = (it: ProbeItem): boolean => {
    if (tokenizer === undefined) return true;
    if (tokenizer.encode(buildEvalPrompt(it).text).length + maxNewTokens > maxSeqLen) return false;
    if (!likelihood) return true;
    const text = buildLikelihoodPrompt(it).text;
    return likelihoodContinuations(it).every((c) => tokenizer.encode(text + c.continuation).length <= maxSeqLen);
  };
  // likelihood scoring answers single-response items only (one continuation per option)
  const answerable = (it: ProbeItem): boolean => !likelihood || it.kind !== 'multiple-choice' || it.responseType === 'single';
  // interleave the tasks (the builder lists them one after another) so a small count still covers every task
  const byTask = new Map<string, ProbeItem[]>();
  for (const it of items.filter((it) => answerable(it) && fits(it))) {
    const k = it.subject ?? '';
    if (!byTask.has(k)) byTask.set(k, []);
    byTask.get(k)!.push(it);
  }
  const out: ProbeItem[] = [];
  for (let i = 0; out.length < count; i++) {
    let any = false;
    for (const list of byTask.values()) {
      if (i < list.length && out.length < count) {
        out.push(list[i]!);
        any = true;
      }
    }
    if (!any) break;
  }
  return out;
}

/** Runs the harness on one model (`eval.scoring`): batched, the prompt's end kept when passages make it too long. */
async function harnessRun(label: string, model: LlamaModel, tokenizer: Tokenizer, items: readonly ProbeItem[], ctx: StageContext, retriever?: Bm25Retriever): Promise<EvalRun> {
  const { maxNewTokens: maxTokens, scoring } = ctx.config.eval;
  const local = new LocalModel({ model, tokenizer, id: label, batchSize: 8, defaultMaxTokens: maxTokens, truncatePrompt: true });
  return evaluate({ items, model: local, concurrency: 8, params: { maxTokens }, scoring, ...(retriever ? { retriever } : {}) });
}

async function run(ctx: StageContext): Promise<StageOutput> {
  const e = ctx.config.eval;
  await ctx.verifierData();
  const kg = await ctx.knowledgeGraph();
  const corpus = await ctx.artifact('corpus', 'corpus.jsonl');
  if (corpus === undefined) throw new StageError('eval', 'needs the corpus stage output');
  const probes = evalProbes(ctx, kg, await runTokenizer(ctx), e.probes);
  if (probes.length === 0) throw new StageError('eval', `eval.probes: no knowledge probe fits model.maxSeqLen ${ctx.config.model.maxSeqLen} with eval.maxNewTokens ${e.maxNewTokens}`);
  const verifiableIds = new Set(probes.filter((p) => p.kind === 'multiple-choice' && p.responseType === 'single').slice(0, e.verifiable).map((p) => p.id));
  const index = new Bm25Index();
  index.addDocuments(docsFromJsonl(decoder.decode(corpus)).map((d) => ({ pageContent: d.text, metadata: { id: d.id, source: d.source } })));
  const retriever = new Bm25Retriever(index, { k: e.retrievalK });

  const results: EvalResults = { scoring: e.scoring, probes: {}, probesWithRetrieval: null, finalModel: null, verifiable: {}, rewardAccuracy: null };
  const files: Record<string, StageFile> = {};
  const models: [string, StageName, string][] = [['pretrain-baseline', 'pretrain', 'baseline/'], ...MODEL_STAGES.map((s): [string, StageName, string] => [s, s, ''])];
  let final: { label: string; model: LlamaModel; tokenizer: Tokenizer } | undefined;
  for (const [label, stage, prefix] of models) {
    const m = await loadStageModel(ctx, stage, prefix);
    if (!m) continue;
    const r = await harnessRun(label, m.model, m.tokenizer, probes, ctx);
    files[`predictions/${label}.jsonl`] = serializePredictions(r.predictions);
    results.probes[label] = accuracyOf(r.report.overall);
    if (prefix === '' && verifiableIds.size > 0) results.verifiable[label] = accuracyOf(accuracyReport(r.scores.filter((s) => verifiableIds.has(s.itemId))).overall);
    ctx.progress.event('eval', 'model', { model: label, probes: results.probes[label]!.value, verifiable: results.verifiable[label]?.value ?? null });
    if (prefix === '') {
      final?.model.dispose();
      final = { label, ...m };
    } else m.model.dispose();
  }
  if (final) {
    const r = await harnessRun(final.label, final.model, final.tokenizer, probes, ctx, retriever);
    files[`predictions/${final.label}.retrieval.jsonl`] = serializePredictions(r.predictions);
    results.finalModel = final.label;
    results.probesWithRetrieval = accuracyOf(r.report.overall);
    final.model.dispose();
  }

  const judgeJson = await ctx.artifact('rl1', 'judge.json');
  const judge = judgeJson ? EquivalenceJudge.fromJSON(JSON.parse(decoder.decode(judgeJson))) : await trainJudge(ctx.seed, ctx.config.rl1.judgeEpochs);
  const test = instructionSamples(kg, { seed: ctx.config.seed, split: 'test', languages: ['en'], countPerTask: Math.max(4, e.verifiable) }).filter(isVerifiableChoice);
  const rewardProbes = buildRewardProbes(kg, test, e.rewardProbes);
  if (rewardProbes.length > 0) {
    results.rewardAccuracy = {
      hybrid: wilson(await rewardAgreement(choiceVerifier(judge, 'hybrid'), rewardProbes), rewardProbes.length),
      ruleOnly: wilson(await rewardAgreement(choiceVerifier(judge, 'rule-only'), rewardProbes), rewardProbes.length),
      modelOnly: wilson(await rewardAgreement(choiceVerifier(judge, 'model-only'), rewardProbes), rewardProbes.length),
    };
  }
  const metrics: StageOutput['metrics'] = { probes: probes.length, verifiableQuestions: verifiableIds.size, rewardProbes: rewardProbes.length, finalModel: results.finalModel };
  for (const [k, v] of Object.entries(results.probes)) metrics[`probes.${k}`] = v.value;
  for (const [k, v] of Object.entries(results.verifiable)) metrics[`verifiable.${k}`] = v.value;
  files['eval.json'] = JSON.stringify(results, null, 2);
  return { files, metrics };
}

/** The `eval` stage. */
export const evalStage: StageDefinition = {
  name: 'eval',
  description: 'the harness on held-out knowledge probes for every model (with and without retrieval), verifiable accuracy, stage-1 reward accuracy',
  inputs: ['corpus', 'pretrain', 'ift', 'sft', 'rl1', 'rl2'],
  plan: (config: RecipeConfig) => ({ scoring: config.eval.scoring, probes: config.eval.probes, verifiable: config.eval.verifiable, rewardProbes: config.eval.rewardProbes, retrievalK: config.eval.retrievalK }),
  run,
};
