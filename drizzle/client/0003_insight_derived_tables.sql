-- Cohort insight (docs/insight.md). Four tables derived from user_action and enrollment, kept
-- exact by the triggers below whoever writes (a pull page, a local mutation, a rebase, an
-- erasure), so the Cohorts screen reads ~100,000 small rows instead of a million actions:
--   insight_enrollment_week  per enrollment (and the member the action names) and week: actions
--                            linked to it, completed_course actions among them, the latest one;
--   insight_enrollment       per enrollment row: its own columns, plus the sums of its weeks, kept
--                            in cohort order (`cohort_key`: the cohort id, '' for none) so a cohort's
--                            rows, and all cohorts' in turn, are read as one range;
--   insight_cohort_week      per cohort and week: enrollments with at least one action that week;
--   insight_cohort           per cohort (and '' for none): enrollments, withdrawn, completed, and
--                            `open` ones (active, course not completed: the ones that can be at risk).
-- The figures that depend on "now" (active in 7 days, at risk) are counted at query time, per
-- cohort, from two indexes of insight_enrollment: by last action, and, for the open enrollments,
-- by `quiet_since` (the later of last action and enrollment), so the Cohorts screen reads only
-- the recent end of each cohort's range, never every enrollment. Both are covering indexes, so
-- `open` and `quiet_since` are plain columns kept by a trigger (SQLite never treats an index
-- holding a generated column as covering). The indexes are declared as UNIQUE constraints,
-- which the enrollment id makes true, so they need no name of their own.
-- An action counts for an enrollment when its enrollment_id names it and its user_id is the
-- enrollment's member; weeks run Monday to Sunday in UTC and are numbered from 1970-01-05
-- (week w starts on day 7w - 3 after 1970-01-01). Only SQL declares these tables (drizzle's
-- schema cannot say WITHOUT ROWID); src/main/insight/derivedTables.ts drops the triggers for a
-- first pull and rebuilds the tables with the same statements as the fill below.
CREATE TABLE `insight_enrollment_week` (
  `enrollment_id` text NOT NULL,
  `user_id` text NOT NULL,
  `week` integer NOT NULL,
  `actions` integer NOT NULL,
  `course_done` integer NOT NULL,
  `last_at` text NOT NULL,
  PRIMARY KEY (`enrollment_id`, `user_id`, `week`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `insight_enrollment` (
  `cohort_key` text NOT NULL,
  `enrollment_id` text NOT NULL,
  `user_id` text NOT NULL,
  `status` text NOT NULL,
  `enrolled_at` text NOT NULL,
  `actions` integer NOT NULL,
  `course_done` integer NOT NULL,
  `last_at` text,
  `open` integer NOT NULL,
  `quiet_since` text NOT NULL,
  PRIMARY KEY (`cohort_key`, `enrollment_id`),
  UNIQUE (`enrollment_id`),
  UNIQUE (`cohort_key`, `last_at`, `enrollment_id`),
  UNIQUE (`cohort_key`, `open`, `quiet_since`, `enrollment_id`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `insight_cohort_week` (
  `cohort_id` text NOT NULL,
  `week` integer NOT NULL,
  `active` integer NOT NULL,
  PRIMARY KEY (`cohort_id`, `week`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `insight_cohort` (
  `cohort_key` text PRIMARY KEY NOT NULL,
  `enrolled` integer NOT NULL,
  `withdrawn` integer NOT NULL,
  `completed` integer NOT NULL,
  `open` integer NOT NULL
) WITHOUT ROWID;
--> statement-breakpoint
-- An install that already holds data gets its tables filled once, before the triggers exist.
INSERT INTO insight_enrollment_week (enrollment_id, user_id, week, actions, course_done, last_at)
SELECT enrollment_id, user_id, coalesce((unixepoch(occurred_at) / 86400 + 3) / 7, 0), count(*), sum(action_type = 'completed_course'), max(occurred_at)
FROM user_action WHERE enrollment_id IS NOT NULL GROUP BY 1, 2, 3;
--> statement-breakpoint
-- In key order: the primary key and the per-cohort indexes then grow at their ends.
INSERT INTO insight_enrollment (cohort_key, enrollment_id, user_id, status, enrolled_at, actions, course_done, last_at, open, quiet_since)
SELECT coalesce(e.cohort_id, ''), e.id, e.user_id, e.status, e.enrolled_at, coalesce(w.actions, 0), coalesce(w.course_done, 0), w.last_at,
  e.status = 'active' AND coalesce(w.course_done, 0) = 0, max(coalesce(w.last_at, ''), e.enrolled_at)
FROM enrollment e LEFT JOIN (
  SELECT enrollment_id, user_id, sum(actions) AS actions, sum(course_done) AS course_done, max(last_at) AS last_at
  FROM insight_enrollment_week GROUP BY 1, 2
) w ON w.enrollment_id = e.id AND w.user_id = e.user_id
ORDER BY 1, 2;
--> statement-breakpoint
INSERT INTO insight_cohort_week (cohort_id, week, active)
SELECT e.cohort_key, w.week, count(*)
FROM insight_enrollment e CROSS JOIN insight_enrollment_week w ON w.enrollment_id = e.enrollment_id AND w.user_id = e.user_id
WHERE e.cohort_key <> '' GROUP BY 1, 2;
--> statement-breakpoint
INSERT INTO insight_cohort (cohort_key, enrolled, withdrawn, completed, open)
SELECT cohort_key, count(*), sum(status = 'withdrawn'), sum(status = 'completed' OR course_done > 0), sum(open)
FROM insight_enrollment GROUP BY cohort_key;
--> statement-breakpoint
-- user_action → insight_enrollment_week. A delete recomputes the week's latest action only when it
-- removed that one, from the member's actions of that week (a range of the member's time index).
CREATE TRIGGER `insight_action_insert` AFTER INSERT ON `user_action` WHEN new.enrollment_id IS NOT NULL BEGIN
  INSERT INTO insight_enrollment_week (enrollment_id, user_id, week, actions, course_done, last_at)
  VALUES (new.enrollment_id, new.user_id, coalesce((unixepoch(new.occurred_at) / 86400 + 3) / 7, 0), 1, new.action_type = 'completed_course', new.occurred_at)
  ON CONFLICT DO UPDATE SET actions = actions + 1, course_done = course_done + excluded.course_done, last_at = max(last_at, excluded.last_at);
END;
--> statement-breakpoint
CREATE TRIGGER `insight_action_delete` AFTER DELETE ON `user_action` WHEN old.enrollment_id IS NOT NULL BEGIN
  UPDATE insight_enrollment_week SET
    actions = actions - 1,
    course_done = course_done - (old.action_type = 'completed_course'),
    last_at = CASE WHEN old.occurred_at < last_at THEN last_at ELSE coalesce((
      SELECT max(a.occurred_at) FROM user_action a
      WHERE a.user_id = old.user_id
        AND a.occurred_at >= date((insight_enrollment_week.week * 7 - 3) * 86400, 'unixepoch')
        AND a.occurred_at < date((insight_enrollment_week.week * 7 + 4) * 86400, 'unixepoch')
        AND a.enrollment_id = old.enrollment_id
        AND coalesce((unixepoch(a.occurred_at) / 86400 + 3) / 7, 0) = insight_enrollment_week.week
    ), '') END
  WHERE enrollment_id = old.enrollment_id AND user_id = old.user_id AND week = coalesce((unixepoch(old.occurred_at) / 86400 + 3) / 7, 0);
  DELETE FROM insight_enrollment_week
  WHERE enrollment_id = old.enrollment_id AND user_id = old.user_id AND week = coalesce((unixepoch(old.occurred_at) / 86400 + 3) / 7, 0) AND actions <= 0;
END;
--> statement-breakpoint
CREATE TRIGGER `insight_action_update` AFTER UPDATE OF `user_id`, `enrollment_id`, `action_type`, `occurred_at` ON `user_action`
WHEN old.user_id IS NOT new.user_id OR old.enrollment_id IS NOT new.enrollment_id OR old.action_type IS NOT new.action_type OR old.occurred_at IS NOT new.occurred_at
BEGIN
  UPDATE insight_enrollment_week SET
    actions = actions - 1,
    course_done = course_done - (old.action_type = 'completed_course'),
    last_at = CASE WHEN old.occurred_at < last_at THEN last_at ELSE coalesce((
      SELECT max(a.occurred_at) FROM user_action a
      WHERE a.user_id = old.user_id
        AND a.occurred_at >= date((insight_enrollment_week.week * 7 - 3) * 86400, 'unixepoch')
        AND a.occurred_at < date((insight_enrollment_week.week * 7 + 4) * 86400, 'unixepoch')
        AND a.enrollment_id = old.enrollment_id
        AND coalesce((unixepoch(a.occurred_at) / 86400 + 3) / 7, 0) = insight_enrollment_week.week
    ), '') END
  WHERE old.enrollment_id IS NOT NULL AND enrollment_id = old.enrollment_id AND user_id = old.user_id
    AND week = coalesce((unixepoch(old.occurred_at) / 86400 + 3) / 7, 0);
  DELETE FROM insight_enrollment_week
  WHERE old.enrollment_id IS NOT NULL AND enrollment_id = old.enrollment_id AND user_id = old.user_id
    AND week = coalesce((unixepoch(old.occurred_at) / 86400 + 3) / 7, 0) AND actions <= 0;
  INSERT INTO insight_enrollment_week (enrollment_id, user_id, week, actions, course_done, last_at)
  SELECT new.enrollment_id, new.user_id, coalesce((unixepoch(new.occurred_at) / 86400 + 3) / 7, 0), 1, new.action_type = 'completed_course', new.occurred_at
  WHERE new.enrollment_id IS NOT NULL
  ON CONFLICT DO UPDATE SET actions = actions + 1, course_done = course_done + excluded.course_done, last_at = max(last_at, excluded.last_at);
END;
--> statement-breakpoint
-- insight_enrollment_week → insight_enrollment (sums, latest action) and insight_cohort_week (a
-- week row that appears or goes is one enrollment more or less active that week).
CREATE TRIGGER `insight_week_insert` AFTER INSERT ON `insight_enrollment_week` BEGIN
  UPDATE insight_enrollment SET
    actions = actions + new.actions,
    course_done = course_done + new.course_done,
    last_at = CASE WHEN last_at IS NULL OR new.last_at > last_at THEN new.last_at ELSE last_at END
  WHERE enrollment_id = new.enrollment_id AND user_id = new.user_id;
  INSERT INTO insight_cohort_week (cohort_id, week, active)
  SELECT cohort_key, new.week, 1 FROM insight_enrollment
  WHERE enrollment_id = new.enrollment_id AND user_id = new.user_id AND cohort_key <> ''
  ON CONFLICT DO UPDATE SET active = active + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `insight_week_update` AFTER UPDATE ON `insight_enrollment_week` BEGIN
  UPDATE insight_enrollment SET
    actions = actions + new.actions - old.actions,
    course_done = course_done + new.course_done - old.course_done,
    last_at = CASE
      WHEN new.last_at >= old.last_at THEN (CASE WHEN last_at IS NULL OR new.last_at > last_at THEN new.last_at ELSE last_at END)
      ELSE (SELECT max(w.last_at) FROM insight_enrollment_week w WHERE w.enrollment_id = new.enrollment_id AND w.user_id = new.user_id)
    END
  WHERE enrollment_id = new.enrollment_id AND user_id = new.user_id;
END;
--> statement-breakpoint
CREATE TRIGGER `insight_week_delete` AFTER DELETE ON `insight_enrollment_week` BEGIN
  UPDATE insight_enrollment SET
    actions = actions - old.actions,
    course_done = course_done - old.course_done,
    last_at = (SELECT max(w.last_at) FROM insight_enrollment_week w WHERE w.enrollment_id = old.enrollment_id AND w.user_id = old.user_id)
  WHERE enrollment_id = old.enrollment_id AND user_id = old.user_id;
  UPDATE insight_cohort_week SET active = active - 1
  WHERE week = old.week
    AND cohort_id = (SELECT cohort_key FROM insight_enrollment WHERE enrollment_id = old.enrollment_id AND user_id = old.user_id);
  DELETE FROM insight_cohort_week
  WHERE week = old.week AND active <= 0
    AND cohort_id = (SELECT cohort_key FROM insight_enrollment WHERE enrollment_id = old.enrollment_id AND user_id = old.user_id);
END;
--> statement-breakpoint
-- enrollment → insight_enrollment (a copy of its columns and the sums of its weeks) and the weeks
-- it makes active in its cohort. An update that changes anything rebuilds its row: rare, and small.
CREATE TRIGGER `insight_enrollment_insert` AFTER INSERT ON `enrollment` BEGIN
  INSERT INTO insight_enrollment (cohort_key, enrollment_id, user_id, status, enrolled_at, actions, course_done, last_at, open, quiet_since)
  SELECT coalesce(new.cohort_id, ''), new.id, new.user_id, new.status, new.enrolled_at, coalesce(sum(actions), 0), coalesce(sum(course_done), 0), max(last_at),
    new.status = 'active' AND coalesce(sum(course_done), 0) = 0, max(coalesce(max(last_at), ''), new.enrolled_at)
  FROM insight_enrollment_week WHERE enrollment_id = new.id AND user_id = new.user_id;
  INSERT INTO insight_cohort_week (cohort_id, week, active)
  SELECT new.cohort_id, week, 1 FROM insight_enrollment_week
  WHERE new.cohort_id IS NOT NULL AND enrollment_id = new.id AND user_id = new.user_id
  ON CONFLICT DO UPDATE SET active = active + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `insight_enrollment_delete` AFTER DELETE ON `enrollment` BEGIN
  UPDATE insight_cohort_week SET active = active - 1
  WHERE cohort_id = (SELECT cohort_key FROM insight_enrollment WHERE enrollment_id = old.id)
    AND week IN (SELECT w.week FROM insight_enrollment_week w JOIN insight_enrollment i ON i.enrollment_id = w.enrollment_id AND i.user_id = w.user_id WHERE i.enrollment_id = old.id);
  DELETE FROM insight_cohort_week WHERE active <= 0 AND cohort_id = (SELECT cohort_key FROM insight_enrollment WHERE enrollment_id = old.id);
  DELETE FROM insight_enrollment WHERE enrollment_id = old.id;
END;
--> statement-breakpoint
CREATE TRIGGER `insight_enrollment_update` AFTER UPDATE ON `enrollment`
WHEN old.id IS NOT new.id OR old.user_id IS NOT new.user_id OR old.cohort_id IS NOT new.cohort_id OR old.status IS NOT new.status OR old.enrolled_at IS NOT new.enrolled_at
BEGIN
  UPDATE insight_cohort_week SET active = active - 1
  WHERE cohort_id = (SELECT cohort_key FROM insight_enrollment WHERE enrollment_id = old.id)
    AND week IN (SELECT w.week FROM insight_enrollment_week w JOIN insight_enrollment i ON i.enrollment_id = w.enrollment_id AND i.user_id = w.user_id WHERE i.enrollment_id = old.id);
  DELETE FROM insight_cohort_week WHERE active <= 0 AND cohort_id = (SELECT cohort_key FROM insight_enrollment WHERE enrollment_id = old.id);
  DELETE FROM insight_enrollment WHERE enrollment_id = old.id;
  INSERT INTO insight_enrollment (cohort_key, enrollment_id, user_id, status, enrolled_at, actions, course_done, last_at, open, quiet_since)
  SELECT coalesce(new.cohort_id, ''), new.id, new.user_id, new.status, new.enrolled_at, coalesce(sum(actions), 0), coalesce(sum(course_done), 0), max(last_at),
    new.status = 'active' AND coalesce(sum(course_done), 0) = 0, max(coalesce(max(last_at), ''), new.enrolled_at)
  FROM insight_enrollment_week WHERE enrollment_id = new.id AND user_id = new.user_id;
  INSERT INTO insight_cohort_week (cohort_id, week, active)
  SELECT new.cohort_id, week, 1 FROM insight_enrollment_week
  WHERE new.cohort_id IS NOT NULL AND enrollment_id = new.id AND user_id = new.user_id
  ON CONFLICT DO UPDATE SET active = active + 1;
END;
--> statement-breakpoint
-- insight_enrollment's own `open` and `quiet_since`, after its sums change.
CREATE TRIGGER `insight_row_derive` AFTER UPDATE OF `last_at`, `course_done`, `status`, `enrolled_at` ON `insight_enrollment`
WHEN new.open IS NOT (new.status = 'active' AND new.course_done = 0) OR new.quiet_since IS NOT max(coalesce(new.last_at, ''), new.enrolled_at)
BEGIN
  UPDATE insight_enrollment SET open = (status = 'active' AND course_done = 0), quiet_since = max(coalesce(last_at, ''), enrolled_at)
  WHERE enrollment_id = new.enrollment_id;
END;
--> statement-breakpoint
-- insight_enrollment → insight_cohort: an enrollment row in or out of a cohort, or one whose
-- status or course completion changes, moves that cohort's counts.
CREATE TRIGGER `insight_row_insert` AFTER INSERT ON `insight_enrollment` BEGIN
  INSERT INTO insight_cohort (cohort_key, enrolled, withdrawn, completed, open)
  VALUES (new.cohort_key, 1, new.status = 'withdrawn', new.status = 'completed' OR new.course_done > 0, new.status = 'active' AND new.course_done = 0)
  ON CONFLICT DO UPDATE SET enrolled = enrolled + 1, withdrawn = withdrawn + excluded.withdrawn,
    completed = completed + excluded.completed, open = open + excluded.open;
END;
--> statement-breakpoint
CREATE TRIGGER `insight_row_delete` AFTER DELETE ON `insight_enrollment` BEGIN
  UPDATE insight_cohort SET enrolled = enrolled - 1, withdrawn = withdrawn - (old.status = 'withdrawn'),
    completed = completed - (old.status = 'completed' OR old.course_done > 0), open = open - (old.status = 'active' AND old.course_done = 0)
  WHERE cohort_key = old.cohort_key;
  DELETE FROM insight_cohort WHERE cohort_key = old.cohort_key AND enrolled <= 0;
END;
--> statement-breakpoint
CREATE TRIGGER `insight_row_update` AFTER UPDATE OF `cohort_key`, `status`, `course_done` ON `insight_enrollment`
WHEN old.cohort_key IS NOT new.cohort_key OR old.status IS NOT new.status OR (old.course_done > 0) IS NOT (new.course_done > 0)
BEGIN
  UPDATE insight_cohort SET enrolled = enrolled - 1, withdrawn = withdrawn - (old.status = 'withdrawn'),
    completed = completed - (old.status = 'completed' OR old.course_done > 0), open = open - (old.status = 'active' AND old.course_done = 0)
  WHERE cohort_key = old.cohort_key;
  DELETE FROM insight_cohort WHERE cohort_key = old.cohort_key AND enrolled <= 0;
  INSERT INTO insight_cohort (cohort_key, enrolled, withdrawn, completed, open)
  VALUES (new.cohort_key, 1, new.status = 'withdrawn', new.status = 'completed' OR new.course_done > 0, new.status = 'active' AND new.course_done = 0)
  ON CONFLICT DO UPDATE SET enrolled = enrolled + 1, withdrawn = withdrawn + excluded.withdrawn,
    completed = completed + excluded.completed, open = open + excluded.open;
END;
