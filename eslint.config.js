import js from '@eslint/js';
import globals from 'globals';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

/**
 * The layers of src-main, lowest first. A folder may import from the folders before it (and
 * from src-shared), never from those after it: so domains never reach app/, bridge/, web/ or
 * electron/, db/ reaches no domain, and no two folders can import each other (no cycles
 * between folders). A new folder goes where its imports put it.
 */
export const LAYERS = [
  'common',
  'db',
  'system',
  'rum',
  'jobs',
  'services',
  'calibration',
  'cameras',
  'zones',
  'detections',
  'detect',
  'ingest',
  'media',
  'prompts',
  'risk',
  'aggregate',
  'events',
  'notify',
  'mqtt',
  'alerts',
  'recalibrate',
  'exports',
  'analytics',
  'telemetry',
  'debug',
  'retention',
  'bridge',
  'app',
  'web',
  'electron',
];

/** The edges are siblings: neither builds on the other. */
const SIBLINGS = [['web', 'electron']];

function layeringZones() {
  const zones = [];
  LAYERS.forEach((layer, i) => {
    const higher = LAYERS.slice(i + 1).filter(
      (other) =>
        !SIBLINGS.some(([a, b]) => (a === layer && b === other) || (b === layer && a === other)),
    );
    if (higher.length) {
      zones.push({
        target: `./src-main/${layer}`,
        from: higher.map((other) => `./src-main/${other}`),
        message: `src-main/${layer} sits below these folders and may not import them (layers in eslint.config.js).`,
      });
    }
  });
  for (const [a, b] of SIBLINGS) {
    zones.push({
      target: `./src-main/${a}`,
      from: `./src-main/${b}`,
      message: `${a} and ${b} are separate edges.`,
    });
    zones.push({
      target: `./src-main/${b}`,
      from: `./src-main/${a}`,
      message: `${a} and ${b} are separate edges.`,
    });
  }
  zones.push({
    target: './src-shared',
    from: ['./src-main', './src-renderer'],
    message: 'src-shared is pure and shared: it imports nothing from main or the renderer.',
  });
  zones.push({
    target: './src-renderer',
    from: './src-main',
    message: 'The renderer reaches the app only through the API client (src-shared types).',
  });
  return zones;
}

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'release/',
      'node_modules/',
      'test-results/',
      'reports/',
      'playwright-report/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/only-throw-error': 'off',
      'no-console': 'error',
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportDefaultDeclaration', message: 'Use named exports.' },
        {
          selector:
            'CallExpression[callee.object.name=/^(it|test|describe)$/][callee.property.name=/^(only|skip)$/]',
          message: 'No focused or skipped tests.',
        },
      ],
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'electron', message: 'Only src-main/electron/ may import electron.' }] },
      ],
    },
  },
  {
    files: ['src-main/**', 'src-shared/**', 'src-renderer/**'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [
        createNodeResolver({ extensions: ['.ts', '.tsx', '.js', '.mjs'] }),
      ],
      'import-x/extensions': ['.ts', '.tsx', '.js', '.mjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx'] },
    },
    rules: {
      'import-x/no-restricted-paths': ['error', { zones: layeringZones() }],
      // Runtime cycles between files (type-only imports cannot form one).
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
  {
    files: ['src-main/electron/**'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['src-renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: { ...reactHooks.configs.recommended.rules },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['tests/**'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/unbound-method': 'off',
      'no-empty-pattern': 'off',
    },
  },
  {
    files: ['scripts/**', 'bin/**', 'tests/bench/**'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['*.config.ts', '*.config.js'],
    rules: { 'no-restricted-syntax': 'off' },
  },
);
