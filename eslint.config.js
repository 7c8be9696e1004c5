import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

/** Node built-ins by every name an import can use (`fs`, `fs/promises`, `node:fs`, ...). */
const NODE_BUILTINS = [...new Set(builtinModules.flatMap((m) => [m.replace(/^node:/, ''), `node:${m.replace(/^node:/, '')}`]))];
const BROWSER_SAFE_MESSAGE =
  'browser-safe source: Node built-ins belong in src/node/ (exported from the package\'s ./node entry); take bytes, strings or streams here.';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'docs/api/**', '**/*.generated.ts', 'examples/docs-check/.snippets*/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: Object.fromEntries(
        ['console', 'process', 'globalThis', 'Buffer', 'URL', 'TextEncoder', 'TextDecoder', 'performance', 'setTimeout',
          'clearTimeout', 'setImmediate', 'AbortController', 'AbortSignal', 'structuredClone', 'WebAssembly', 'fetch'].map(
          (name) => [name, 'readonly'],
        ),
      ),
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Everything reachable from a package's main entry must bundle for the browser (scripts/check-browser-bundles.mjs).
    files: ['packages/*/src/**/*.ts'],
    ignores: ['packages/*/src/node/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: NODE_BUILTINS.map((name) => ({ name, message: BROWSER_SAFE_MESSAGE })) }],
      'no-restricted-globals': [
        'error',
        ...['process', 'Buffer', '__dirname', '__filename', 'require', 'module', 'exports', 'global'].map((name) => ({
          name,
          message: `${BROWSER_SAFE_MESSAGE} (reach Node-only globals through a guarded globalThis lookup when a feature must detect Node)`,
        })),
      ],
      'no-restricted-syntax': [
        'error',
        { selector: 'ImportExpression[source.value=/^node:/]', message: BROWSER_SAFE_MESSAGE },
        { selector: "CallExpression[callee.name='require']", message: BROWSER_SAFE_MESSAGE },
        { selector: 'TSImportType[argument.literal.value=/^node:/]', message: BROWSER_SAFE_MESSAGE },
      ],
    },
  },
);
