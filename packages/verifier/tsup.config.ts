import { defineConfig } from 'tsup';
import { packageConfig } from '../../tsup.base';

// The data files the verifiers read at run time (VERIFIER_DATA_FILES) and their attributions, into dist/data/.
const data = ['icd10cm-fy2022.tsv.gz', 'icd10-who-categories-zh.tsv', 'icd10-chapters-blocks.tsv', 'do-subset.tsv.gz', 'README.md'];

export default defineConfig(
  packageConfig([/^@quarkmed\//, /^@tensorflow\//], { index: 'src/index.ts', 'node/index': 'src/node/index.ts' }, Object.fromEntries(data.map((f) => [`data/${f}`, `data/${f}`]))),
);
