CREATE TABLE `bulk_load_deferred` (
	`name` text PRIMARY KEY NOT NULL,
	`sql` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `gone_champion` (
	`user_id` text NOT NULL,
	`champion_id` text NOT NULL,
	PRIMARY KEY(`user_id`, `champion_id`)
);
--> statement-breakpoint
CREATE TABLE `insight_deferred_trigger` (
	`name` text PRIMARY KEY NOT NULL,
	`sql` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `member_search_catch_up` (
	`id` integer PRIMARY KEY NOT NULL,
	`watermark` integer DEFAULT 0 NOT NULL,
	CONSTRAINT "member_search_catch_up_singleton" CHECK("member_search_catch_up"."id" = 1)
);
--> statement-breakpoint
CREATE TABLE `scope_left` (
	`user_id` text PRIMARY KEY NOT NULL,
	`left_at` text NOT NULL,
	`closed_conflicts` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE `server_base` (
	`table_name` text NOT NULL,
	`row_id` text NOT NULL,
	`row` text,
	PRIMARY KEY(`table_name`, `row_id`)
);
--> statement-breakpoint
ALTER TABLE `sync_state` ADD `previous_server_url` text;--> statement-breakpoint
-- Move the sync engine's own state out of `setting` (issue 12): each kind into its table.
-- `sync.base:<table>:<id>` = the server's row as JSON, or 'absent'.
INSERT OR IGNORE INTO `server_base` (`table_name`, `row_id`, `row`)
SELECT substr(rest, 1, instr(rest, ':') - 1), substr(rest, instr(rest, ':') + 1), CASE WHEN value = 'absent' THEN NULL ELSE value END
FROM (SELECT substr(key, 11) AS rest, value FROM `setting` WHERE substr(key, 1, 10) = 'sync.base:')
WHERE instr(rest, ':') > 1;
--> statement-breakpoint
-- `sync.gone:<userId>` = a JSON array of champion ids.
INSERT OR IGNORE INTO `gone_champion` (`user_id`, `champion_id`)
SELECT substr(s.key, 11), j.value FROM `setting` s, json_each(s.value) j
WHERE substr(s.key, 1, 10) = 'sync.gone:' AND json_valid(s.value) AND json_type(s.value) = 'array' AND j.type = 'text';
--> statement-breakpoint
-- `scope.left:<userId>` = {"userId", "leftAt", "closedConflicts"}.
INSERT OR IGNORE INTO `scope_left` (`user_id`, `left_at`, `closed_conflicts`)
SELECT substr(key, 12), json_extract(value, '$.leftAt'), coalesce(json_extract(value, '$.closedConflicts'), 0) FROM `setting`
WHERE substr(key, 1, 11) = 'scope.left:' AND json_valid(value) AND json_type(value, '$.leftAt') = 'text';
--> statement-breakpoint
-- `sync.deferredIndexes` and `insight.deferredTriggers` = JSON arrays of {"name", "sql"}.
INSERT OR IGNORE INTO `bulk_load_deferred` (`name`, `sql`)
SELECT json_extract(j.value, '$.name'), json_extract(j.value, '$.sql') FROM `setting` s, json_each(s.value) j
WHERE s.key = 'sync.deferredIndexes' AND json_valid(s.value) AND json_type(j.value, '$.name') = 'text' AND json_type(j.value, '$.sql') = 'text';
--> statement-breakpoint
INSERT OR IGNORE INTO `insight_deferred_trigger` (`name`, `sql`)
SELECT json_extract(j.value, '$.name'), json_extract(j.value, '$.sql') FROM `setting` s, json_each(s.value) j
WHERE s.key = 'insight.deferredTriggers' AND json_valid(s.value) AND json_type(j.value, '$.name') = 'text' AND json_type(j.value, '$.sql') = 'text';
--> statement-breakpoint
-- `sync.memberSearchWatermark` = a rowid as text; present only while the search triggers are away.
INSERT OR IGNORE INTO `member_search_catch_up` (`id`, `watermark`)
SELECT 1, coalesce(CAST(value AS INTEGER), 0) FROM `setting` WHERE key = 'sync.memberSearchWatermark';
--> statement-breakpoint
UPDATE `sync_state` SET `previous_server_url` = (SELECT value FROM `setting` WHERE key = 'server.previousUrl');
--> statement-breakpoint
DELETE FROM `setting`
WHERE substr(key, 1, 10) IN ('sync.base:', 'sync.gone:') OR substr(key, 1, 11) = 'scope.left:'
  OR key IN ('sync.deferredIndexes', 'insight.deferredTriggers', 'sync.memberSearchWatermark', 'server.previousUrl');
