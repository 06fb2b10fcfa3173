import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// Issue 12, item 6: the server's domain code refuses with DomainError and takes parsed requests;
// only the HTTP edge (src/server/http) knows statuses, ApiError and request bodies. The
// architecture picture cannot see this for the top-level modules (ingest.ts, scopes.ts, ...),
// which share the `server` part with startServer.ts, the one module that wires the edge in.

const serverDir = join(import.meta.dirname, '..', 'src', 'server');
const httpDir = join(serverDir, 'http');
/** The server's composition root: it builds the Fastify app, so it imports the edge by design. */
const WIRES_THE_EDGE = new Set(['startServer.ts']);

function* productionSources(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (path !== httpDir && name !== 'testing') yield* productionSources(path);
    } else if (name.endsWith('.ts') && !name.endsWith('.test.ts') && !WIRES_THE_EDGE.has(relative(serverDir, path))) yield path;
  }
}

const importsOf = (file: string): string[] =>
  [...readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => resolve(dirname(file), m[1]!));

describe('server layering', () => {
  it('no domain module of the server imports the HTTP edge', () => {
    const files = [...productionSources(serverDir)];
    expect(files.map((f) => relative(serverDir, f))).toEqual(
      expect.arrayContaining(['ingest.ts', 'scopes.ts', 'erasure.ts', 'auth/login.ts', 'sync/push.ts']),
    );
    const offenders = files.flatMap((f) =>
      importsOf(f)
        .filter((t) => t.startsWith(httpDir + '/'))
        .map((t) => `${relative(serverDir, f)} -> ${relative(serverDir, t)}`),
    );
    expect(offenders).toEqual([]);
  });

  it('no domain module parses a request body or names an HTTP status', () => {
    const files = [...productionSources(serverDir)];
    const offenders = files
      .filter((f) => /\bparseBody\b|\bApiError\b|\bstatusCode\b/.test(readFileSync(f, 'utf8')))
      .map((f) => relative(serverDir, f));
    expect(offenders).toEqual([]);
  });
});
