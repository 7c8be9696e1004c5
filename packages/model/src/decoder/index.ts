/**
 * The decoder: {@link LlamaModel}, its layers, the {@link KVCache} and initialisation helpers.
 *
 * @packageDocumentation
 */
export { LlamaModel, countParameters } from './llama';
export type { LlamaModelOptions, ForwardOptions, ForwardOutput, LossOptions, LossOutput } from './llama';
export { KVCache } from './kv-cache';
export type { KVCacheLayer } from './kv-cache';
export { Linear } from './linear';
export type { LinearAdapter, LinearContext } from './linear';
export { ModelInputError } from './errors';
export { selfAttention, splitHeads, mergeHeads } from './attention';
export type { AttentionProjections, AttentionArgs } from './attention';
export { swigluMlp } from './mlp';
export type { MlpProjections } from './mlp';
export { moeForward, topKSelection } from './moe';
export type { MoeModules, MoeOutput } from './moe';
export { deriveSeed, mulberry32, normalValues, initTensor, makeVariable } from './init';
export type { InitSpec } from './init';
export { ropeParameters, isDynamicRope } from './rope-scaling';
export type { RopeScaling, LinearRopeScaling, DynamicRopeScaling, YarnRopeScaling, Llama3RopeScaling, RopeBase, RopeParameters } from './rope-scaling';
export type { AttentionRope } from './attention';
