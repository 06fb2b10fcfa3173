import { z } from 'zod';

// The platform schema's enums. Both databases turn these lists into CHECKs (or
// PostgreSQL enums), so a value outside them cannot be stored anywhere.
export const ROLES = ['student', 'teacher', 'admin', 'champion', 'superadmin'] as const;
export const ACTION_TYPES = [
  'enrolled',
  'viewed_module',
  'started_module',
  'completed_module',
  'answered_question',
  'posted_thread',
  'posted_reply',
  'completed_course',
  'unenrolled',
] as const;
export const TARGET_TYPES = ['module', 'content_block', 'question', 'course', 'cohort', 'forum', 'thread', 'post'] as const;
export const SOURCE_SYSTEMS = ['webhook', 'app', 'stripe', 'segment', 'manual', 'cron_worker'] as const;
export const STAGES = ['candidate', 'selected', 'champion', 'alumni'] as const;
export const COHORT_STATUSES = ['planned', 'active', 'finished'] as const;
export const ENROLLMENT_STATUSES = ['active', 'completed', 'withdrawn'] as const;
/** Upstream systems that may use the ingest endpoint: every source but the app's own `manual`. */
const INGEST_SOURCE_SYSTEMS = ['webhook', 'app', 'stripe', 'segment', 'cron_worker'] as const;
/**
 * What an ingest key is bound to: one upstream system, whose rows alone it may write, or
 * `platform` (the platform's own back end), which may write rows of any upstream source.
 */
export const INGEST_KEY_SOURCES = [...INGEST_SOURCE_SYSTEMS, 'platform'] as const;

export const Role = z.enum(ROLES);
export const ActionType = z.enum(ACTION_TYPES);
export const TargetType = z.enum(TARGET_TYPES);
export const SourceSystem = z.enum(SOURCE_SYSTEMS);
export const Stage = z.enum(STAGES);
export const IngestKeySource = z.enum(INGEST_KEY_SOURCES);

export type Role = z.infer<typeof Role>;
export type ActionType = z.infer<typeof ActionType>;
export type TargetType = z.infer<typeof TargetType>;
export type SourceSystem = z.infer<typeof SourceSystem>;
export type Stage = z.infer<typeof Stage>;
export type IngestKeySource = z.infer<typeof IngestKeySource>;

/** Roles that make a user a coordinator (docs/protocol.md: may push and pull; ingest needs an ingest key). */
export const isCoordinator = (roles: readonly string[]): boolean => roles.some((r) => r === 'admin' || r === 'superadmin');
