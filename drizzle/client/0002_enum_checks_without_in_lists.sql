PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_champion` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`cohort_id` text,
	`stage` text NOT NULL,
	`notes` text DEFAULT '' NOT NULL,
	`selected_at` text,
	`became_champion_at` text,
	CONSTRAINT "champion_stage_check" CHECK((stage = 'candidate' OR stage = 'selected' OR stage = 'champion' OR stage = 'alumni'))
);
--> statement-breakpoint
INSERT INTO `__new_champion`("id", "user_id", "cohort_id", "stage", "notes", "selected_at", "became_champion_at") SELECT "id", "user_id", "cohort_id", "stage", "notes", "selected_at", "became_champion_at" FROM `champion`;--> statement-breakpoint
DROP TABLE `champion`;--> statement-breakpoint
ALTER TABLE `__new_champion` RENAME TO `champion`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE UNIQUE INDEX `champion_user_cohort_unique` ON `champion` (`user_id`,`cohort_id`) WHERE cohort_id IS NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `champion_user_global_unique` ON `champion` (`user_id`) WHERE cohort_id IS NULL;--> statement-breakpoint
CREATE INDEX `champion_cohort_stage_idx` ON `champion` (`cohort_id`,`stage`);--> statement-breakpoint
CREATE TABLE `__new_champion_stage_change` (
	`id` text PRIMARY KEY NOT NULL,
	`champion_id` text NOT NULL,
	`from_stage` text,
	`to_stage` text NOT NULL,
	`changed_at` text NOT NULL,
	`changed_by` text NOT NULL,
	`reason` text,
	`pending_mutation_id` integer,
	CONSTRAINT "csc_from_stage_check" CHECK(from_stage IS NULL OR (from_stage = 'candidate' OR from_stage = 'selected' OR from_stage = 'champion' OR from_stage = 'alumni')),
	CONSTRAINT "csc_to_stage_check" CHECK((to_stage = 'candidate' OR to_stage = 'selected' OR to_stage = 'champion' OR to_stage = 'alumni'))
);
--> statement-breakpoint
INSERT INTO `__new_champion_stage_change`("id", "champion_id", "from_stage", "to_stage", "changed_at", "changed_by", "reason", "pending_mutation_id") SELECT "id", "champion_id", "from_stage", "to_stage", "changed_at", "changed_by", "reason", "pending_mutation_id" FROM `champion_stage_change`;--> statement-breakpoint
DROP TABLE `champion_stage_change`;--> statement-breakpoint
ALTER TABLE `__new_champion_stage_change` RENAME TO `champion_stage_change`;--> statement-breakpoint
CREATE INDEX `csc_champion_idx` ON `champion_stage_change` (`champion_id`,`changed_at`);--> statement-breakpoint
CREATE INDEX `csc_pending_idx` ON `champion_stage_change` (`pending_mutation_id`) WHERE pending_mutation_id IS NOT NULL;--> statement-breakpoint
CREATE TABLE `__new_cohort` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`starts_at` text,
	`ends_at` text,
	`status` text NOT NULL,
	`created_at` text NOT NULL,
	CONSTRAINT "cohort_status_check" CHECK((status = 'planned' OR status = 'active' OR status = 'finished'))
);
--> statement-breakpoint
INSERT INTO `__new_cohort`("id", "name", "starts_at", "ends_at", "status", "created_at") SELECT "id", "name", "starts_at", "ends_at", "status", "created_at" FROM `cohort`;--> statement-breakpoint
DROP TABLE `cohort`;--> statement-breakpoint
ALTER TABLE `__new_cohort` RENAME TO `cohort`;--> statement-breakpoint
CREATE TABLE `__new_enrollment` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`cohort_id` text,
	`course_name` text,
	`status` text NOT NULL,
	`enrolled_at` text NOT NULL,
	CONSTRAINT "enrollment_status_check" CHECK((status = 'active' OR status = 'completed' OR status = 'withdrawn'))
);
--> statement-breakpoint
INSERT INTO `__new_enrollment`("id", "user_id", "cohort_id", "course_name", "status", "enrolled_at") SELECT "id", "user_id", "cohort_id", "course_name", "status", "enrolled_at" FROM `enrollment`;--> statement-breakpoint
DROP TABLE `enrollment`;--> statement-breakpoint
ALTER TABLE `__new_enrollment` RENAME TO `enrollment`;--> statement-breakpoint
CREATE INDEX `enrollment_user_idx` ON `enrollment` (`user_id`);--> statement-breakpoint
CREATE TABLE `__new_user_action` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`enrollment_id` text,
	`action_type` text NOT NULL,
	`target_type` text,
	`target_id` text,
	`metadata` text DEFAULT '{}' NOT NULL,
	`source_system` text,
	`source_event_id` text,
	`idempotency_key` text,
	`occurred_at` text NOT NULL,
	CONSTRAINT "user_action_action_type_check" CHECK((action_type = 'enrolled' OR action_type = 'viewed_module' OR action_type = 'started_module' OR action_type = 'completed_module' OR action_type = 'answered_question' OR action_type = 'posted_thread' OR action_type = 'posted_reply' OR action_type = 'completed_course' OR action_type = 'unenrolled')),
	CONSTRAINT "user_action_target_type_check" CHECK(target_type IS NULL OR (target_type = 'module' OR target_type = 'content_block' OR target_type = 'question' OR target_type = 'course' OR target_type = 'cohort' OR target_type = 'forum' OR target_type = 'thread' OR target_type = 'post')),
	CONSTRAINT "user_action_source_system_check" CHECK(source_system IS NULL OR (source_system = 'webhook' OR source_system = 'app' OR source_system = 'stripe' OR source_system = 'segment' OR source_system = 'manual' OR source_system = 'cron_worker')),
	CONSTRAINT "user_action_metadata_object" CHECK(json_valid("__new_user_action"."metadata") AND json_type("__new_user_action"."metadata") = 'object')
);
--> statement-breakpoint
INSERT INTO `__new_user_action`("id", "user_id", "enrollment_id", "action_type", "target_type", "target_id", "metadata", "source_system", "source_event_id", "idempotency_key", "occurred_at") SELECT "id", "user_id", "enrollment_id", "action_type", "target_type", "target_id", "metadata", "source_system", "source_event_id", "idempotency_key", "occurred_at" FROM `user_action`;--> statement-breakpoint
DROP TABLE `user_action`;--> statement-breakpoint
ALTER TABLE `__new_user_action` RENAME TO `user_action`;--> statement-breakpoint
CREATE UNIQUE INDEX `user_action_source_event_unique` ON `user_action` (`source_system`,`source_event_id`) WHERE source_system IS NOT NULL AND source_event_id IS NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `user_action_idempotency_key_unique` ON `user_action` (`idempotency_key`) WHERE idempotency_key IS NOT NULL;--> statement-breakpoint
CREATE INDEX `user_action_user_time_idx` ON `user_action` (`user_id`,`occurred_at`,`id`);--> statement-breakpoint
CREATE INDEX `user_action_time_idx` ON `user_action` (`occurred_at`,`id`);--> statement-breakpoint
CREATE INDEX `user_action_type_time_idx` ON `user_action` (`action_type`,`occurred_at`,`id`);--> statement-breakpoint
CREATE INDEX `user_action_source_time_idx` ON `user_action` (`source_system`,`occurred_at`,`id`);--> statement-breakpoint
CREATE INDEX `user_action_target_time_idx` ON `user_action` (`target_type`,`occurred_at`,`id`);