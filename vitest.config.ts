import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    environment: 'node',
    pool: 'forks',
    // Vitest's default on 2 cores is one worker. Test files share nothing (each has its own
    // PGlite folder, PostgreSQL database, ports and temp files: src/server/testing), and much of
    // their time is waiting on fsync, sockets and child processes, so two at a time: measured on
    // the 2-core CI machine, 702 s → 531 s for the whole unit suite, every test passing.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
