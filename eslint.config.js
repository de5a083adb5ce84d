// Flat config. Syntax-only typescript-eslint rules (no type information), so a
// full `eslint .` stays fast on small CI machines.
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';
import layers from './eslint-layers.mjs';

const sourceDirs = '{gpu,analysis,renderer,electron,notebooks,bench,cli,test,bin}';

export default defineConfig(
  // gpu/wasm/kernels: AssemblyScript (its own decorators and types), compiled by gpu/wasm/build.mjs.
  globalIgnores(['**/node_modules/', '**/dist/', '**/out/', 'test/fixtures/', 'models/', 'artifacts/', 'gpu/wasm/kernels/']),
  {
    files: [`${sourceDirs}/**/*.{ts,tsx,mts,cts,js,mjs,cjs}`, '*.{ts,js,mjs}'],
    extends: [tseslint.configs.recommended],
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    plugins: { layers },
    rules: {
      // renderer/electron/cli → notebooks → analysis → gpu (eslint-layers.mjs).
      'layers/imports': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports' }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
        },
      ],
    },
  },
);
