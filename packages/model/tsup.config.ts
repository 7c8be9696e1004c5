import { defineConfig } from 'tsup';
import { packageConfig } from '../../tsup.base';

export default defineConfig(packageConfig([/^@tensorflow\//, /^@quarkmed\//, /^@huggingface\//], { index: 'src/index.ts', 'node/index': 'src/node/index.ts' }));
