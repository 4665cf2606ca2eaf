// The layering rules of ARCHITECTURE.md, enforced: shared ← main/core ← faces; renderer ← shared.
// `npm test` runs this; `npm run lint` alone too.
import importPlugin from 'eslint-plugin-import';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

const FRAMEWORKS_OUTSIDE_THE_CORE = [
  { name: 'electron', message: 'main/core knows no face: take what differs per face as an interface from FaceDeps.' },
  { name: 'fastify', message: 'main/core knows no face: HTTP lives in main/headless.' },
  { name: 'react', message: 'main/core knows no face: screens live in renderer/.' },
  { name: 'react-dom', message: 'main/core knows no face: screens live in renderer/.' },
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', '.native/**', 'demo-data/**'] },
  {
    files: ['main/**/*.ts', 'main/**/*.cts', 'shared/**/*.ts', 'renderer/src/**/*.{ts,tsx}', 'migrations/**/*.ts'],
    languageOptions: { parser: tseslint.parser, parserOptions: { ecmaVersion: 'latest', sourceType: 'module' } },
    plugins: { import: importPlugin },
    settings: {
      'import/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx', '.cts'] },
      'import/resolver': { typescript: { project: ['tsconfig.main.json', 'tsconfig.renderer.json'], noWarnOnMultipleProjects: true }, node: true },
    },
    rules: {
      'import/no-cycle': ['error', { ignoreExternal: true }],
      'import/no-restricted-paths': [
        'error',
        {
          zones: [
            { target: './shared', from: ['./main', './renderer', './migrations'], message: 'shared/ is the contract: it imports nothing of ours.' },
            { target: './main/core', from: ['./main/electron', './main/headless', './main/cli', './renderer'], message: 'main/core knows no face.' },
            { target: './migrations', from: ['./main/electron', './main/headless', './main/cli', './renderer'] },
            { target: './renderer', from: ['./main', './migrations'], message: 'The screens reach the core only through the Api client and shared/.' },
            { target: './main/electron', from: ['./main/headless', './main/cli'], message: 'The faces never import each other.' },
            { target: './main/headless', from: ['./main/electron', './main/cli'], message: 'The faces never import each other.' },
          ],
        },
      ],
    },
  },
  {
    files: ['main/core/**/*.ts', 'shared/**/*.ts', 'migrations/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: FRAMEWORKS_OUTSIDE_THE_CORE, patterns: [{ group: ['@fastify/*', 'electron-*', 'electron/*'], message: 'main/core knows no face.' }] },
      ],
    },
  },
  {
    files: ['renderer/src/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'warn',
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['node:*'], message: 'The screens run in a sandboxed renderer: no Node modules.' }], paths: [{ name: 'electron', message: 'The screens reach the desktop only through the preload (invoke, subscribe).' }] },
      ],
    },
  },
);
