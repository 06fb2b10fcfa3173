import { getTableColumns } from 'drizzle-orm';
import { integer, text, type SQLiteTable } from 'drizzle-orm/sqlite-core';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { camelCase, type CamelCase } from '../../shared/model/camelCase.js';
import { columnsOf, SYNC_TABLES, TABLES, type SyncTableName } from '../../shared/model/tables.js';
import { sqliteColumns } from './declaredColumns.js';
import { champion, championStageChange, mirroredTables, user, userAction } from './schema.js';

// The client's drizzle columns are derived from the declaration (declaredColumns.ts). The types
// are checked by tsc (npm run typecheck): each derived column has exactly the drizzle type the
// hand-written one had, and the inferred row types are what the queries were written against.

const DRIZZLE: { readonly [T in SyncTableName]: SQLiteTable } = mirroredTables;

describe('the derived client columns', () => {
  it('are keyed by the camelCase of the declared names, named the declared names, in declaration order', () => {
    for (const t of SYNC_TABLES) {
      const localOnly: readonly string[] = TABLES[t].localOnly;
      const columns = Object.entries(getTableColumns(DRIZZLE[t])).filter(([, c]) => !localOnly.includes(c.name));
      expect(columns.map(([key]) => key)).toEqual(columnsOf(t).map(camelCase));
      expect(columns.map(([, c]) => c.name)).toEqual(columnsOf(t));
    }
    expect(Object.keys(getTableColumns(championStageChange)).at(-1)).toBe('pendingMutationId');
  });

  it('have the drizzle types of the hand-written columns they replace', () => {
    expectTypeOf<CamelCase<'became_champion_at'>>().toEqualTypeOf<'becameChampionAt'>();
    expectTypeOf<typeof user.profileImg._.name>().toEqualTypeOf<'profile_img'>();
    expectTypeOf(sqliteColumns('champion')).toEqualTypeOf(handWrittenChampion);
    expectTypeOf(sqliteColumns('user')).toEqualTypeOf(handWrittenUser);
  });

  it('infer the row types the queries use', () => {
    expectTypeOf<typeof userAction.$inferSelect>().toEqualTypeOf<{
      id: string;
      userId: string;
      enrollmentId: string | null;
      actionType: string;
      targetType: string | null;
      targetId: string | null;
      metadata: string;
      sourceSystem: string | null;
      sourceEventId: string | null;
      idempotencyKey: string | null;
      occurredAt: string;
    }>();
    expectTypeOf<typeof championStageChange.$inferInsert>().toEqualTypeOf<{
      id: string;
      championId: string;
      fromStage?: string | null | undefined;
      toStage: string;
      changedAt: string;
      changedBy: string;
      reason?: string | null | undefined;
      pendingMutationId?: number | null | undefined;
    }>();
    expectTypeOf<typeof champion.$inferSelect.stageVersion>().toEqualTypeOf<number>();
    expectTypeOf<typeof user.$inferSelect.roles>().toEqualTypeOf<string>();
  });
});

// Two tables' columns as they were spelled before they were derived: the expected types above.
const handWrittenChampion = {
  id: text('id').primaryKey(),
  userId: text('user_id').notNull(),
  cohortId: text('cohort_id'),
  stage: text('stage').notNull(),
  notes: text('notes').notNull().default(''),
  selectedAt: text('selected_at'),
  becameChampionAt: text('became_champion_at'),
  stageVersion: integer('stage_version').notNull().default(1),
};
const handWrittenUser = {
  id: text('id').primaryKey(),
  email: text('email').notNull(),
  name: text('name').notNull(),
  origin: text('origin'),
  profileImg: text('profile_img'),
  roles: text('roles').notNull().default('[]'),
  createdAt: text('created_at').notNull(),
};
