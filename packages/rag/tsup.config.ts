import { defineConfig } from 'tsup';
import { packageConfig } from '../../tsup.base';

export default defineConfig(packageConfig([/^@quarkmed\//, /^@tensorflow\//, /^@langchain\//, 'pg'], { index: 'src/index.ts', 'node/index': 'src/node/index.ts', 'langchain/index': 'src/langchain/index.ts' }, { 'models/quarkmed-embed-mini': 'models/quarkmed-embed-mini' }));
