import { asc, count, desc, eq } from 'drizzle-orm';
import type { Role } from '../../../shared/enums.js';
import type { CallOutput, ParsedInput } from '../../../shared/ipc.js';
import type { AppDb } from '../open.js';
import { cohort, enrollment, user, userAction } from '../schema.js';
import { championCards, championsOfUser } from './championCards.js';

// One member's page: profile, enrollments (newest first), champion rows, and how many
// actions the timeline below will page through.

export function getMember(app: AppDb, input: ParsedInput<'member.get'>): CallOutput<'member.get'> | null {
  const u = app.db.select().from(user).where(eq(user.id, input.id)).get();
  if (!u) return null;
  const enrollments = app.db
    .select({
      id: enrollment.id,
      user_id: enrollment.userId,
      cohort_id: enrollment.cohortId,
      course_name: enrollment.courseName,
      status: enrollment.status,
      enrolled_at: enrollment.enrolledAt,
      cohortName: cohort.name,
    })
    .from(enrollment)
    .leftJoin(cohort, eq(cohort.id, enrollment.cohortId))
    .where(eq(enrollment.userId, input.id))
    .orderBy(desc(enrollment.enrolledAt), asc(enrollment.id))
    .all();
  const actions = app.db.select({ n: count() }).from(userAction).where(eq(userAction.userId, input.id)).get();
  return {
    user: {
      id: u.id,
      email: u.email,
      name: u.name,
      origin: u.origin,
      profile_img: u.profileImg,
      roles: JSON.parse(u.roles) as Role[],
      created_at: u.createdAt,
    },
    enrollments: enrollments.map((e) => ({ ...e, status: e.status as 'active' | 'completed' | 'withdrawn' })),
    champions: championCards(app, championsOfUser(input.id)),
    actionCount: actions?.n ?? 0,
  };
}
