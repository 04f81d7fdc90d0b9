import { defineConfig } from 'vitest/config';

/**
 * The soak measures memory, event-loop lag and descriptors of a running server, so it runs
 * alone after the rest (`npm run test:soak`, HSI_SOAK=1), never beside other test files.
 */
const SOAK = 'tests/reliability/soak.test.ts';
const soakOnly = Boolean(process.env.HSI_SOAK);

export default defineConfig({
  test: {
    include: soakOnly
      ? [SOAK]
      : [
          'tests/unit/**/*.test.ts',
          'tests/integration/**/*.test.ts',
          'tests/reliability/**/*.test.ts',
        ],
    exclude: soakOnly ? [] : [SOAK, '**/node_modules/**'],
    globalSetup: ['tests/reliability/summary.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 20_000,
    hookTimeout: 30_000,
    env: { HSI_LOG_LEVEL: 'silent' },
  },
});
