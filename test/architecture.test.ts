import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script shared with the command line, no type declarations
import { importEdges } from '../scripts/importGraph.mjs';

const doc = readFileSync(join(import.meta.dirname, '..', 'docs', 'architecture.md'), 'utf8');

/** The arrows of the doc's mermaid picture, in the script's notation (folders joined with `/`). */
function pictureEdges(): string[] {
  const block = /```mermaid\n([\s\S]*?)```/.exec(doc)?.[1] ?? '';
  return block
    .split('\n')
    .map((l) => /^\s*(\w+)\s*-->\s*(\w+)\s*$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => `${m[1]!.replace('_', '/')} --> ${m[2]!.replace('_', '/')}`)
    .sort();
}

describe('docs/architecture.md', () => {
  it('its picture shows exactly the imports between the parts of the production code', () => {
    const code = (importEdges() as string[]).slice().sort();
    expect(code.length).toBeGreaterThan(10);
    expect(pictureEdges()).toEqual(code);
  });
});
