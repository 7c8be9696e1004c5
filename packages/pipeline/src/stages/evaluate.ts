/**
 * Stage `eval`: the numbers behind the report's effects, on held-out data (test split by entity, held-out template
 * phrasings), each with a 95% interval: knowledge-probe accuracy of every model stage (and of the pre-training
 * baseline without knowledge translation), with and without retrieval for the final model; verifiable accuracy
 * (generated JSON answers scored by the multiple-choice verifier) of every model stage; the stage-1 verifier's
 * reward accuracy in hybrid and rule-only mode.
 *
 * @packageDocumentation
 */
import { generate, type LlamaModel, type Tokenizer } from '@quarkmed/model';
import { EquivalenceJudge, multipleChoiceVerifier } from '@quarkmed/verifier';
import { MODEL_STAGES, type StageName } from '../config/stage-names';
import type { RecipeConfig } from '../config/schema';
import { wilson, type Accuracy } from '../report/interval';
import { choiceReference, choiceVerifier } from './choice-verifier';
import { docsFromJsonl } from './corpus';
import { answerPrompt, fitsContext, instructionSamples, isVerifiableChoice } from './instruction-data';
import { tokenizerFromFiles } from './model-files';
import { buildProbes, corpusRetriever, probeCorrect } from './probes';
import { buildRewardProbes, rewardAgreement } from './reward-probes';
import { trainJudge } from './rl1';
import { StageError } from './stage-error';
import type { StageContext, StageDefinition, StageOutput } from './types';
import { loadCheckpointFromFiles } from '@quarkmed/model';

const decoder = new TextDecoder();

/** The evaluation results (`eval/eval.json`). */
export interface EvalResults {
  /** Knowledge-probe accuracy per model (`pretrain`, `pretrain-baseline`, `ift`, ...). */
  probes: Record<string, Accuracy>;
  /** The final model's probe accuracy with retrieval (BM25 over the corpus). */
  probesWithRetrieval: Accuracy | null;
  /** The model the retrieval comparison used. */
  finalModel: string | null;
  /** Verifiable accuracy per model stage. */
  verifiable: Record<string, Accuracy>;
  /** Stage-1 reward accuracy per verifier mode. */
  rewardAccuracy: { hybrid: Accuracy; ruleOnly: Accuracy } | null;
}

async function loadStageModel(ctx: StageContext, stage: StageName, prefix = ''): Promise<{ model: LlamaModel; tokenizer: Tokenizer } | undefined> {
  if ((await ctx.artifact(stage, `${prefix}config.json`)) === undefined) return undefined;
  const model = await loadCheckpointFromFiles(async (n: string) => ctx.artifact(stage, prefix + n));
  const tj = await ctx.artifact(stage, `${prefix}tokenizer.json`);
  if (tj === undefined) throw new StageError('eval', `stage ${stage} has a model without tokenizer.json`);
  return { model, tokenizer: tokenizerFromFiles(tj, await ctx.artifact(stage, `${prefix}tokenizer_config.json`)) };
}

async function verifiableCorrect(model: LlamaModel, tokenizer: Tokenizer, prompts: { prompt: string; ref: NonNullable<ReturnType<typeof choiceReference>> }[], maxNewTokens: number): Promise<number> {
  const out = await generate(model, prompts.map((p) => p.prompt), { tokenizer, maxNewTokens, temperature: 0 });
  let ok = 0;
  for (const [i, g] of out.entries()) if ((await multipleChoiceVerifier.verify(g.text, prompts[i]!.ref)).reward >= 1) ok++;
  return ok;
}

async function run(ctx: StageContext): Promise<StageOutput> {
  const e = ctx.config.eval;
  await ctx.verifierData();
  const kg = await ctx.knowledgeGraph();
  const subset = await ctx.artifact('corpus', 'subset.json');
  const corpus = await ctx.artifact('corpus', 'corpus.jsonl');
  if (subset === undefined || corpus === undefined) throw new StageError('eval', 'needs the corpus stage output');
  const diseases = (JSON.parse(decoder.decode(subset)) as { diseases: string[] }).diseases;
  const probes = buildProbes(kg, diseases, e.probes, ctx.seed);
  const retrieve = corpusRetriever(docsFromJsonl(decoder.decode(corpus)), e.retrievalK);
  const test = instructionSamples(kg, { seed: ctx.config.seed, split: 'test', languages: ['en'], countPerTask: Math.max(4, e.verifiable) }).filter(isVerifiableChoice);
  const maxSeqLen = ctx.config.model.maxSeqLen;
  const questions = test.flatMap((s) => {
    const prompt = answerPrompt(s);
    // the question must fit every model evaluated (their tokenizers share the run's; a foreign one is checked again below)
    if (prompt.length > maxSeqLen * 8) return [];
    const ref = choiceReference(s, prompt);
    return ref ? [{ prompt, ref }] : [];
  });

  const results: EvalResults = { probes: {}, probesWithRetrieval: null, finalModel: null, verifiable: {}, rewardAccuracy: null };
  const models: [string, StageName, string][] = [['pretrain-baseline', 'pretrain', 'baseline/'], ...MODEL_STAGES.map((s): [string, StageName, string] => [s, s, ''])];
  for (const [label, stage, prefix] of models) {
    const m = await loadStageModel(ctx, stage, prefix);
    if (!m) continue;
    results.probes[label] = wilson(probeCorrect(m.model, m.tokenizer, probes), probes.length);
    const qs = questions.filter((q) => fitsContext(m.tokenizer, q.prompt, e.maxNewTokens, m.model.config.maxSeqLen)).slice(0, e.verifiable);
    if (prefix === '' && qs.length > 0) results.verifiable[label] = wilson(await verifiableCorrect(m.model, m.tokenizer, qs, e.maxNewTokens), qs.length);
    ctx.progress.event('eval', 'model', { model: label, probes: results.probes[label]!.value, verifiable: results.verifiable[label]?.value ?? null });
    if (prefix === '') {
      results.finalModel = label;
      results.probesWithRetrieval = wilson(probeCorrect(m.model, m.tokenizer, probes, retrieve), probes.length);
    }
    m.model.dispose();
  }

  const judgeJson = await ctx.artifact('rl1', 'judge.json');
  const judge = judgeJson ? EquivalenceJudge.fromJSON(JSON.parse(decoder.decode(judgeJson))) : await trainJudge(ctx.seed, ctx.config.rl1.judgeEpochs);
  const rewardProbes = buildRewardProbes(kg, test, e.rewardProbes);
  if (rewardProbes.length > 0) {
    results.rewardAccuracy = {
      hybrid: wilson(await rewardAgreement(choiceVerifier(judge, 'hybrid'), rewardProbes), rewardProbes.length),
      ruleOnly: wilson(await rewardAgreement(choiceVerifier(judge, 'rule-only'), rewardProbes), rewardProbes.length),
    };
  }
  const metrics: StageOutput['metrics'] = { probes: probes.length, verifiableQuestions: Object.values(results.verifiable)[0]?.total ?? 0, rewardProbes: rewardProbes.length, finalModel: results.finalModel };
  for (const [k, v] of Object.entries(results.probes)) metrics[`probes.${k}`] = v.value;
  for (const [k, v] of Object.entries(results.verifiable)) metrics[`verifiable.${k}`] = v.value;
  return { files: { 'eval.json': JSON.stringify(results, null, 2) }, metrics };
}

/** The `eval` stage. */
export const evalStage: StageDefinition = {
  name: 'eval',
  description: 'held-out knowledge probes (with and without retrieval), verifiable accuracy, stage-1 reward accuracy',
  inputs: ['corpus', 'pretrain', 'ift', 'sft', 'rl1', 'rl2'],
  plan: (config: RecipeConfig) => ({ probes: config.eval.probes, verifiable: config.eval.verifiable, rewardProbes: config.eval.rewardProbes, retrievalK: config.eval.retrievalK }),
  run,
};
