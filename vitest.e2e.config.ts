import { defineConfig } from 'vitest/config';

// End-to-end suite: real Chromium driving the built renderer through the browser host against
// the real reference server. One file at a time: each starts servers and a browser, and the
// machine has two cores.
export default defineConfig({
  test: {
    include: ['e2e/**/*.spec.ts'],
    globalSetup: ['e2e/globalSetup.ts'],
    setupFiles: ['e2e/setup.ts'],
    environment: 'node',
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 240_000,
  },
});
