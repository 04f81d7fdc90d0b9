import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'tests/unit/**/*.test.ts',
      'tests/integration/**/*.test.ts',
      'tests/reliability/**/*.test.ts',
    ],
    globalSetup: ['tests/reliability/summary.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 20_000,
    hookTimeout: 30_000,
    env: { HSI_LOG_LEVEL: 'silent' },
  },
});
