import { defineConfig } from 'tsup';
import { packageConfig } from '../../tsup.base';

export default defineConfig(
  packageConfig(
    [/^@quarkmed\//, /^@tensorflow\//, /^@ai-sdk\//, 'zod'],
    {
      index: 'src/index.ts',
      'node/index': 'src/node/index.ts',
      'ai-sdk/index': 'src/ai-sdk/index.ts',
      cli: 'src/node/cli/bin.ts',
    },
    // the recipe's corpus stage reads the repository's shipped medical text (defaultMedicalTextDir walks up to dist/data/)
    { '../../data/medical-text': 'data/medical-text' },
  ),
);
