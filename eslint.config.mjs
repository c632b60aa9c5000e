import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.e2e-out/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': ['error', { ignoreVoid: false, checkThenables: true }],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      // Off: an `async` function without `await` is how a synchronous throw becomes a rejection (dispatch, fakes).
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'Only src/extension may import vscode.' }] }],
    },
  },
  { files: ['src/extension/**', 'test/vscode/**'], rules: { 'no-restricted-imports': 'off' } },
  // The relay-floor fixture is a bare CommonJS extension that VS Code loads as it is (bench/e2eLatency.bench.ts packages it).
  { files: ['bench/relayFloor/**'], rules: { '@typescript-eslint/no-require-imports': 'off' } },
  // Tests read untyped wire messages; `any` keeps their assertions short.
  { files: ['test/**', 'bench/**'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
);
