import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultMigrationsFolder } from './open.js';

// drizzle-kit diffs schema.ts against the newest snapshot in the migrations folder. Run it
// on a copy of drizzle/client: if it wants to write a migration, schema.ts and the
// committed migrations have drifted apart (someone edited one without regenerating).
const migrations = defaultMigrationsFolder();
const repo = resolve(migrations, '..', '..');
const work = mkdtempSync(join(tmpdir(), 'afh-drift-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('schema drift', () => {
  it('drizzle-kit finds no changes between schema.ts and drizzle/client', () => {
    const out = join(work, 'client');
    cpSync(migrations, out, { recursive: true });
    const before = readdirSync(out).sort();
    const r = spawnSync(
      join(repo, 'node_modules', '.bin', 'drizzle-kit'),
      ['generate', '--dialect', 'sqlite', '--schema', './src/main/db/schema.ts', '--out', relative(repo, out)],
      { cwd: repo, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } },
    );
    const output = `${r.stdout}\n${r.stderr}`;
    expect(r.status, output).toBe(0);
    expect(readdirSync(out).sort(), `schema.ts changed without "npm run db:generate:client":\n${output}`).toEqual(before);
    expect(output).toMatch(/No schema changes/);
  });
});
