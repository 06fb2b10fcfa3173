import { getTableColumns, sql } from 'drizzle-orm';
import { integer, jsonb, text, type PgTable } from 'drizzle-orm/pg-core';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { camelCase } from '../../shared/model/camelCase.js';
import { columnsOf, SYNC_TABLES, type SyncTableName } from '../../shared/model/tables.js';
import { pgColumns, ts } from './declaredColumns.js';
import { champion, cohort, mirroredTables, user, userAction } from './schema.js';

// The server's drizzle columns are derived from the declaration (declaredColumns.ts). The types
// are checked by tsc (npm run typecheck): each derived column has exactly the drizzle type the
// hand-written one had, and the inferred row types are what the server's queries were written against.

const DRIZZLE: { readonly [T in SyncTableName]: PgTable } = mirroredTables;

describe('the derived server columns', () => {
  it('are keyed by the camelCase of the declared names, named the declared names, in declaration order, then seq and wire', () => {
    for (const t of SYNC_TABLES) {
      const columns = Object.entries(getTableColumns(DRIZZLE[t]));
      expect(columns.map(([key]) => key)).toEqual([...columnsOf(t).map(camelCase), 'seq', 'wire']);
      expect(columns.map(([, c]) => c.name)).toEqual([...columnsOf(t), 'seq', 'wire']);
    }
  });

  it('have the drizzle types of the hand-written columns they replace', () => {
    expectTypeOf<typeof userAction.sourceEventId._.name>().toEqualTypeOf<'source_event_id'>();
    expectTypeOf(pgColumns('user')).toEqualTypeOf(handWrittenUser);
    expectTypeOf(pgColumns('champion')).toEqualTypeOf(handWrittenChampion);
    expectTypeOf(pgColumns('user_action').metadata).toEqualTypeOf(handWrittenMetadata);
  });

  it('infer the row types the server uses', () => {
    expectTypeOf<typeof user.$inferSelect>().toEqualTypeOf<{
      id: string;
      email: string;
      name: string;
      origin: string | null;
      profileImg: string | null;
      roles: string[];
      createdAt: string;
      seq: bigint;
      wire: string;
    }>();
    expectTypeOf<typeof userAction.$inferSelect.metadata>().toEqualTypeOf<Record<string, unknown>>();
    expectTypeOf<typeof champion.$inferInsert.notes>().toEqualTypeOf<string | undefined>();
    expectTypeOf<typeof champion.$inferInsert.stageVersion>().toEqualTypeOf<number | undefined>();
    expectTypeOf<typeof cohort.$inferSelect.startsAt>().toEqualTypeOf<string | null>();
  });
});

// Columns as they were spelled before they were derived: the expected types above.
const handWrittenUser = {
  id: text('id').primaryKey(),
  email: text('email').notNull(),
  name: text('name').notNull(),
  origin: text('origin'),
  profileImg: text('profile_img'),
  roles: jsonb('roles')
    .$type<string[]>()
    .notNull()
    .default(sql`'[]'::jsonb`),
  createdAt: ts('created_at').notNull(),
};
const handWrittenChampion = {
  id: text('id').primaryKey(),
  userId: text('user_id').notNull(),
  cohortId: text('cohort_id'),
  stage: text('stage').notNull(),
  notes: text('notes').notNull().default(''),
  selectedAt: ts('selected_at'),
  becameChampionAt: ts('became_champion_at'),
  stageVersion: integer('stage_version').notNull().default(1),
};
const handWrittenMetadata = jsonb('metadata')
  .$type<Record<string, unknown>>()
  .notNull()
  .default(sql`'{}'::jsonb`);
