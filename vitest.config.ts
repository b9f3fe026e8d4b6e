// Test runner settings: unit tests beside their sources, integration tests under test/integration.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'bin/**/*.test.ts', 'web/src/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Integration tests share cgroups and memory headroom: run files one at a time.
    fileParallelism: false,
    reporters: ['default', './test/reporters/summary.ts'],
  },
});
