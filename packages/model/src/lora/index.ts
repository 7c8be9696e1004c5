/**
 * LoRA: low-rank adapters on the decoder's linear layers, merge/unmerge, PEFT adapters as bytes (directories: `@quarkmed/model/node`).
 *
 * @packageDocumentation
 */
export { LORA_TARGETS, LoraConfigError, hfModuleSuffix, moduleTarget, parseTarget, resolveLoraConfig } from './lora-config';
export type { LoraConfig, LoraTarget, ResolvedLoraConfig } from './lora-config';
export { LoraAdapter, loraAInit } from './lora-adapter';
export type { LoraAdapterOptions } from './lora-adapter';
export { LoraHandle, LoraStateError, applyLora } from './apply-lora';
export type { LoraTargetModel } from './apply-lora';
export {
  PEFT_CONFIG_FILE,
  PEFT_WEIGHTS_FILE,
  ADAPTER_CONFIG_KEY,
  adapterConfigFingerprint,
  loadLoraAdaptersFromFiles,
  loadLoraWeightsFromFiles,
  loraConfigFromPeft,
  peftAdapterConfig,
  peftTensorNames,
  serializeLoraAdapters,
} from './peft';
export type { SaveLoraOptions } from './peft';
