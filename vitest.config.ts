import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'commands/**/*.test.ts', 'db/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // PGlite is WebAssembly on two cores: generous timeouts, and at most two files at once.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
