import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { openDatabase, openReadOnly } from '../../src/main/db/open.js';
import { DATABASE_FILE } from '../../src/main/core/createCore.js';

// A small local mirror written straight into the core's database file before the core
// opens it, as a pull would have left it.

export const SEED = {
  users: [
    { id: 'usr_1_maya', name: 'Maya López', email: 'maya.lopez@example.org', roles: '["student"]' },
    { id: 'usr_2_jose', name: 'José Núñez', email: 'jose@example.org', roles: '["teacher"]' },
    { id: 'usr_3_zoe', name: 'Zoë Adams', email: 'zoe@example.org', roles: '["admin"]' },
  ],
  cohortId: 'coh_1_spring',
  championId: 'ch_1_maya',
} as const;

export function seedLocal(dataDir: string): string {
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, DATABASE_FILE);
  const app = openDatabase(file);
  const now = '2026-04-01T10:00:00Z';
  const s = app.sqlite;
  for (const u of SEED.users) {
    s.prepare('INSERT INTO user (id, email, name, origin, profile_img, roles, created_at) VALUES (?, ?, ?, ?, NULL, ?, ?)').run(
      u.id,
      u.email,
      u.name,
      'uk',
      u.roles,
      now,
    );
  }
  s.prepare("INSERT INTO cohort (id, name, starts_at, ends_at, status, created_at) VALUES (?, 'Spring 2026', NULL, NULL, 'active', ?)").run(
    SEED.cohortId,
    now,
  );
  s.prepare("INSERT INTO champion (id, user_id, cohort_id, stage, notes) VALUES (?, ?, ?, 'candidate', 'keen')").run(
    SEED.championId,
    'usr_1_maya',
    SEED.cohortId,
  );
  s.prepare(
    "INSERT INTO champion_stage_change (id, champion_id, from_stage, to_stage, changed_at, changed_by, reason) VALUES ('csc_1', ?, NULL, 'candidate', ?, 'usr_3_zoe', NULL)",
  ).run(SEED.championId, now);
  s.prepare(
    "INSERT INTO user_action (id, user_id, action_type, metadata, source_system, occurred_at) VALUES ('act_1', 'usr_1_maya', 'enrolled', '{}', 'webhook', ?)",
  ).run(now);
  app.close();
  return file;
}

/** Every table's row count plus the sync bookkeeping, to prove a refused call changed nothing. */
export function snapshotDb(file: string): Record<string, unknown> {
  const app = openReadOnly(file);
  try {
    const tables = ['user', 'cohort', 'enrollment', 'user_action', 'champion', 'champion_stage_change', 'outbox', 'conflict', 'setting'];
    const out: Record<string, unknown> = {};
    for (const t of tables) out[t] = (app.sqlite.prepare(`SELECT count(*) AS n FROM "${t}"`).get() as { n: number }).n;
    out.champions = app.sqlite.prepare('SELECT * FROM champion ORDER BY id').all();
    out.settings = app.sqlite.prepare('SELECT * FROM setting ORDER BY key').all();
    out.syncState = app.sqlite.prepare('SELECT * FROM sync_state').all();
    return out;
  } finally {
    app.close();
  }
}
