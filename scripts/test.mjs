#!/usr/bin/env node
// The README's test command: type-check, lint, unit and integration tests, then the e2e suite.
// Vitest's own summary is not a line CI reads, so this prints one plain closing line:
// "tests: N passed, N failed, N skipped".
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, existsSync, rmSync } from 'node:fs';

const only = process.argv.slice(2); // e.g. `npm test -- unit` or `npm test -- e2e`
const want = (k) => only.length === 0 || only.includes(k);
const run = (cmd, args) => spawnSync(cmd, args, { stdio: 'inherit', env: process.env }).status ?? 1;

mkdirSync('.test-results', { recursive: true });
let failedSteps = 0;
const totals = { passed: 0, failed: 0, skipped: 0 };

if (want('typecheck')) {
  console.log('\n== type-check ==');
  if (run('npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']) !== 0) failedSteps++;
}

if (want('lint')) {
  console.log('\n== lint (ESLint with zero warnings, Prettier, knip: no unused files, exports or dependencies) ==');
  if (run('npx', ['eslint', '.', '--max-warnings', '0']) !== 0) failedSteps++;
  if (run('npx', ['prettier', '--check', '--log-level', 'warn', '**/*.{ts,tsx,mjs,js}']) !== 0) failedSteps++;
  if (run('npx', ['knip', '--no-progress']) !== 0) failedSteps++;
}

for (const [name, config] of [
  ['unit', 'vitest.config.ts'],
  ['e2e', 'vitest.e2e.config.ts'],
]) {
  if (!want(name) || !existsSync(config)) continue;
  console.log(`\n== ${name} tests ==`);
  const out = `.test-results/${name}.json`;
  rmSync(out, { force: true });
  const code = run('npx', ['vitest', 'run', '--config', config, '--reporter=default', '--reporter=json', `--outputFile.json=${out}`]);
  if (!existsSync(out)) {
    failedSteps++;
    continue;
  }
  const r = JSON.parse(readFileSync(out, 'utf8'));
  totals.passed += r.numPassedTests;
  totals.failed += r.numFailedTests;
  totals.skipped += r.numPendingTests + r.numTodoTests;
  if (code !== 0 && r.numFailedTests === 0) failedSteps++; // e.g. a suite that failed to load
}

console.log(`\ntests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(failedSteps > 0 || totals.failed > 0 ? 1 : 0);
