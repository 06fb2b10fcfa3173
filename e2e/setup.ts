import { afterAll, afterEach } from 'vitest';
import { takeProblems } from './harness.js';

// Every e2e spec: a console error or an uncaught page error fails the test during which it
// appeared (normal use logs none), and any that arrive after the last test fail the file.

function check(): void {
  const seen = takeProblems();
  if (seen.length === 0) return;
  const lines = seen.map((p) => `[${p.app}] ${p.kind}: ${p.text}`);
  throw new Error(`the page logged ${seen.length} error(s):\n${lines.join('\n')}`);
}

afterEach(check);
afterAll(check);
