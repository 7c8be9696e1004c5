import { defineConfig } from 'tsup';
import { packageConfig } from '../../tsup.base';

export default defineConfig(
  packageConfig([/^@tensorflow\//, 'webgpu', '@quarkmed/tensor-kernels/node'], { index: 'src/index.ts', 'node/index': 'src/node/index.ts' }),
);
