/**
 * The held-out knowledge probes of the knowledge-graph subset shipped with `@quarkmed/data-synth` (or of a folder
 * of full sources).
 *
 * @packageDocumentation
 */
import { buildMedicalKg } from '@quarkmed/data-synth/node';
import { buildKnowledgeProbes, type KnowledgeProbeOptions } from '../../eval/knowledge-probes';
import type { ChoiceItem, YesNoMaybeItem } from '../../eval/types';

/** Options of {@link loadKnowledgeProbes}. */
export interface LoadKnowledgeProbesOptions extends KnowledgeProbeOptions {
  /** Folder of knowledge-graph sources (default: the shipped subset). */
  kgDir?: string;
}

/** Builds the knowledge graph and its held-out probes (see `buildKnowledgeProbes`). */
export async function loadKnowledgeProbes(options: LoadKnowledgeProbesOptions): Promise<Array<ChoiceItem | YesNoMaybeItem>> {
  const { kgDir, ...rest } = options;
  const { kg } = await buildMedicalKg(kgDir !== undefined ? { dir: kgDir } : {});
  return buildKnowledgeProbes(kg, rest);
}
