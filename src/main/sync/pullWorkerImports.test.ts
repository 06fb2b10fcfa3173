import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// A first sync waits for its pull worker to start, and the worker starts by loading its module
// graph: drizzle and the client schema alone made that ~50–100 ms longer (db/writerConnection.ts).
// Pins that the worker's runtime imports (type-only imports vanish when built) reach neither.

/** Every module `entry` loads at run time, with the packages they import. */
function runtimeGraph(entry: string): { modules: string[]; packages: Set<string> } {
  const modules = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (modules.has(file)) return;
    modules.add(file);
    const source = readFileSync(file, 'utf8');
    for (const m of source.matchAll(/^import\s+(type\s+)?[^'"]*?from\s+'([^']+)'/gm)) {
      if (m[1]) continue;
      const spec = m[2]!;
      if (!spec.startsWith('.')) {
        packages.add(spec);
        continue;
      }
      const ts = resolve(dirname(file), spec).replace(/\.js$/, '.ts');
      if (existsSync(ts)) visit(ts);
    }
  };
  visit(entry);
  return { modules: [...modules].map((f) => relative(resolve(import.meta.dirname, '..', '..'), f)), packages };
}

describe('the pull worker', () => {
  it('loads neither drizzle nor the client schema: only better-sqlite3, zod and Node', () => {
    const { modules, packages } = runtimeGraph(resolve(import.meta.dirname, 'pullWorkerMain.ts'));
    expect(modules).toContain('main/sync/applyPullPage.ts');
    expect(modules).not.toContain('main/db/schema.ts');
    expect(modules).not.toContain('main/db/open.ts');
    expect([...packages].filter((p) => !p.startsWith('node:')).sort()).toEqual(['better-sqlite3', 'zod']);
  });
});
