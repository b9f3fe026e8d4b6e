// Lint rules for the whole repository: typescript-eslint's recommended set, type-aware where it pays.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'web/dist/', 'coverage/', 'artifacts/', 'test-artifacts/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', URL: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
    },
  },
  {
    // The dashboard runs in a browser: no Node.js modules or globals (its tests may use them).
    files: ['web/src/**/*.{ts,tsx}'],
    ignores: ['web/src/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['node:*'], message: 'web/src is browser code; Node.js modules are not there.' }] }],
      'no-restricted-globals': ['error', { name: 'process', message: 'web/src is browser code' }, { name: 'Buffer', message: 'web/src is browser code' }, { name: 'require', message: 'web/src is browser code' }],
    },
  },
);
