// ESLint (flat config) with typescript-eslint, type-aware: `npm run lint`, run by `npm test`.
import js from '@eslint/js';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // Only the project's own sources: not build output, run state, generated or recorded files.
  { ignores: ['dist/**', 'node_modules/**', 'bench/results/**', 'test/e2e/.work/**', '.manila-placement/**', '**/cdktf.out/**', '**/.gen/**', 'coverage/**', '.*.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { project: './tsconfig.test.json', tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    rules: {
      // A promise nobody awaits loses its error: the runner's whole point is that nothing is lost.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'import-x/first': 'error',
      'import-x/no-duplicates': 'error',
      'max-len': ['error', { code: 160, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true, ignoreUrls: true, ignoreComments: false }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-console': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'readonly', require: 'readonly', __dirname: 'readonly', process: 'readonly', console: 'readonly' } },
    // CommonJS files (jest's config, environment and sequencer; Node scripts) load with require().
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Tests and scripts may require() JSON and CommonJS helpers the way Node does.
    files: ['test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
