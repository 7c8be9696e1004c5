import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** The @quarkmed packages the recipe uses. */
const PACKAGES = ['tensor-kernels', 'model', 'data-synth', 'verifier', 'grpo', 'rag', 'pipeline'];

/**
 * Versions of the @quarkmed packages, read from the `package.json` each one resolves to from this module (the
 * workspace's packages in the monorepo, the installed ones elsewhere); `unknown` when one cannot be resolved.
 */
export function packageVersions(): Record<string, string> {
  const require = createRequire(import.meta.url);
  const out: Record<string, string> = {};
  for (const p of PACKAGES) {
    try {
      out[`@quarkmed/${p}`] = (JSON.parse(readFileSync(require.resolve(`@quarkmed/${p}/package.json`), 'utf8')) as { version: string }).version;
    } catch {
      out[`@quarkmed/${p}`] = 'unknown';
    }
  }
  return out;
}
