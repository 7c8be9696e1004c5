import { defineConfig } from 'tsup';
import { packageConfig } from '../../tsup.base';

export default defineConfig(packageConfig([/^@quarkmed\//], { index: 'src/index.ts', 'node/index': 'src/node/index.ts' }, { 'data/kg-subset': 'data/kg-subset' }));
