import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The @quarkmed packages the recipe uses. */
const PACKAGES = ['tensor-kernels', 'model', 'data-synth', 'verifier', 'grpo', 'rag', 'pipeline'];

/** Versions of the @quarkmed packages (read from the workspace's package.json files, `unknown` when not found). */
export function packageVersions(): Record<string, string> {
  const here = dirname(fileURLToPath(import.meta.url));
  const packagesDir = join(here, '..', '..', '..', '..');
  const out: Record<string, string> = {};
  for (const p of PACKAGES) {
    try {
      out[`@quarkmed/${p}`] = (JSON.parse(readFileSync(join(packagesDir, p, 'package.json'), 'utf8')) as { version: string }).version;
    } catch {
      out[`@quarkmed/${p}`] = 'unknown';
    }
  }
  return out;
}
