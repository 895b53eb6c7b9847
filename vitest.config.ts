import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: run files in a few workers; each test boots its own Portico on free ports.
    pool: 'forks',
    maxWorkers: 2,
  },
});
